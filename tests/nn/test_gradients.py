"""Finite-difference checks of every gradient, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.nn import ACTIVATIONS, LOSSES, Network, derivative


def _numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``f()`` with respect to array ``x``."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def _problem(output: str, n: int = 7, n_in: int = 4, n_out: int = 3):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, n_in))
    y = rng.integers(0, n_out, n) if output == "softmax" else rng.normal(size=(n, n_out))
    return X, y


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", ["softmax", "identity"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_backprop_matches_finite_differences(activation, output, alpha):
    X, y = _problem(output)
    net = Network((4, 5, 6, 3), activation=activation, output=output, seed=3, dtype=np.float64)
    loss, grad_w, grad_b = net.loss_and_gradients(X, y, alpha=alpha)

    def f() -> float:
        return net.loss_and_gradients(X, y, alpha=alpha)[0]

    assert loss == pytest.approx(f())
    for mine, param in zip(grad_w + grad_b, net.weights + net.biases, strict=True):
        np.testing.assert_allclose(mine, _numeric_gradient(f, param), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradients_match_finite_differences(name):
    loss_fn = LOSSES[name].value_and_grad
    rng = np.random.default_rng(2)
    z = rng.normal(size=(5, 4)) * 3
    y = rng.integers(0, 4, 5) if name == "cross_entropy" else rng.normal(size=(5, 4))
    _, grad = loss_fn(z.copy(), y)
    numeric = _numeric_gradient(lambda: loss_fn(z.copy(), y)[0], z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_cross_entropy_accepts_one_hot_and_matches_labels():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 3))
    y = rng.integers(0, 3, 6)
    ce = LOSSES["cross_entropy"].value_and_grad
    loss_a, grad_a = ce(z.copy(), y)
    loss_b, grad_b = ce(z.copy(), np.eye(3)[y])
    assert loss_a == pytest.approx(loss_b)
    np.testing.assert_allclose(grad_a, grad_b)
    # and it stays finite for absurdly confident logits
    loss, grad = ce(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.isfinite(grad).all()


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives(name):
    z = np.linspace(-3, 3, 25) + 0.01  # avoid relu's kink at exactly 0
    f = ACTIVATIONS[name].forward
    numeric = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(derivative(name, z), numeric, rtol=1e-6, atol=1e-8)


def test_sigmoid_is_the_logistic_function_and_does_not_overflow():
    z = np.array([-1000.0, -2.0, 0.0, 2.0, 1000.0])
    with np.errstate(all="raise"):
        out = ACTIVATIONS["sigmoid"].forward(z)
    np.testing.assert_allclose(out, [0.0, 1 / (1 + np.exp(2)), 0.5, 1 / (1 + np.exp(-2)), 1.0])
