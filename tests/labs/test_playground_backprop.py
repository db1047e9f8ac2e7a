"""One update, slowly: the trace of one point's update is the engine's own update, its
gradients agree with finite differences, and it changes the network only when applied."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from neuralab.labs.playground import Playground
from neuralab.params import ParamError

KINDS = {  # the session's four outputs: tanh, sigmoid, softmax, linear
    "tanh": {"dataset": "circle", "loss": "square"},
    "sigmoid": {"dataset": "xor", "loss": "cross_entropy"},
    "softmax": {"dataset": "blobs", "loss": "cross_entropy"},
    "linear": {"problem": "regression", "dataset": "multi_gaussian", "loss": "square"},
}
REGS = [("none", 0.0), ("l1", 0.01), ("l2", 0.03)]


def make(kind: str, activation: str, reg: str = "none", reg_rate: float = 0.0,
         epochs: int = 3, **more) -> Playground:
    run = Playground(**KINDS[kind], layers="3,2", activation=activation, seed=5,
                     regularization=reg, regularization_rate=reg_rate, noise=10, **more)
    run.step(epochs)  # weights that are no longer the starting ones (L1: some dead)
    return run


def arrays(run: Playground) -> list[np.ndarray]:
    return [a.copy() for layer in run.net.layers for a in (layer.weights, layer.biases)]


@pytest.mark.parametrize(("reg", "reg_rate"), REGS)
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_trace_is_the_engines_update_on_that_point(kind, activation, reg, reg_rate):
    run = make(kind, activation, reg, reg_rate)
    before = arrays(run)
    point = 7
    t = run.trace(point)
    assert all(np.array_equal(a, b) for a, b in zip(arrays(run), before, strict=True))
    engine = copy.deepcopy(run.net)
    assert engine._count == 0  # no part-batch waiting: the next update is this point's alone
    engine.accumulate(run.X_train[point:point + 1], run.y_train[point:point + 1])
    engine.update(run.settings["learning_rate"], reg, reg_rate)
    for layer, step in zip(engine.layers, t["layers"], strict=True):
        np.testing.assert_array_equal(layer.weights, step["new_weights"])
        np.testing.assert_array_equal(layer.biases, step["new_biases"])
        np.testing.assert_array_equal(layer.dead, step["dead"])
        np.testing.assert_allclose(np.array(step["new_weights"]) - step["weights"],
                                   step["weight_changes"], atol=1e-15)
    # the forward values are the network's own
    np.testing.assert_allclose(t["output"], run.net.forward(run.X_train[point:point + 1])[-1][0],
                               rtol=1e-12)
    assert t["loss"] == pytest.approx(
        float(run.net.losses(run.X_train[point:point + 1], run.y_train[point:point + 1])[0]))
    assert t["batch_size"] == 1 and t["training_batch_size"] == run.settings["batch_size"]
    json.dumps(t)  # JSON-ready


def _numeric(run: Playground, point: int, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    x, y = run.X_train[point:point + 1], run.y_train[point:point + 1]
    out = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + eps
        up = run.net.losses(x, y)[0]
        array[idx] = old - eps
        down = run.net.losses(x, y)[0]
        array[idx] = old
        out[idx] = (up - down) / (2 * eps)
    return out


@pytest.mark.parametrize(("reg", "reg_rate"), REGS)
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_gradient_matches_finite_differences(kind, activation, reg, reg_rate):
    run = make(kind, activation, reg, reg_rate)
    point = 3
    t = run.trace(point)
    for layer, step in zip(run.net.layers, t["layers"], strict=True):
        # dL/dw = a_in * delta and dL/db = delta (the bias's gradient is the neuron's delta)
        np.testing.assert_allclose(step["weight_grads"], _numeric(run, point, layer.weights),
                                   rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(step["bias_grads"], _numeric(run, point, layer.biases),
                                   rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(step["delta"], step["bias_grads"])
        # the regularization's pull: rate * reg_rate * R'(w), R = |w| or w^2 / 2
        w = layer.weights
        eps = 1e-7
        penalty = {"none": lambda v: 0 * v, "l1": np.abs, "l2": lambda v: v * v / 2}[reg]
        slope = (penalty(w + eps) - penalty(w - eps)) / (2 * eps)
        alive = np.abs(w) > 1e-6  # |w| has no slope at a dead (zero) weight
        np.testing.assert_allclose(
            np.array(step["regularization"])[alive],
            (run.settings["learning_rate"] * reg_rate * slope)[alive], rtol=1e-6, atol=1e-12)
    # dL/da: at the output against the loss, inside from the layer above
    out = np.array(t["output"])
    y = run.y_train[point:point + 1]
    for j in range(len(out)):
        bump = np.zeros_like(out)
        bump[j] = 1e-6
        up = run.net._losses((out + bump)[None, :], y)[0]
        down = run.net._losses((out - bump)[None, :], y)[0]
        assert t["layers"][-1]["grad_a"][j] == pytest.approx((up - down) / 2e-6, rel=1e-5,
                                                              abs=1e-8)
    for below, above, layer in zip(t["layers"][:-1], t["layers"][1:],
                                   run.net.layers[1:], strict=True):
        np.testing.assert_allclose(below["grad_a"], layer.weights @ np.array(above["delta"]),
                                   rtol=1e-12, atol=1e-15)


def test_apply_makes_the_update_and_keeps_the_epoch():
    run = make("tanh", "tanh")
    t = run.trace(11)
    assert run.apply(11) == t
    assert run.epoch == 3
    for layer, step in zip(run.net.layers, t["layers"], strict=True):
        np.testing.assert_array_equal(layer.weights, step["new_weights"])
        np.testing.assert_array_equal(layer.biases, step["new_biases"])
    assert run.trace(11)["loss"] < t["loss"]  # one small step downhill on that point


def test_l1_kills_a_weight_it_carries_across_zero():
    run = Playground(layers="2", seed=3, learning_rate=1, regularization="l1",
                     regularization_rate=1)
    t = run.trace(0)
    killed = [np.array(s["killed"]) for s in t["layers"]]
    assert any(k.any() for k in killed)
    run.apply(0)
    for layer, k in zip(run.net.layers, killed, strict=True):
        assert np.all(layer.weights[k] == 0) and np.all(layer.dead[k])
    # a dead weight stays dead: no gradient moves it, the next trace keeps it at zero
    again = run.trace(1)
    for step, k in zip(again["layers"], killed, strict=True):
        assert np.all(np.array(step["new_weights"])[k] == 0)


def test_the_trace_names_the_point_target_and_output_kinds():
    run = make("softmax", "tanh", epochs=0)
    t = run.trace(0)
    assert t["output_kind"] == "softmax" and t["loss_kind"] == "cross_entropy"
    assert sum(t["target"]) == 1 and t["target"][int(t["label"])] == 1
    assert t["xy"] == run.train_points.xy[0].tolist() and t["features"] == t["xy"]
    assert make("sigmoid", "tanh", epochs=0).trace(0)["target"][0] in (0.0, 1.0)
    assert make("tanh", "tanh", epochs=0).trace(0)["target"][0] in (-1.0, 1.0)


@pytest.mark.parametrize("bad", [-1, 250, 1.5, True, "3", None])
def test_a_bad_point_names_the_parameter_and_its_range(bad):
    run = Playground(layers="2", seed=1)  # 250 training points
    with pytest.raises(ParamError, match="point must be a training point from 0 to 249") as e:
        run.trace(bad)
    assert e.value.param == "point"
    with pytest.raises(ParamError):
        run.apply(bad)


def test_a_diverged_network_traces_to_json_without_nan():
    run = Playground(problem="regression", dataset="plane", layers="4,4", activation="linear",
                     seed=2, learning_rate=10)
    run.step(5)
    assert not np.isfinite(run.net.layers[0].weights).all()
    t = run.trace(0)
    text = json.dumps(t, allow_nan=False)  # NaN and infinities are None
    assert "null" in text


OPTIMIZERS = ["sgd", "momentum", "adam"]
OTHER = {"sgd": "adam", "momentum": "sgd", "adam": "momentum"}


def optimizer_state(net) -> tuple[str, int, list[np.ndarray]]:
    return net.optimizer, net._t, [a.copy() for layer in net._moments for a in layer]


@pytest.mark.parametrize("switched", [False, True], ids=["kept", "switched"])
@pytest.mark.parametrize(("reg", "reg_rate"), REGS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_trace_and_apply_are_a_real_update_with_the_runs_optimizer(kind, optimizer, reg,
                                                                   reg_rate, switched):
    # trained with the optimizer (or another one, then switched in place: its state starts
    # afresh at the next update); batches of 7 leave a part-batch waiting after each epoch
    run = make(kind, "tanh", reg, reg_rate, batch_size=7,
               optimizer=OTHER[optimizer] if switched else optimizer)
    if switched:
        run.set(optimizer=optimizer)
    net = run.net
    assert net._count > 0  # gradients of a part-batch wait: they must stay untouched
    waiting = ([g.copy() for pair in net._grads for g in pair], net._count)
    before = (arrays(run), optimizer_state(net))
    rate = run.settings["learning_rate"]
    point = 5
    # the real update of a batch of one, on a copy with nothing waiting
    engine = copy.deepcopy(net)
    for pair in engine._grads:
        for g in pair:
            g.fill(0.0)
    engine._count = 0
    engine.accumulate(run.X_train[point:point + 1], run.y_train[point:point + 1])
    engine.update(rate, reg, reg_rate, optimizer)

    t = run.trace(point)
    json.dumps(t, allow_nan=False)
    after = (arrays(run), optimizer_state(net))  # the trace touches nothing
    assert all(np.array_equal(a, b) for a, b in zip(after[0], before[0], strict=True))
    assert after[1][:2] == before[1][:2]
    assert all(np.array_equal(a, b) for a, b in zip(after[1][2], before[1][2], strict=True))
    assert t["optimizer"] == optimizer
    assert t["optimizer_fresh"] == (switched and optimizer != "sgd")
    for layer, step in zip(engine.layers, t["layers"], strict=True):
        np.testing.assert_array_equal(layer.weights, step["new_weights"])
        np.testing.assert_array_equal(layer.biases, step["new_biases"])
        np.testing.assert_array_equal(layer.dead, step["dead"])
    # the arithmetic shown is the optimizer's formula, written out here
    c = t["constants"]
    n = t["t"] + 1
    for step in t["layers"]:
        for part, g_key, s_key in (("weights", "weight_grads", "weight_steps"),
                                   ("biases", "bias_grads", "bias_steps")):
            g = np.array(step[g_key])
            if part == "weights":
                g[np.array(step["dead"]) & ~np.array(step["killed"])] = 0.0
            shown = {k: np.array(v) for k, v in step["state"][part].items()}
            moved = np.array(step[s_key])
            if optimizer == "sgd":
                assert shown == {}
                want = rate * g
            elif optimizer == "momentum":
                assert shown["new_velocity"] == pytest.approx(
                    c["momentum"] * shown["velocity"] + g, rel=1e-12, abs=1e-15)
                want = rate * shown["new_velocity"]
            else:
                m = c["beta1"] * shown["m"] + (1 - c["beta1"]) * g
                s = c["beta2"] * shown["s"] + (1 - c["beta2"]) * g ** 2
                np.testing.assert_allclose(shown["new_m"], m, rtol=1e-12, atol=1e-300)
                np.testing.assert_allclose(shown["new_s"], s, rtol=1e-12, atol=1e-300)
                np.testing.assert_allclose(shown["m_hat"], m / (1 - c["beta1"] ** n),
                                           rtol=1e-12, atol=1e-300)
                np.testing.assert_allclose(shown["s_hat"], s / (1 - c["beta2"] ** n),
                                           rtol=1e-12, atol=1e-300)
                want = rate * shown["m_hat"] / (np.sqrt(shown["s_hat"]) + c["epsilon"])
            if part == "weights":
                want[np.array(step["dead"]) & ~np.array(step["killed"])] = 0.0
            np.testing.assert_allclose(moved, want, rtol=1e-12, atol=1e-300)
            if optimizer != "sgd" and switched:  # fresh state: zero velocity, zero moments
                assert not any(shown[k].any() for k in ("velocity", "m", "s") if k in shown)
        if reg == "none":
            np.testing.assert_allclose(step["weight_changes"], -np.array(step["weight_steps"]),
                                       atol=1e-15)
        np.testing.assert_allclose(step["bias_changes"], -np.array(step["bias_steps"]),
                                   atol=1e-15)
    assert t["t"] == (0 if switched or optimizer != "adam" else before[1][1])

    # apply: the network and its optimizer state as the real update left the copy's
    assert run.apply(point) == t
    assert run.epoch == 3
    for layer, real in zip(net.layers, engine.layers, strict=True):
        np.testing.assert_array_equal(layer.weights, real.weights)
        np.testing.assert_array_equal(layer.biases, real.biases)
        np.testing.assert_array_equal(layer.dead, real.dead)
        assert layer.any_dead == real.any_dead
    mine, real = optimizer_state(net), optimizer_state(engine)
    assert mine[:2] == real[:2] and len(mine[2]) == len(real[2])
    for a, b in zip(mine[2], real[2], strict=True):
        np.testing.assert_array_equal(a, b)
    if optimizer == "adam":
        assert net._t == t["t"] + 1
    # the part-batch still waits, untouched
    assert net._count == waiting[1]
    for a, b in zip([g for pair in net._grads for g in pair], waiting[0], strict=True):
        np.testing.assert_array_equal(a, b)
