"""The playground's optimizers: each update rule against its formula written out here,
regularization and dead weights with them, switching in place, and who learns faster."""

from __future__ import annotations

import numpy as np
import pytest

from neuralab.labs.playground import Playground
from neuralab.labs.playground.model import PlaygroundNet
from neuralab.params import ParamError


def _net_and_batches(seed: int = 1):
    rng = np.random.default_rng(seed)
    net = PlaygroundNet([2, 3, 1], ["tanh"], "tanh", "square", seed=seed)
    batches = [(rng.normal(size=(4, 2)), rng.choice([-1.0, 1.0], 4)) for _ in range(3)]
    return net, batches


def _mean_gradients(net: PlaygroundNet, X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The batch's mean gradient of every weight and bias, from a copy of the net."""
    net.accumulate(X, y)
    grads = [g.copy() / len(X) for pair in net._grads for g in pair]
    for pair in net._grads:
        for g in pair:
            g.fill(0.0)
    net._count = 0
    return grads


def _params(net: PlaygroundNet) -> list[np.ndarray]:
    return [a for layer in net.layers for a in (layer.weights, layer.biases)]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_each_update_follows_its_formula(optimizer):
    net, batches = _net_and_batches()
    rate = 0.1
    expected = [p.copy() for p in _params(net)]
    velocity = [np.zeros_like(p) for p in expected]
    m = [np.zeros_like(p) for p in expected]
    s = [np.zeros_like(p) for p in expected]
    for t, (X, y) in enumerate(batches, start=1):
        grads = _mean_gradients(net, X, y)  # at the current weights, which equal `expected`
        for i, g in enumerate(grads):
            if optimizer == "sgd":
                expected[i] = expected[i] - rate * g
            elif optimizer == "momentum":
                velocity[i] = 0.9 * velocity[i] + g
                expected[i] = expected[i] - rate * velocity[i]
            else:
                m[i] = 0.9 * m[i] + 0.1 * g
                s[i] = 0.999 * s[i] + 0.001 * g ** 2
                m_hat, s_hat = m[i] / (1 - 0.9 ** t), s[i] / (1 - 0.999 ** t)
                expected[i] = expected[i] - rate * m_hat / (np.sqrt(s_hat) + 1e-8)
        net.accumulate(X, y)
        net.update(rate, "none", 0.0, optimizer)
        for got, want in zip(_params(net), expected, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_the_first_adam_step_is_the_rate_times_the_sign():
    net, [(X, y), *_] = _net_and_batches()
    before = [p.copy() for p in _params(net)]
    grads = _mean_gradients(net, X, y)
    net.accumulate(X, y)
    net.update(0.01, "none", 0.0, "adam")
    for b, a, g in zip(before, _params(net), grads, strict=True):
        moved = b - a
        big = np.abs(g) > 1e-6
        np.testing.assert_allclose(moved[big], 0.01 * np.sign(g[big]), rtol=1e-4)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_l2_and_l1_still_apply_after_the_optimizer_step(optimizer):
    for regularization in ("l2", "l1"):
        plain, batches = _net_and_batches()
        reg, _ = _net_and_batches()
        X, y = batches[0]
        for net, r in ((plain, "none"), (reg, regularization)):
            net.accumulate(X, y)
            net.update(0.1, r, 0.5, optimizer)
        start, _ = _net_and_batches()
        for p, q, w0 in zip(plain.layers, reg.layers, start.layers, strict=True):
            pull = w0.weights if regularization == "l2" else np.sign(w0.weights)
            want = p.weights - 0.1 * 0.5 * pull
            if regularization == "l1":  # crossing zero kills the weight
                want[p.weights * want < 0] = 0.0
            np.testing.assert_allclose(q.weights, want, atol=1e-12)
            np.testing.assert_allclose(q.biases, p.biases)  # biases are never regularized


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_dead_weight_stays_dead(optimizer):
    net, batches = _net_and_batches()
    net.layers[0].weights[0, 0] = 0.001
    for X, y in batches * 5:
        net.accumulate(X, y)
        net.update(0.1, "l1", 1.0, optimizer)
    assert net.layers[0].dead[0, 0]
    for X, y in batches * 5:
        net.accumulate(X, y)
        net.update(0.1, "none", 0.0, optimizer)
    assert net.layers[0].weights[0, 0] == 0.0


def test_default_sgd_is_unchanged_by_the_optimizer_parameter():
    a = Playground(dataset="spiral", seed=3)
    b = Playground(dataset="spiral", seed=3, optimizer="sgd")
    a.step(5)
    b.step(5)
    for la, lb in zip(a.net.layers, b.net.layers, strict=True):
        assert np.array_equal(la.weights, lb.weights)


def test_momentum_and_adam_learn_faster_than_sgd_at_a_small_rate():
    # A small rate: plain steps crawl; momentum builds up speed, Adam scales each step.
    losses = {}
    for optimizer in ("sgd", "momentum", "adam"):
        run = Playground(dataset="xor", layers="4", learning_rate=0.003, optimizer=optimizer,
                         seed=5)
        run.step(30)
        losses[optimizer] = run.losses()["train_loss"]
    assert losses["momentum"] < 0.8 * losses["sgd"]
    assert losses["adam"] < 0.8 * losses["sgd"]


def test_switching_in_place_keeps_the_weights_and_starts_fresh_state():
    run = Playground(dataset="circle", optimizer="momentum", seed=1)
    run.step(2)
    velocity = [v.copy() for v in run.net._moments[0]]
    assert any(np.abs(v).sum() > 0 for v in velocity)
    weights = run.net.layers[0].weights.copy()
    run.set(optimizer="adam")
    assert run.epoch == 2 and np.array_equal(run.net.layers[0].weights, weights)
    run.step(1)
    assert run.net.optimizer == "adam" and run.net._t == len(run.X_train) // 10
    run.set(learning_rate=0.1)  # a new rate keeps Adam's moments
    t = run.net._t
    run.step(1)
    assert run.net._t == t + len(run.X_train) // 10
    with pytest.raises(ParamError, match="optimizer"):
        run.set(optimizer="rmsprop")


def test_the_one_update_walk_through_shows_the_runs_optimizers_step():
    # Adam's first step from fresh state is the rate times the gradient's sign (not the
    # plain rate * gradient); momentum's first is rate * gradient, its second carries 0.9 of it
    run = Playground(dataset="circle", optimizer="adam", seed=2)
    trace = run.trace(0)
    assert trace["optimizer"] == "adam" and trace["t"] == 0 and trace["optimizer_fresh"]
    first = trace["layers"][0]
    g = np.array(first["weight_grads"])
    big = np.abs(g) > 1e-5  # (epsilon = 1e-8 is then under 0.1% of √ŝ = |g|)
    assert big.sum() > 2
    np.testing.assert_allclose(np.array(first["weight_changes"])[big],
                               -0.03 * np.sign(g[big]), rtol=1e-3)
    run.apply(0)
    assert run.net.optimizer == "adam" and run.net._t == 1
    assert run.trace(0)["t"] == 1 and not run.trace(0)["optimizer_fresh"]

    run = Playground(dataset="circle", optimizer="momentum", seed=2)
    one = run.apply(0)["layers"][0]
    np.testing.assert_allclose(one["weight_changes"], -0.03 * np.array(one["weight_grads"]),
                               rtol=1e-12, atol=1e-15)
    two = run.trace(0)["layers"][0]
    np.testing.assert_allclose(two["state"]["weights"]["velocity"], one["weight_grads"])
    np.testing.assert_allclose(
        two["weight_changes"],
        -0.03 * (0.9 * np.array(one["weight_grads"]) + np.array(two["weight_grads"])),
        rtol=1e-12, atol=1e-15)
