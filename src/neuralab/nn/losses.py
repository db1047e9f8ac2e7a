"""Losses, each with its gradient with respect to the output layer's pre-activation ``z``.

A loss is paired with the output activation that makes its gradient simple:

``cross_entropy`` (softmax output)
    ``L = -mean_i log softmax(z_i)[y_i]``, and ``dL/dz = (softmax(z) - onehot(y)) / n``.
``squared_error`` (identity output)
    ``L = mean_i 0.5 * ||z_i - y_i||**2``, and ``dL/dz = (z - y) / n``.
``binary_cross_entropy`` (logistic output, one independent yes/no per column)
    ``L = mean_i sum_k [log(1 + e**z_ik) - y_ik z_ik]``, and ``dL/dz = (sigmoid(z) - y) / n``.
``poisson`` (exp output, counts)
    ``L = mean_i sum_k [y_ik log y_ik - y_ik z_ik - y_ik + e**z_ik]`` (half the Poisson deviance),
    and ``dL/dz = (e**z - y) / n``.

Each output activation is the loss's *canonical link*, which is why every gradient is
"prediction minus target". All take ``z`` of shape (n, k) and return ``(loss, grad)``;
``out=z`` overwrites ``z`` with the gradient (the training loop does, to avoid an allocation).
``n`` is the number of rows, so the gradient is that of the *mean* loss over the batch. With
``sample_weight`` the mean becomes a weighted mean: ``L = sum_i w_i l_i / sum_i w_i`` and row
``i`` of the gradient is scaled by ``w_i / sum_i w_i`` (scikit-learn's definition). L2
regularisation lives in the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuralab.nn.activations import exp, identity, logistic, softmax

__all__ = ["LOSSES", "Loss", "binary_cross_entropy", "cross_entropy", "poisson",
           "squared_error"]


def _row_scale(n: int, sample_weight: np.ndarray | None, dtype: np.dtype) -> tuple[Any, float]:
    """The per-row factor of the gradient (``1/n`` or ``w_i / sum w``) and the normaliser."""
    if sample_weight is None:
        return 1.0 / n, float(n)
    total = float(np.sum(sample_weight, dtype=np.float64))
    return (np.asarray(sample_weight, dtype) / dtype.type(total)).reshape(-1, 1), total


def _mean(per_row: np.ndarray, sample_weight: np.ndarray | None, norm: float) -> float:
    if sample_weight is None:
        return float(np.sum(per_row, dtype=np.float64)) / norm
    return float(np.dot(per_row.astype(np.float64), np.asarray(sample_weight, np.float64))) / norm


def cross_entropy(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy of logits ``z`` against labels ``y`` and its gradient w.r.t. ``z``.

    ``y`` is either integer class labels of shape (n,) or target probabilities (for example
    one-hot rows) of shape (n, k). The loss uses ``log softmax(z) = z - max - log(sum(exp))``,
    which stays finite however confident the network is. (Row reductions are ~10x faster on
    a Fortran-ordered ``z``; the network lays its output out that way.)
    """
    if sample_weight is not None:
        return _weighted_cross_entropy(z, y, out, sample_weight)
    n = z.shape[0]
    # (ufunc.reduce directly: the np.max/np.sum wrappers cost more than the work here)
    out = np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=out)  # shifted
    if y.ndim == 1:
        rows = np.arange(n)
        picked = float(out[rows, y].sum(dtype=np.float64))  # sum of the true classes' logits
    else:
        picked = float(np.vdot(out, y))
    np.exp(out, out=out)
    sums = np.add.reduce(out, axis=1, keepdims=True)
    loss = (float(np.add.reduce(np.log(sums), axis=None, dtype=np.float64)) - picked) / n
    sums *= n
    out /= sums  # softmax(z) / n
    if y.ndim == 1:
        out[rows, y] -= 1.0 / n
    else:
        y_n = y * (1.0 / n)
        out -= y_n
    return loss, out


def _weighted_cross_entropy(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None, sample_weight: np.ndarray
) -> tuple[float, np.ndarray]:
    """:func:`cross_entropy` with a weight per row (the plain version is the fast path)."""
    n, k = z.shape
    scale, norm = _row_scale(n, sample_weight, z.dtype)
    out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    log_sums = np.log(np.exp(out).sum(axis=1))
    onehot = np.zeros((n, k), z.dtype)
    if y.ndim == 1:
        onehot[np.arange(n), y] = 1
    else:
        onehot[...] = y
    per_row = log_sums - (out * onehot).sum(axis=1)
    loss = _mean(per_row, sample_weight, norm)
    softmax(out, out=out)
    out -= onehot
    out *= scale
    return loss, out


def squared_error(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Half the squared error ``0.5 * ||z - y||**2`` averaged over rows, and its gradient."""
    n = z.shape[0]
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    out = np.subtract(z, y, out=out)
    if sample_weight is None:
        loss = 0.5 * float(np.vdot(out, out)) / n
        out *= 1.0 / n
        return loss, out
    scale, norm = _row_scale(n, sample_weight, z.dtype)
    loss = 0.5 * _mean(np.einsum("ij,ij->i", out, out), sample_weight, norm)
    out *= scale
    return loss, out


def binary_cross_entropy(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Cross-entropy of independent logistic outputs ``sigmoid(z)`` against 0/1 targets ``y``.

    ``-[y log p + (1 - y) log(1 - p)]`` with ``p = sigmoid(z)`` is ``log(1 + e**z) - y z``,
    computed as ``max(z, 0) + log1p(e**-|z|) - y z`` so that it never overflows.
    """
    n = z.shape[0]
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    scale, norm = _row_scale(n, sample_weight, z.dtype)
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    loss = _mean((softplus - y * z).sum(axis=1), sample_weight, norm)
    out = logistic(z, out=out)
    out -= y
    out *= scale
    return loss, out


def poisson(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """Half the Poisson deviance of predictions ``e**z`` for counts ``y >= 0``, and its gradient.

    The term ``y log y`` (0 where ``y = 0``) makes a perfect prediction cost 0, as in
    scikit-learn's reported loss; it does not change the gradient.
    """
    n = z.shape[0]
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    scale, norm = _row_scale(n, sample_weight, z.dtype)
    y_log_y = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0)
    constant = y_log_y - y - y * z  # before z is overwritten (out may be z)
    out = exp(z, out=out)
    loss = _mean((constant + out).sum(axis=1), sample_weight, norm)
    out -= y
    out *= scale
    return loss, out


@dataclass(frozen=True)
class Loss:
    """A loss, the output activation it belongs with, and ``(z, y, out) -> (loss, dL/dz)``."""

    name: str
    output: str
    output_fn: Callable[..., np.ndarray]
    value_and_grad: Callable[..., tuple[float, np.ndarray]]


LOSSES: dict[str, Loss] = {
    "cross_entropy": Loss("cross_entropy", "softmax", softmax, cross_entropy),
    "squared_error": Loss("squared_error", "identity", identity, squared_error),
    "binary_cross_entropy": Loss("binary_cross_entropy", "logistic", logistic,
                                 binary_cross_entropy),
    "poisson": Loss("poisson", "exp", exp, poisson),
}
