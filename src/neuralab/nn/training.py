"""The minibatch training loop, with per-epoch callbacks and scikit-learn's stopping rule."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuralab.blas import limited
from neuralab.nn.network import Network
from neuralab.nn.optimizers import Optimizer

__all__ = ["EpochStats", "History", "evaluate", "train"]

Schedule = float | Callable[[int], float]


@dataclass(frozen=True)
class EpochStats:
    """What one epoch did; passed to the ``callback`` of :func:`train`.

    ``epoch`` counts from 1. ``loss`` is the mean minibatch loss over the epoch (including the
    L2 term, as scikit-learn's ``loss_curve_``). ``train_accuracy`` is measured on the
    minibatches' own forward passes, *before* each step, so it costs nothing extra and lags
    the weights slightly (None for non-softmax networks). ``val_loss`` and ``val_accuracy`` are
    measured on the validation set after the epoch (None without one). ``seconds`` is the
    epoch's wall time, validation included.
    """

    epoch: int
    loss: float
    val_loss: float | None
    train_accuracy: float | None
    val_accuracy: float | None
    seconds: float
    learning_rate: float = 0.0


@dataclass
class History:
    """The record of one :func:`train` call."""

    loss_curve: list[float] = field(default_factory=list)
    val_loss_curve: list[float] = field(default_factory=list)
    train_accuracy_curve: list[float] = field(default_factory=list)
    val_accuracy_curve: list[float] = field(default_factory=list)
    n_epochs: int = 0
    converged: bool = False  # stopped because the loss stopped improving by ``tol``
    stopped_by_callback: bool = False
    seconds: float = 0.0
    epochs: list[EpochStats] = field(default_factory=list)

    @property
    def best_loss(self) -> float:
        return min(self.loss_curve) if self.loss_curve else float("inf")


def evaluate(
    network: Network, X: Any, y: Any, batch_size: int = 4096
) -> tuple[float, float | None]:
    """Mean loss (no L2 term) and accuracy (softmax with labels; else None) on ``(X, y)``."""
    y = network.as_targets(y)
    loss, correct = network.evaluate(X, y, batch_size)
    accuracy = correct / len(y) if network.output == "softmax" and y.ndim == 1 else None
    return loss, accuracy


def train(
    network: Network,
    X: Any,
    y: Any,
    *,
    solver: str = "adam",
    learning_rate: Schedule = 1e-3,
    batch_size: int = 200,
    max_epochs: int = 200,
    alpha: float = 1e-4,
    momentum: float = 0.9,
    nesterov: bool = False,
    tol: float = 1e-4,
    n_iter_no_change: int | None = 10,
    seed: int | None = 0,
    shuffle: bool = True,
    X_val: Any = None,
    y_val: Any = None,
    callback: Callable[[EpochStats], bool | None] | None = None,
    optimizer: Optimizer | None = None,
    blas_threads: int | None = None,
) -> History:
    """Train ``network`` in place with minibatches and return its :class:`History`.

    Parameters
    ----------
    X, y : arrays
        Inputs (n, n_features); ``y`` integer labels 0..k-1 for a softmax network, float
        targets (n,) or (n, k) for an identity one.
    solver : {"adam", "sgd"}
        The optimizer (ignored when ``optimizer`` is given, e.g. to continue training).
    learning_rate : float or callable
        A constant, or a schedule ``epoch -> rate`` called before each epoch (epoch from 0).
    batch_size : int
        Rows per step (clipped to ``len(X)``); the last batch of an epoch may be smaller.
    alpha : float
        L2 penalty, as scikit-learn's: ``alpha/(2n) * sum ||W||**2`` per batch of ``n`` rows.
    tol, n_iter_no_change : float, int or None
        Stop (``converged=True``) when the epoch loss has not improved on the best so far by
        at least ``tol`` for more than ``n_iter_no_change`` epochs (scikit-learn's rule);
        ``None`` never stops early.
    seed : int or None
        Seeds the per-epoch shuffles. The same network, data, settings and seed give
        bit-identical weights and curves.
    X_val, y_val : arrays, optional
        A validation set, evaluated after every epoch.
    callback : callable, optional
        Called with an :class:`EpochStats` after every epoch; returning True stops training
        (``History.stopped_by_callback``).
    optimizer : Optimizer, optional
        Continue with this optimizer (and its state) instead of making a new one.
    blas_threads : int, optional
        Limit numpy's BLAS to this many threads while training (through threadpoolctl).
        ``1`` is the robust choice when other work shares the cores: a multi-threaded BLAS
        waits for all its threads at every one of these small matmuls, and slows down badly
        when a core is busy. ``None`` leaves the BLAS alone.
    """
    with limited(blas_threads):
        return _train(network, X, y, solver=solver, learning_rate=learning_rate,
                      batch_size=batch_size, max_epochs=max_epochs, alpha=alpha,
                      momentum=momentum, nesterov=nesterov, tol=tol,
                      n_iter_no_change=n_iter_no_change, seed=seed, shuffle=shuffle,
                      X_val=X_val, y_val=y_val, callback=callback, optimizer=optimizer)


def _train(
    network: Network, X: Any, y: Any, *, solver: str, learning_rate: Schedule, batch_size: int,
    max_epochs: int, alpha: float, momentum: float, nesterov: bool, tol: float,
    n_iter_no_change: int | None, seed: int | None, shuffle: bool, X_val: Any, y_val: Any,
    callback: Callable[[EpochStats], bool | None] | None, optimizer: Optimizer | None,
) -> History:
    X = network.training_input(X)  # mostly-zero inputs become SparseRows (fused backend)
    y = network.as_targets(y)
    n = X.shape[0]
    if n == 0 or len(y) != n:
        raise ValueError(f"X and y must have the same, non-zero number of rows "
                         f"(got {n} and {len(y)})")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1 (got {batch_size})")
    if max_epochs < 0:
        raise ValueError(f"max_epochs must be >= 0 (got {max_epochs})")
    has_val = X_val is not None and y_val is not None
    batch_size = min(int(batch_size), n)
    schedule = learning_rate if callable(learning_rate) else None
    if optimizer is None:
        lr0 = schedule(0) if schedule is not None else learning_rate
        optimizer = network.make_optimizer(solver, float(lr0), momentum, nesterov)
    elif schedule is None:
        optimizer.learning_rate = float(learning_rate)
    rng = np.random.default_rng(seed)
    track_accuracy = network.output == "softmax" and y.ndim == 1

    # Each batch is gathered into one reused buffer: contiguous for the matmuls, and still in
    # cache when the backward pass reads it again. mode="clip" skips the bounds checks (the
    # indices are a permutation), which makes np.take about 3x faster. SparseRows are picked
    # without a copy.
    dense = isinstance(X, np.ndarray)
    xbuf = np.empty((batch_size, *X.shape[1:]), X.dtype) if dense else None
    ybuf = np.empty((batch_size, *y.shape[1:]), y.dtype)
    perm = np.arange(n)
    history = History()
    best, no_improvement = np.inf, 0
    start_all = time.perf_counter()
    for epoch in range(max_epochs):
        t0 = time.perf_counter()
        if schedule is not None:
            optimizer.learning_rate = float(schedule(epoch))
        if shuffle:
            rng.shuffle(perm)
        total, correct = 0.0, 0
        for s in range(0, n, batch_size):
            if shuffle:
                idx = perm[s:s + batch_size]
                xb = np.take(X, idx, axis=0, out=xbuf[:len(idx)], mode="clip") if dense \
                    else X[idx]
                yb = np.take(y, idx, axis=0, out=ybuf[:len(idx)], mode="clip")
            else:
                xb, yb = X[s:s + batch_size], y[s:s + batch_size]
            step = network.train_step(xb, yb, optimizer, alpha)
            total += step.total * yb.shape[0]
            correct += step.correct
        epoch_loss = total / n
        if not np.isfinite(epoch_loss):
            raise FloatingPointError(f"the loss diverged at epoch {epoch + 1} "
                                     f"(try a smaller learning rate)")
        val_loss = val_acc = None
        if has_val:
            val_loss, val_acc = evaluate(network, X_val, y_val)
        stats = EpochStats(epoch + 1, epoch_loss, val_loss,
                           correct / n if track_accuracy else None, val_acc,
                           time.perf_counter() - t0, optimizer.learning_rate)
        _record(history, stats)
        if callback is not None and callback(stats):
            history.stopped_by_callback = True
            break
        if n_iter_no_change is not None:
            no_improvement = no_improvement + 1 if epoch_loss > best - tol else 0
            best = min(best, epoch_loss)
            if no_improvement > n_iter_no_change:
                history.converged = True
                break
    history.seconds = time.perf_counter() - start_all
    return history


def _record(history: History, stats: EpochStats) -> None:
    history.epochs.append(stats)
    history.n_epochs = stats.epoch
    history.loss_curve.append(stats.loss)
    if stats.train_accuracy is not None:
        history.train_accuracy_curve.append(stats.train_accuracy)
    if stats.val_loss is not None:
        history.val_loss_curve.append(stats.val_loss)
    if stats.val_accuracy is not None:
        history.val_accuracy_curve.append(stats.val_accuracy)
