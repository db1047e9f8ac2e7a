"""``python -m neuralab`` is the ``neuralab`` command."""

from neuralab.cli import run

run()
