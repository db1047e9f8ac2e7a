"""The playground's network: gradients by finite differences, TensorFlow Playground's update
rules (batches across epochs, L1 and L2), learning XOR and the spiral, and the frames."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from neuralab.labs.playground import Playground
from neuralab.labs.playground.model import PlaygroundNet
from neuralab.params import ParamError

CASES = [  # output, loss, outputs, labels
    ("tanh", "square", 1, "pm1"),
    ("linear", "square", 1, "real"),
    ("sigmoid", "cross_entropy", 1, "pm1"),
    ("softmax", "cross_entropy", 3, "class"),
]


def labels(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "pm1":
        return rng.choice([-1.0, 1.0], n)
    if kind == "real":
        return rng.uniform(-1, 1, n)
    return rng.integers(0, 3, n)


@pytest.mark.parametrize(("output", "loss", "outputs", "kind"), CASES)
@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid", "linear"])
def test_gradients_match_finite_differences(output, loss, outputs, kind, hidden):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 3)), labels(kind, 7, rng)
    net = PlaygroundNet([3, 4, 5, outputs], [hidden, "tanh"], output, loss, seed=2)
    if hidden == "relu":  # keep away from the kink
        for layer in net.layers:
            layer.biases += 0.05
    net.accumulate(X, y)
    for layer, (gw, gb) in zip(net.layers, net._grads, strict=True):
        for array, grad in ((layer.weights, gw), (layer.biases, gb)):
            numeric = np.zeros_like(array)
            for idx in np.ndindex(array.shape):
                old = array[idx]
                array[idx] = old + 1e-6
                up = net.losses(X, y).sum()
                array[idx] = old - 1e-6
                down = net.losses(X, y).sum()
                array[idx] = old
                numeric[idx] = (up - down) / 2e-6
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_weights_start_as_the_playgrounds():
    net = PlaygroundNet([2, 8, 8, 1], ["tanh", "tanh"], "tanh", "square", seed=0)
    for layer in net.layers:
        assert np.all(layer.biases == 0.1)
        assert layer.weights.min() >= -0.5 and layer.weights.max() < 0.5


def test_an_update_is_the_mean_gradient_then_l2():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(4, 2)), rng.choice([-1.0, 1.0], 4)
    net = PlaygroundNet([2, 3, 1], ["tanh"], "tanh", "square", seed=0)
    before = [(layer.weights.copy(), layer.biases.copy()) for layer in net.layers]
    net.accumulate(X, y)
    grads = [(gw.copy(), gb.copy()) for gw, gb in net._grads]
    net.update(0.1, "l2", 0.5)
    for layer, (w, b), (gw, gb) in zip(net.layers, before, grads, strict=True):
        np.testing.assert_allclose(layer.biases, b - 0.1 * gb / 4)  # biases: no penalty
        np.testing.assert_allclose(layer.weights, w - 0.1 * gw / 4 - 0.1 * 0.5 * w)
        assert not np.any(net._grads[0][0])  # the sums start again


def test_l1_takes_a_weight_to_zero_when_it_would_cross_and_keeps_it_there():
    net = PlaygroundNet([1, 1], [], "linear", "square", seed=0)
    net.layers[0].weights[:] = 0.01
    net.accumulate(np.array([[0.0]]), np.array([0.1]))  # no gradient on the weight
    net.update(1.0, "l1", 0.05)  # 0.01 - 0.05 would cross zero
    assert net.layers[0].weights[0, 0] == 0 and net.layers[0].dead[0, 0]
    net.accumulate(np.array([[1.0]]), np.array([5.0]))  # a big gradient...
    net.update(1.0, "l1", 0.05)
    assert net.layers[0].weights[0, 0] == 0  # ...cannot bring a dead weight back
    net2 = PlaygroundNet([1, 1], [], "linear", "square", seed=0)
    net2.layers[0].weights[:] = 0.5
    net2.accumulate(np.array([[0.0]]), np.array([0.1]))
    net2.update(1.0, "l1", 0.05)
    assert net2.layers[0].weights[0, 0] == pytest.approx(0.45)


def test_a_part_batch_joins_the_next_epochs_first_update():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(25, 2)), rng.choice([-1.0, 1.0], 25)
    # the numpy epoch, whose update() calls can be counted (test_playground_epoch.py holds
    # the C epoch to it)
    net = PlaygroundNet([2, 3, 1], ["tanh"], "tanh", "square", seed=0, compiled=False)
    counts = []
    real = net.update
    net.update = lambda *a: (counts.append(net._count), real(*a))  # type: ignore[method-assign]
    net.epoch(X, y, 10, 0.03, "none", 0)
    net.epoch(X, y, 10, 0.03, "none", 0)
    assert counts == [10, 10, 15, 10]  # points 21-25 wait for the next epoch's first update


def test_xor_with_two_hidden_neurons_and_with_the_product_feature():
    """2-2-1 on the quadrants: two tanh neurons draw two lines, so the best they can do is a
    band along a diagonal (documented: seed 1, 1,000 epochs, test loss 0.16, 88% right).
    The X1X2 feature alone, with no hidden layer, gets it all."""
    pg = Playground(dataset="xor", layers="2", activation="tanh", seed=1)
    pg.step(1000)
    losses = pg.losses()
    assert losses["test_loss"] < 0.2 and losses["test_accuracy"] > 0.85
    product = Playground(dataset="xor", layers="", x1=False, x2=False, x1_x2=True, seed=1)
    product.step(100)
    assert product.losses()["test_accuracy"] > 0.98


def test_the_spiral_with_six_layers_of_eight():
    """Setting c of the anchor (playground-anchor.md): after 1,000 epochs TensorFlow
    Playground's median over ten seeds is 0.030 (training) and 0.118 (test); one seed gave
    0.169 and 0.234. From seed 0 ours reaches the documented figures below."""
    pg = Playground(dataset="spiral", layers="8,8,8,8,8,8", activation="tanh", seed=0)
    pg.step(1000)
    losses = pg.losses()
    assert losses["train_loss"] < 0.05 and losses["test_loss"] < 0.25


def test_frames_hold_every_neurons_grid():
    pg = Playground(layers="4,2", seed=0)
    pg.step(2)
    frame = pg.frame(size=100, thumb=25)
    assert frame["epoch"] == 2 and frame["size"] == 100 and frame["thumb"] == 25
    assert [len(layer) for layer in frame["neurons"]] == [4, 2]
    thumb = np.frombuffer(base64.b64decode(frame["neurons"][0][0]), np.int8)
    assert thumb.size == 25 * 25
    out = np.frombuffer(base64.b64decode(frame["output"]["values"]), np.int8)
    assert out.size == 100 * 100 and out.min() >= -127 and out.max() <= 127
    assert {"train_loss", "test_loss", "train_accuracy", "test_accuracy"} <= set(frame)
    # the output grid agrees with predicting the grid's points one by one
    top_left = pg.net.predict(np.array([[-6.0, 6.0]]))[0]
    assert out[0] == round(np.clip(top_left, -1, 1) * 127)


def test_many_classes_and_regression():
    pg = Playground(dataset="three_spirals", loss="cross_entropy", layers="8,8", seed=0)
    pg.step(5)
    frame = pg.frame()
    assert "classes" in frame["output"] and pg.net.layers[-1].weights.shape[1] == 3
    reg = Playground(problem="regression", dataset="plane", layers="3", seed=0)
    reg.step(20)
    assert "train_accuracy" not in reg.losses() and reg.losses()["train_loss"] < 0.05


def test_the_rate_changes_without_a_reset():
    pg = Playground(seed=0)
    pg.step(3)
    weights = pg.net.layers[0].weights.copy()
    pg.set(learning_rate=0.3, regularization="l2", regularization_rate=0.01)
    assert pg.epoch == 3 and np.array_equal(pg.net.layers[0].weights, weights)
    pg.step()
    assert pg.settings["learning_rate"] == 0.3 and pg.epoch == 4
    with pytest.raises(ParamError) as info:
        pg.set(layers="8")
    assert info.value.param == "layers"


def test_same_settings_and_seed_same_run():
    a, b = Playground(dataset="spiral", seed=4), Playground(dataset="spiral", seed=4)
    a.step(20)
    b.step(20)
    assert a.losses() == b.losses()


@pytest.mark.parametrize(("settings", "param"), [
    ({"layers": "4,40"}, "layers"),
    ({"layers": "1,1,1,1,1,1,1,1,1"}, "layers"),
    ({"layers": "4;2"}, "layers"),
    ({"activations": "relu"}, "activations"),
    ({"activations": "relu,swish"}, "activations"),
    ({"x1": False, "x2": False}, "features"),
    ({"problem": "regression"}, "dataset"),
    ({"dataset": "plane"}, "dataset"),
    ({"problem": "regression", "dataset": "plane", "loss": "cross_entropy"}, "loss"),
    ({"dataset": "blobs"}, "loss"),
    ({"noise": 55}, "noise"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"batch_size": 31}, "batch_size"),
    ({"colour": "red"}, "colour"),
])
def test_bad_settings_name_the_parameter(settings, param):
    with pytest.raises(ParamError) as info:
        Playground(**settings)
    assert info.value.param == param
