"""neuralab: an offline, hands-on lab for learning how neural networks learn functions.

The numpy core (``neuralab.nn``, ``neuralab.labs``, ``neuralab.data``) is importable without
any web or plotting package; heavy imports happen where they are used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "MLPClassifier": "neuralab.nn",
    "compare_models": "neuralab.labs.compare",
    "ModelCache": "neuralab.labs.compare",
    "sweep": "neuralab.labs.sweep",
    "show": "neuralab.notebook",
    "load_mnist": "neuralab.data",
    "load_digits": "neuralab.data",
    "load_astronaut": "neuralab.data",
    "ParamError": "neuralab.params",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'neuralab' has no attribute {name!r}")
