"""Activation functions, each beside its derivative, in a name-keyed registry.

Every activation ``f`` is stored with two functions:

``forward(z, out=None)``
    ``f(z)`` elementwise. ``out=z`` computes it in place (the training loop does).
``backward(a, delta)``
    Multiplies ``delta`` **in place** by ``f'(z)``, where ``a = f(z)`` is the layer's *output*.
    Backpropagation keeps every layer's output anyway, and for all four functions the
    derivative is cheapest written in terms of the output:

    ========  ================  ===========================
    name      f(z)              f'(z), from a = f(z)
    ========  ================  ===========================
    relu      max(z, 0)         1 where a > 0, else 0
    tanh      tanh(z)           1 - a**2
    sigmoid   1 / (1 + e**-z)   a * (1 - a)
    identity  z                 1
    ========  ================  ===========================

:func:`derivative` gives ``f'(z)`` as a new array, for reading and for tests.
Softmax, logistic and exp on the output layer are paired with the loss whose gradient they
simplify (see :mod:`neuralab.nn.losses`), so they need no ``backward`` there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["ACTIVATIONS", "OUTPUT_ACTIVATIONS", "Activation", "derivative", "exp", "logistic",
           "softmax"]


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(z, 0)."""
    return np.maximum(z, 0, out=out)


def relu_backward(a: np.ndarray, delta: np.ndarray) -> None:
    """delta *= 1[a > 0] (relu's output is positive exactly where its input was)."""
    np.multiply(delta, a > 0, out=delta)  # a bool mask: ten times faster than where=a <= 0


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(z)."""
    return np.tanh(z, out=out)


def tanh_backward(a: np.ndarray, delta: np.ndarray) -> None:
    """delta *= 1 - a**2."""
    delta -= delta * (a * a)  # delta * (1 - a^2) without forming the ones


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-z)), computed as (1 + tanh(z / 2)) / 2, which never overflows."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def sigmoid_backward(a: np.ndarray, delta: np.ndarray) -> None:
    """delta *= a * (1 - a)."""
    delta *= a
    delta -= delta * a  # (delta * a) * (1 - a)


def identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """z itself."""
    if out is None:
        return z.copy()
    if out is not z:
        np.copyto(out, z)
    return out


def identity_backward(a: np.ndarray, delta: np.ndarray) -> None:
    """delta *= 1: nothing to do."""


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """exp(z) / sum(exp(z)) along each row (shifted by the row maximum, so it cannot overflow)."""
    out = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


logistic = sigmoid  # scikit-learn's name, used for the logistic output layer


def exp(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """e**z: the output of a Poisson regression (a positive mean count)."""
    return np.exp(z, out=out)


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative (see the module docstring)."""

    name: str
    forward: Callable[..., np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], None]
    init_factor: float  # Glorot uniform bound: sqrt(init_factor / (fan_in + fan_out))

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self.forward(z, out=out)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", relu, relu_backward, 6.0),
    "tanh": Activation("tanh", tanh, tanh_backward, 6.0),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_backward, 2.0),
    "identity": Activation("identity", identity, identity_backward, 6.0),
}


OUTPUT_ACTIVATIONS: dict[str, Callable[..., np.ndarray]] = {
    "softmax": softmax,  # with cross-entropy
    "identity": identity,  # with squared error
    "logistic": logistic,  # with binary cross-entropy, one yes/no per output
    "exp": exp,  # with the Poisson deviance
}
"""Output-layer activations; each is paired with a loss in :mod:`neuralab.nn.losses`."""


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    """f'(z) for activation ``name``, as a new array (computed through its output)."""
    act = ACTIVATIONS[name]
    a = act.forward(np.asarray(z))
    grad = np.ones_like(a)
    act.backward(a, grad)
    return grad
