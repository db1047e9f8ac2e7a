"""Losses, each with its gradient with respect to the output layer's pre-activation ``z``.

A loss is paired with the output activation that makes its gradient simple:

``cross_entropy`` (softmax output)
    ``L = -mean_i log softmax(z_i)[y_i]``, and ``dL/dz = (softmax(z) - onehot(y)) / n``.
``squared_error`` (identity output)
    ``L = mean_i 0.5 * ||z_i - y_i||**2``, and ``dL/dz = (z - y) / n``.

Both take ``z`` of shape (n, k) and return ``(loss, grad)``; ``out=z`` overwrites ``z`` with the
gradient (the training loop does, to avoid an allocation). ``n`` is the number of rows, so the
gradient is that of the *mean* loss over the batch. L2 regularisation lives in the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neuralab.nn.activations import identity, softmax

__all__ = ["LOSSES", "Loss", "cross_entropy", "squared_error"]


def cross_entropy(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy of logits ``z`` against labels ``y`` and its gradient w.r.t. ``z``.

    ``y`` is either integer class labels of shape (n,) or target probabilities (for example
    one-hot rows) of shape (n, k). The loss uses ``log softmax(z) = z - max - log(sum(exp))``,
    which stays finite however confident the network is. (Row reductions are ~10x faster on
    a Fortran-ordered ``z``; the network lays its output out that way.)
    """
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


def squared_error(
    z: np.ndarray, y: np.ndarray, out: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Half the squared error ``0.5 * ||z - y||**2`` averaged over rows, and its gradient."""
    n = z.shape[0]
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    out = np.subtract(z, y, out=out)
    loss = 0.5 * float(np.vdot(out, out)) / n
    out *= 1.0 / n
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
}
