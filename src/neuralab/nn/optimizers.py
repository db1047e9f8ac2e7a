"""Optimizers that update parameter arrays in place.

An optimizer is built on a list of parameter arrays and, at each :meth:`step`, reads a list of
gradients of the same shapes and changes the parameters in place. All arithmetic goes through
``out=`` into buffers allocated once, so a step allocates nothing: this is the training loop's
hot path. ``learning_rate`` is a plain attribute that may be changed between steps (the
training loop does, for schedules).

:class:`~neuralab.nn.network.Network` keeps all its weights and biases in one flat array, so
the training loop hands the optimizer a single array and each step is a handful of vector
operations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from neuralab.nn import kernels

__all__ = ["SGD", "Adam", "Optimizer", "make_optimizer"]


class Optimizer:
    """Base class: holds the parameters and the learning rate."""

    def __init__(self, params: Sequence[np.ndarray], learning_rate: float) -> None:
        self.params = list(params)
        self.learning_rate = float(learning_rate)
        self.t = 0  # steps taken
        self._tmp = [np.empty_like(p) for p in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        raise NotImplementedError  # abstract: SGD and Adam below define the update


class SGD(Optimizer):
    """Stochastic gradient descent with (optionally Nesterov) momentum, as scikit-learn's.

    ``v = momentum * v - lr * g``, then ``p += v``; with ``nesterov=True``,
    ``p += momentum * v - lr * g`` (using the new ``v``). ``momentum=0`` is plain SGD.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: float = 0.1,
        momentum: float = 0.9,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocities = [np.zeros_like(p) for p in self.params]

    def step(self, grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        lr, mu = self.learning_rate, self.momentum
        for p, g, v, tmp in zip(self.params, grads, self.velocities, self._tmp, strict=True):
            if mu == 0.0:
                np.multiply(g, lr, out=tmp)
                p -= tmp
                continue
            np.multiply(g, lr, out=tmp)  # lr * g
            v *= mu
            v -= tmp  # v = mu * v - lr * g
            if self.nesterov:  # p += mu * v - lr * g
                p -= tmp
                np.multiply(v, mu, out=tmp)
                p += tmp
            else:
                p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1; the same update as ``torch.optim.Adam``).

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, and
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with the bias-corrected
    ``m_hat = m / (1 - b1**t)``, ``v_hat = v / (1 - b2**t)``.

    With ``epsilon_hat=True`` ``eps`` is added to the *uncorrected* ``sqrt(v)`` instead, the
    "more efficient" ordering at the end of the paper's section 2 that scikit-learn uses:
    ``p -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + eps)``. The two differ only in
    how much ``eps`` weighs in the first steps.

    ``fused`` (default: when the fused loops are built and every parameter is C-contiguous
    float32) is decided once, here, for the optimizer's life.

    To save passes over the arrays, the stored moments are scaled: ``self.m`` holds
    ``m / (1 - b1)`` and ``self.v`` holds ``v / (1 - b2)``, so their updates are
    ``m = b1 m + g`` and ``v = b2 v + g**2``, and the constant factors move into two scalars.
    """

    def __init__(
        self,
        params: Sequence[np.ndarray],
        learning_rate: float = 1e-3,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        *,
        epsilon_hat: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, learning_rate)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.epsilon_hat = bool(epsilon_hat)
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.fused = kernels.fast(*self.params) if fused is None else bool(fused)
        if self.fused and not kernels.fast(*self.params):
            raise ValueError("fused=True needs the compiled loops and C-contiguous float32 "
                             "parameters")

    def step(self, grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # sqrt(v_hat) = k * sqrt(v_scaled) and m_hat = (1 - b1) / (1 - b1**t) * m_scaled, so
        # p -= lr * m_hat / (sqrt(v_hat) + eps) is p -= c * m_scaled / (sqrt(v_scaled) + eps / k)
        k = math.sqrt((1.0 - b2) / (1.0 - b2**self.t))
        c = self.learning_rate * (1.0 - b1) / (1.0 - b1**self.t) / k
        # epsilon_hat: sqrt(v) + eps = sqrt(1 - b2) * (sqrt(v_scaled) + eps / sqrt(1 - b2))
        eps = self.epsilon / (math.sqrt(1.0 - b2) if self.epsilon_hat else k)
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self._tmp, strict=True):
            if self.fused and kernels.fast(g):  # the same passes, fused into one
                kernels.compiled.adam(p, g, m, v, b1, b2, c, eps, p.size)
                continue
            m *= b1
            m += g
            v *= b2
            np.multiply(g, g, out=tmp)
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += eps
            np.divide(m, tmp, out=tmp)
            tmp *= c
            p -= tmp


def make_optimizer(
    solver: str, params: Sequence[np.ndarray], learning_rate: float, momentum: float = 0.9,
    nesterov: bool = False, *, fused: bool | None = None,
) -> Optimizer:
    """An optimizer by name: ``"adam"`` or ``"sgd"`` (``fused`` as in :class:`Adam`)."""
    if solver == "adam":
        return Adam(params, learning_rate, fused=fused)
    if solver == "sgd":
        return SGD(params, learning_rate, momentum=momentum, nesterov=nesterov)
    raise ValueError(f"solver must be one of adam, sgd (got {solver!r})")
