"""Optimizer steps against hand computation and PyTorch's documented updates."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.nn import SGD, Adam, Network, make_optimizer

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.25, 0.5, 1.0]), np.array([1.0, 1.0, -3.0])]


def test_plain_sgd():
    p = np.array([1.0, 2.0, 3.0])
    opt = SGD([p], learning_rate=0.1, momentum=0.0)
    opt.step([GRADS[0]])
    np.testing.assert_allclose(p, [0.95, 2.1, 2.8])


def test_sgd_momentum_by_hand():
    p = np.array([1.0, 2.0, 3.0])
    opt = SGD([p], learning_rate=0.1, momentum=0.9)
    opt.step([GRADS[0]])  # v = -0.1 g0
    v1 = -0.1 * GRADS[0]
    np.testing.assert_allclose(p, [1, 2, 3] + v1)
    opt.learning_rate = 0.05  # schedules change the rate between steps
    opt.step([GRADS[1]])
    v2 = 0.9 * v1 - 0.05 * GRADS[1]
    np.testing.assert_allclose(p, [1, 2, 3] + v1 + v2)


def test_sgd_nesterov_by_hand():
    p = np.array([1.0, 2.0, 3.0])
    opt = SGD([p], learning_rate=0.1, momentum=0.9, nesterov=True)
    expected, v = np.array([1.0, 2.0, 3.0]), np.zeros(3)
    for g in GRADS:
        opt.step([g])
        v = 0.9 * v - 0.1 * g
        expected = expected + 0.9 * v - 0.1 * g
    np.testing.assert_allclose(p, expected)


def test_adam_by_hand():
    p = np.array([1.0, 2.0, 3.0])
    opt = Adam([p], learning_rate=0.01)
    m, v, expected = np.zeros(3), np.zeros(3), p.copy()
    for t, g in enumerate(GRADS, start=1):
        opt.step([g])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        expected -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
        np.testing.assert_allclose(p, expected, rtol=1e-12)
    # the first Adam step moves every parameter by about the learning rate
    q = np.zeros(3)
    Adam([q], learning_rate=0.01).step([GRADS[2]])
    np.testing.assert_allclose(np.abs(q), 0.01, rtol=1e-6)


def test_steps_do_not_allocate_new_parameter_arrays():
    p = np.ones((4, 3), dtype=np.float32)
    before = p.__array_interface__["data"][0]
    for opt in (Adam([p]), SGD([p], nesterov=True)):
        opt.step([np.full((4, 3), 0.5, dtype=np.float32)])
    assert p.__array_interface__["data"][0] == before and p.dtype == np.float32


def test_make_optimizer_rejects_unknown():
    with pytest.raises(ValueError, match="solver"):
        make_optimizer("rmsprop", [np.zeros(2)], 0.1)


def torch_style_step(kind: str, p: np.ndarray, g: np.ndarray, state: dict, lr: float) -> None:
    """One step as ``torch.optim`` documents its algorithms (written here, not imported:
    the tests need no PyTorch). SGD keeps ``buf = mu * buf + g``; Adam as Kingma & Ba."""
    state["t"] = t = state.get("t", 0) + 1
    if kind == "adam":
        m = state["m"] = 0.9 * state.get("m", 0.0) + 0.1 * g
        v = state["v"] = 0.999 * state.get("v", 0.0) + 0.001 * g * g
        p -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        return
    buf = state["buf"] = g.copy() if t == 1 else 0.9 * state["buf"] + g
    p -= lr * (g + 0.9 * buf if kind == "nesterov" else buf)


@pytest.mark.parametrize("kind", ["adam", "sgd", "nesterov"])
def test_matches_pytorchs_documented_updates(kind):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    ours = [a.copy() for a in start]
    theirs = [a.copy() for a in start]
    states: list[dict] = [{}, {}]
    lr = 0.01
    if kind == "adam":
        opt = Adam(ours, learning_rate=lr)
    else:
        opt = SGD(ours, learning_rate=lr, momentum=0.9, nesterov=kind == "nesterov")
    for _ in range(20):
        grads = [rng.normal(size=a.shape) for a in start]
        opt.step(grads)
        for p, g, state in zip(theirs, grads, states, strict=True):
            torch_style_step(kind, p, g, state, lr)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def reference_loss_and_grads(ws, bs, X, y, alpha):
    """Softmax cross-entropy of a ReLU network plus ``alpha / (2n) * sum(w**2)``, and its
    gradients, by the chain rule written out (a reference independent of the engine)."""
    acts = [X]
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        z = acts[-1] @ w + b
        acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
    logits = acts[-1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    n = len(X)
    loss = -np.log(probs[np.arange(n), y]).mean() + alpha / (2 * n) * sum((w * w).sum()
                                                                          for w in ws)
    delta = probs.copy()
    delta[np.arange(n), y] -= 1
    delta /= n
    gws, gbs = [None] * len(ws), [None] * len(ws)
    for i in range(len(ws) - 1, -1, -1):
        gws[i] = acts[i].T @ delta + alpha / n * ws[i]
        gbs[i] = delta.sum(axis=0)
        if i:
            delta = (delta @ ws[i].T) * (acts[i] > 0)
    return loss, gws + gbs


def test_network_training_step_matches_a_written_out_reference():
    """Three forward/backward/Adam steps of a ReLU net agree with the reference above."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(16, 6)), rng.integers(0, 3, 16)
    net = Network((6, 8, 5, 3), seed=0, dtype=np.float64)
    params = [a.copy() for a in net.weights + net.biases]
    states: list[dict] = [{} for _ in params]
    opt = net.make_optimizer("adam", 0.01)
    alpha = 0.5
    for _ in range(3):
        loss = net.step(X, y, opt, alpha=alpha)
        ref_loss, grads = reference_loss_and_grads(params[:3], params[3:], X, y, alpha)
        for p, g, state in zip(params, grads, states, strict=True):
            torch_style_step("adam", p, g, state, 0.01)
        assert loss == pytest.approx(ref_loss, rel=1e-12)
    for a, b in zip(net.weights + net.biases, params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
