"""Playground sessions: regenerate, own points, weight edits, points for the page, divergence."""

import numpy as np
import pytest

from neuralab.labs.playground import Playground
from neuralab.labs.playground.data import parse_csv
from neuralab.params import ParamError


def test_regenerate_draws_new_points_and_keeps_the_network():
    pg = Playground(seed=1)
    pg.step(3)
    weights = [layer.weights.copy() for layer in pg.net.layers]
    before = pg.points.xy.copy()
    pg.regenerate(2)
    assert pg.settings["seed"] == 2 and pg.epoch == 3
    assert not np.allclose(before, pg.points.xy)
    assert all(np.array_equal(w, layer.weights) for w, layer in zip(weights, pg.net.layers,
                                                                   strict=True))


def test_own_points_train_from_epoch_zero():
    pg = Playground(seed=1)
    pg.step(2)
    pg.use_points(parse_csv(b"x1,x2,label\n1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n", "classification"))
    assert pg.epoch == 0 and len(pg.points) == 4 and len(pg.train_points) == 2
    pg.step(1)
    assert pg.frame(20, 10)["epoch"] == 1


def test_three_classes_need_cross_entropy():
    pg = Playground(seed=1)
    with pytest.raises(ParamError) as err:
        pg.use_points(parse_csv(b"1,1,0\n2,2,1\n3,3,2\n", "classification"))
    assert err.value.param == "loss"


def test_edit_sets_a_weight_or_a_bias_and_refuses_bad_values():
    pg = Playground(seed=1)
    pg.edit(1, 2, 0, 1.5)
    pg.edit(2, 1, None, -0.25)
    assert pg.net.layers[0].weights[0, 2] == 1.5
    assert pg.net.layers[1].biases[1] == -0.25
    for args, param in (((1, 0, 0, float("nan")), "value"), ((1, 0, 0, 1e9), "value"),
                        ((9, 0, 0, 1.0), "layer"), ((1, 4, 0, 1.0), "neuron"),
                        ((1, 0, 2, 1.0), "source")):
        with pytest.raises(ParamError) as err:
            pg.edit(*args)
        assert err.value.param == param


def test_points_for_the_page_are_flat_triples():
    pg = Playground(seed=3, ratio=30)
    data = pg.points_for_page()
    assert len(data["train"]) == 3 * 150 and len(data["test"]) == 3 * 350
    assert set(data["train"][2::3]) <= {-1.0, 1.0}


def test_a_diverging_network_is_marked_and_its_frame_is_json_safe():
    import json

    pg = Playground(seed=1, learning_rate=10, problem="regression", dataset="plane")
    for _ in range(50):
        pg.step(1)
        frame = pg.frame(20, 10)
        if frame["diverged"]:
            break
    assert frame["diverged"] and frame["train_loss"] is None
    json.dumps(frame, allow_nan=False)
    assert not Playground(seed=1).frame(20, 10)["diverged"]
