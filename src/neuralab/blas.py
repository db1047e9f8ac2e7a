"""The one place that limits numpy's BLAS threads (through threadpoolctl).

OpenBLAS splits a matrix product across threads differently depending on how many it has,
which changes float32 rounding and so the trained model. Training under
:func:`single_threaded` makes results reproducible from a seed, and leaves the other cores
to run other trainings (the decision tree, or another learner's job) at the same time.
:func:`limited` caps the threads at any number (``train(..., blas_threads=n)``).
:func:`threads` says how many are allowed here, for neuralab's own threaded loops (the fused
first-layer products of ``nn/kernels.py``) to follow the same limit.

A BLAS's thread count belongs to the whole process, so the limit is process-wide: while
several callers are inside these blocks (in several threads), the smallest limit asked for
holds, and the original setting comes back when the last one leaves. That bookkeeping is the
process's own state, kept in one object here.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["limited", "single_threaded", "threads"]


class _Limits:
    """The limits currently asked for, and threadpoolctl's handle on the one applied."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.asked: Counter[int] = Counter()
        self.applied: Any = None  # threadpoolctl's limiter, while any limit is asked for
        self.current: int | None = None
        self._controller: Any = None

    def controller(self) -> Any:
        """threadpoolctl's view of the loaded thread pools, found once: finding them again
        each time took 0.8 ms with scikit-learn and PyTorch loaded (three times a fit).
        numpy's BLAS, the one limited here, is loaded before neuralab runs anything."""
        if self._controller is None:
            from threadpoolctl import ThreadpoolController

            self._controller = ThreadpoolController()
        return self._controller

    def _apply(self) -> None:
        want = min(self.asked) if self.asked else None
        if want == self.current:
            return
        if self.applied is not None:
            self.applied.restore_original_limits()
            self.applied = None
        if want is not None:
            self.applied = self.controller().limit(limits=want, user_api="blas")
        self.current = want

    def enter(self, threads: int) -> None:
        with self.lock:
            self.asked[threads] += 1
            self._apply()

    def limit(self) -> int | None:
        with self.lock:
            return self.current

    def leave(self, threads: int) -> None:
        with self.lock:
            self.asked[threads] -= 1
            if not self.asked[threads]:
                del self.asked[threads]
            self._apply()


_LIMITS = _Limits()


@contextmanager
def limited(threads: int | None) -> Iterator[None]:
    """Limit BLAS to ``threads`` threads (process-wide) inside this block; None: no limit."""
    if threads is None:
        yield
        return
    threads = int(threads)
    if threads < 1:
        raise ValueError(f"threads must be >= 1 (got {threads})")
    _LIMITS.enter(threads)
    try:
        yield
    finally:
        _LIMITS.leave(threads)


def single_threaded() -> Any:
    """Limit BLAS to one thread (process-wide) while any caller is inside this block."""
    return limited(1)


def threads() -> int:
    """How many threads the BLAS may use now: the limit in force, else its own thread count.

    The limit is the smallest one asked for through :func:`limited`, else what threadpoolctl
    reports for the loaded BLAS libraries (which includes limits set with threadpoolctl
    directly); 1 if that cannot be told. Never more than the machine's cores.
    """
    cores = os.cpu_count() or 1
    limit = _LIMITS.limit()
    if limit is not None:
        return max(1, min(limit, cores))
    try:
        pools = _LIMITS.controller().info()
    except ImportError:
        return 1
    counts = [int(p.get("num_threads") or 1) for p in pools if p["user_api"] == "blas"]
    return max(1, min(max(counts, default=1), cores))
