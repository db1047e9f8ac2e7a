"""The lab's web server: ``create_app()`` and one router per lab (thin routes over the core)."""

from neuralab.server.app import create_app

__all__ = ["create_app"]
