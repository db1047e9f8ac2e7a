"""One BLAS thread while models train: the same sums in the same order on every run.

OpenBLAS splits a matrix product across threads differently depending on how many it has,
which changes float32 rounding and so the trained model. Training under
:func:`single_threaded` makes results reproducible from a seed, and leaves the other cores
to run other trainings (the decision tree, or another learner's job) at the same time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_users = 0
_limiter: Any = None


@contextmanager
def single_threaded() -> Iterator[None]:
    """Limit BLAS to one thread (process-wide) while any caller is inside this block."""
    global _users, _limiter
    with _lock:
        if _users == 0:
            from threadpoolctl import threadpool_limits

            _limiter = threadpool_limits(limits=1, user_api="blas")
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                _limiter.restore_original_limits()
                _limiter = None
