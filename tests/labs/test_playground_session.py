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


def test_a_point_added_by_hand_trains_from_epoch_0_and_is_in_the_download():
    run = Playground(dataset="circle", seed=2)
    run.step(3)
    n_train, n_test = len(run.train_points), len(run.test_points)
    run.add_point(1.5, -2.25, -1)
    assert run.epoch == 0
    assert len(run.train_points) == n_train + 1 and len(run.test_points) == n_test
    assert run.train_points.xy[-1].tolist() == [1.5, -2.25]
    assert "1.5,-2.25,-1" in run.points.to_csv()
    assert len(run.X_train) == n_train + 1
    run.step(1)


def test_a_point_is_removed_by_clicking_near_it():
    run = Playground(dataset="blobs", loss="cross_entropy", seed=2)
    x1, x2 = run.test_points.xy[0]
    label = run.test_points.labels[0]
    total = len(run.points)
    run.remove_point(float(x1) + 0.01, float(x2))
    assert len(run.points) == total - 1 and len(run.test_points) == total - 1 - len(
        run.train_points)
    assert not ((run.points.xy == (x1, x2)).all(axis=1) & (run.points.labels == label)).any()
    with pytest.raises(ParamError, match="x1"):
        run.remove_point(100.0, 100.0)


@pytest.mark.parametrize(("settings", "bad", "param"), [
    ({"dataset": "circle"}, (7.0, 0.0, 1), "x1"),
    ({"dataset": "circle"}, (0.0, float("nan"), 1), "x2"),
    ({"dataset": "circle"}, (0.0, 0.0, 0), "label"),  # two classes are -1 and 1
    ({"dataset": "blobs", "loss": "cross_entropy"}, (0.0, 0.0, 7), "label"),
    ({"dataset": "blobs", "loss": "cross_entropy"}, (0.0, 0.0, True), "label"),
    ({"problem": "regression", "dataset": "plane"}, (0.0, 0.0, 2.5), "label"),
])
def test_a_point_out_of_range_is_refused_by_name(settings, bad, param):
    run = Playground(seed=1, **settings)
    total = len(run.points)
    with pytest.raises(ParamError, match=param):
        run.add_point(*bad)
    assert len(run.points) == total


def test_a_regression_value_and_a_third_class_can_be_added():
    reg = Playground(problem="regression", dataset="plane", seed=1)
    reg.add_point(0.0, 1.0, 0.75)
    assert reg.train_points.labels[-1] == 0.75
    blobs = Playground(dataset="blobs", loss="cross_entropy", seed=1)
    blobs.add_point(0.0, 1.0, 2)
    assert blobs.train_points.labels.dtype == np.int64 and blobs.train_points.labels[-1] == 2


@pytest.mark.parametrize("settings", [{"dataset": "xor"},
                                      {"dataset": "blobs", "loss": "cross_entropy"}])
def test_the_confusion_matrix_counts_every_point(settings):
    run = Playground(seed=4, **settings)
    run.step(10)
    frame = run.frame()
    k = max(2, run.classes)
    for part, points in (("train", run.train_points), ("test", run.test_points)):
        matrix = np.array(frame[f"{part}_confusion"])
        assert matrix.shape == (k, k) and matrix.sum() == len(points)
        assert np.trace(matrix) / matrix.sum() == pytest.approx(frame[f"{part}_accuracy"])
        truth = (points.labels > 0).astype(int) if k == 2 else points.labels.astype(int)
        assert matrix.sum(axis=1).tolist() == np.bincount(truth, minlength=k).tolist()
    assert "train_confusion" not in Playground(problem="regression", dataset="plane").frame()
