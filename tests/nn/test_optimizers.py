"""Optimizer steps against hand computation and against PyTorch."""

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


@pytest.mark.parametrize("kind", ["adam", "sgd", "nesterov"])
def test_matches_torch(kind):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    ours = [a.copy() for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    lr = 0.01
    if kind == "adam":
        opt = Adam(ours, learning_rate=lr)
        topt = torch.optim.Adam(theirs, lr=lr)
    else:
        nesterov = kind == "nesterov"
        opt = SGD(ours, learning_rate=lr, momentum=0.9, nesterov=nesterov)
        topt = torch.optim.SGD(theirs, lr=lr, momentum=0.9, nesterov=nesterov)
    for _ in range(20):
        grads = [rng.normal(size=a.shape) for a in start]
        opt.step(grads)
        for t, g in zip(theirs, grads, strict=True):
            t.grad = torch.tensor(g)
        topt.step()
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_network_training_step_matches_torch():
    """One full forward/backward/Adam step of a relu net agrees with PyTorch's autograd."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(16, 6)), rng.integers(0, 3, 16)
    net = Network((6, 8, 5, 3), seed=0, dtype=np.float64)
    params = [torch.tensor(a.copy(), requires_grad=True) for a in net.weights + net.biases]
    topt = torch.optim.Adam(params, lr=0.01)
    opt = net.make_optimizer("adam", 0.01)
    alpha = 0.5
    for _ in range(3):
        loss = net.step(X, y, opt, alpha=alpha)
        topt.zero_grad()
        ws, bs = params[:3], params[3:]
        a = torch.tensor(X)
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            a = a @ w + b
            if i < 2:
                a = torch.relu(a)
        tloss = torch.nn.functional.cross_entropy(a, torch.tensor(y))
        tloss = tloss + alpha / (2 * len(X)) * sum((w * w).sum() for w in ws)
        tloss.backward()
        topt.step()
        assert loss == pytest.approx(tloss.item(), rel=1e-12)
    for a, t in zip(net.weights + net.biases, params, strict=True):
        np.testing.assert_allclose(a, t.detach().numpy(), rtol=1e-9, atol=1e-12)
