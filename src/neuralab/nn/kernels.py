"""Fused float32 loops for the training step, when the C extension ``_kernels`` is built.

The numpy code beside this module is the reference: every operation of a training step is
written there as numpy passes, in the order the maths reads. On a float32 network, where
these passes and their calls cost more than the arithmetic (a batch of 200 through
784-64-64-10 does ~40 small numpy operations besides its matmuls), :class:`Network` and
:class:`Adam` call these fused loops instead. The matmuls stay with numpy's BLAS.

``pip install`` compiles ``_kernels.c`` when it can; if it could not (no C compiler), or with
``NEURALAB_KERNELS=0`` in the environment, :data:`ENABLED` is False and everything runs in
numpy. Tests compare the two paths. Adam's update and the L2 gradient round exactly as the
numpy code does; the softmax uses the C library's ``expf``, within a few float32 ulps.
The first layer's forward sparse product splits its output across as many threads as the
BLAS may use (:func:`neuralab.blas.threads`) when it is large enough to gain, each output
entry summed as on one thread: the results do not depend on the thread count. Its transposed
product (the weight gradient) runs on one thread.

Besides these float32 loops, the module holds the playground's float64 training epoch
(``pg_epoch``; :mod:`neuralab.labs.playground.model` has its numpy reference); :func:`loop`
finds such a function.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["ENABLED", "compiled", "fast", "loop"]


def _load() -> ModuleType | None:
    if os.environ.get("NEURALAB_KERNELS", "1") == "0":
        return None
    try:
        from neuralab.nn import _kernels
    except ImportError:
        return None
    return _kernels


compiled: ModuleType | None = _load()
"""The compiled module ``neuralab.nn._kernels``, or None."""

ENABLED: bool = compiled is not None
"""Whether float32 training uses the fused loops (tests may switch it off)."""


def fast(*arrays: np.ndarray) -> bool:
    """True if the fused loops are on and every array is C-contiguous float32."""
    return ENABLED and all(
        a.dtype == np.float32 and a.flags.c_contiguous for a in arrays)


def loop(name: str) -> Callable[..., Any] | None:
    """The compiled function ``name``, or None when the module is not built, is switched off
    (``NEURALAB_KERNELS=0``) or was built before that function existed."""
    return getattr(compiled, name, None)
