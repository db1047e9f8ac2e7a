"""``python -m neuralab`` is the ``neuralab`` command."""

from neuralab.cli import main

raise SystemExit(main())
