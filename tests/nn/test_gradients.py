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


def _targets(output: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    if output in ("softmax", "cross_entropy"):
        return rng.integers(0, k, n)
    if output in ("logistic", "binary_cross_entropy"):
        return rng.integers(0, 2, (n, k)).astype(float)
    if output in ("exp", "poisson"):
        return rng.poisson(1.5, (n, k)).astype(float)
    return rng.normal(size=(n, k))


def _problem(output: str, n: int = 7, n_in: int = 4, n_out: int = 3):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, n_in))
    return X, _targets(output, rng, n, n_out)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("output", ["softmax", "identity", "logistic", "exp"])
@pytest.mark.parametrize(("alpha", "weighted"), [(0.0, False), (0.3, False), (0.3, True)])
def test_backprop_matches_finite_differences(activation, output, alpha, weighted):
    X, y = _problem(output)
    weights = np.random.default_rng(4).uniform(0.1, 2, len(X)) if weighted else None
    net = Network((4, 5, 6, 3), activation=activation, output=output, seed=3, dtype=np.float64)
    loss, grad_w, grad_b = net.loss_and_gradients(X, y, alpha=alpha, sample_weight=weights)

    def f() -> float:
        return net.loss_and_gradients(X, y, alpha=alpha, sample_weight=weights)[0]

    assert loss == pytest.approx(f())
    for mine, param in zip(grad_w + grad_b, net.weights + net.biases, strict=True):
        np.testing.assert_allclose(mine, _numeric_gradient(f, param), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_gradients_match_finite_differences(name, weighted):
    loss_fn = LOSSES[name].value_and_grad
    rng = np.random.default_rng(2)
    z = rng.normal(size=(5, 4)) * (1 if name == "poisson" else 3)
    y = _targets(name, rng, 5, 4)
    w = rng.uniform(0, 2, 5) if weighted else None
    _, grad = loss_fn(z.copy(), y, sample_weight=w)
    numeric = _numeric_gradient(lambda: loss_fn(z.copy(), y, sample_weight=w)[0], z)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_sample_weights_are_repeated_rows(name):
    # an integer weight counts a row that many times (scikit-learn's meaning)
    loss_fn = LOSSES[name].value_and_grad
    rng = np.random.default_rng(5)
    z = rng.normal(size=(6, 3))
    y = _targets(name, rng, 6, 3)
    w = np.array([0, 1, 2, 1, 3, 1])
    loss, grad = loss_fn(z.copy(), y, sample_weight=w)
    rows = np.repeat(np.arange(6), w)
    loss_rep, grad_rep = loss_fn(z[rows].copy(), y[rows])
    assert loss == pytest.approx(loss_rep)
    summed = np.zeros_like(grad)
    np.add.at(summed, rows, grad_rep)
    np.testing.assert_allclose(grad, summed, atol=1e-12)


def test_the_new_losses_are_the_textbook_ones():
    z = np.array([[0.3, -1.2], [2.0, 0.1]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = 1 / (1 + np.exp(-z))
    bce = LOSSES["binary_cross_entropy"].value_and_grad(z.copy(), y)[0]
    assert bce == pytest.approx(-np.mean((y * np.log(p) + (1 - y) * np.log(1 - p)).sum(1)))
    counts = np.array([[2.0, 0.0], [1.0, 3.0]])
    mu = np.exp(z)
    dev = np.where(counts > 0, counts * np.log(np.where(counts > 0, counts, 1) / mu), 0)
    want = np.mean((dev - counts + mu).sum(1))
    assert LOSSES["poisson"].value_and_grad(z.copy(), counts)[0] == pytest.approx(want)
    big = LOSSES["binary_cross_entropy"].value_and_grad(np.array([[800.0]]), np.array([[0.0]]))
    assert big[0] == pytest.approx(800.0) and np.isfinite(big[1]).all()


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
