"""The lesson's comparison: slices, results, reproducibility, events, cancellation, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from neuralab import compare_models
from neuralab.data import load_mnist
from neuralab.labs import compare
from neuralab.params import ParamError

SMALL = dict(mlp_width=16, mlp_depth=1, tree_depth=4, train_size=300, val_size=500, seed=0)


@pytest.fixture
def cache():
    return compare.ModelCache()


def test_the_lessons_slices_and_result_shape():
    r = compare_models(**SMALL)
    d = r.to_dict()
    assert d["params"] == SMALL
    assert set(d["models"]) == {"logistic_regression", "decision_tree", "mlp"}
    for model in d["models"].values():
        assert 0.0 < model["accuracy"] <= 1.0 and 0.0 < model["seconds"] < 60
    assert np.array_equal(r.val_labels, load_mnist().labels[-500:])
    curve = d["models"]["mlp"]["curve"]
    assert len(curve) == d["models"]["mlp"]["epochs"] >= 5
    assert {"epoch", "loss", "val_accuracy"} <= set(curve[0])
    assert curve[-1]["loss"] < curve[0]["loss"]
    json.dumps(d)  # JSON-ready
    for name, m in r.models.items():
        assert m.predictions.shape == (500,)
        assert r.confusion_matrix(name).sum() == 500
        assert np.trace(r.confusion_matrix(name)) == round(m.accuracy * 500)


def test_models_learn_at_the_lessons_defaults():
    d = compare_models().to_dict()["models"]
    assert d["logistic_regression"]["accuracy"] > 0.89
    assert d["decision_tree"]["accuracy"] > 0.65
    assert d["mlp"]["accuracy"] > 0.89


def test_same_settings_and_seed_give_the_same_numbers():
    a = compare_models(**SMALL).to_dict()
    b = compare_models(**SMALL).to_dict()
    for d in (a, b):
        for m in d["models"].values():
            m.pop("seconds")
            m.pop("cached")
            for point in m.get("curve", []):
                point.pop("seconds")
    assert a == b
    c = compare_models(**{**SMALL, "seed": 1}).to_dict()
    assert c["models"]["mlp"]["curve"] != a["models"]["mlp"]["curve"]


def test_tree_cut_from_the_deep_tree_is_a_tree_of_that_depth():
    m = load_mnist()
    X, y = m.features(slice(0, 300)), m.labels[:300]
    deep = DecisionTreeClassifier(max_depth=20, random_state=0).fit(X, y)
    for depth in (1, 3, 20):
        leaves = compare.cut_tree_leaves(deep.tree_, X, depth)
        assert deep.tree_.node_count > leaves.max()
        # every row stops at a leaf or at a node exactly `depth` levels down
        node_depth = _depths(deep.tree_)
        assert np.all((node_depth[leaves] == depth) | (deep.tree_.children_left[leaves] == -1))
    # cut at the full depth, it is the fitted tree itself
    np.testing.assert_array_equal(compare.cut_tree_leaves(deep.tree_, X, 20), deep.apply(X))
    # depth 1 splits on the same feature as a stump fitted directly
    stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    assert stump.tree_.feature[0] == deep.tree_.feature[0]


@pytest.mark.parametrize(("train_size", "tree_depth"), [(1000, 5), (1000, 12), (2000, 8)])
def test_tree_accuracy_is_the_lessons(train_size, tree_depth):
    # the lesson's DecisionTreeClassifier(max_depth=...) has no random_state: its accuracy
    # is the mean over a few
    m = load_mnist()
    X, y = m.features(slice(0, train_size)), m.labels[:train_size]
    X_val, y_val = m.features(slice(-2000, None)), m.labels[-2000:]
    lesson = np.mean([DecisionTreeClassifier(max_depth=tree_depth, random_state=s).fit(X, y)
                      .score(X_val, y_val) for s in range(5)])
    ours = compare_models(train_size=train_size, tree_depth=tree_depth, mlp_width=4,
                          mlp_depth=1).models["decision_tree"]
    assert ours.accuracy == pytest.approx(lesson, abs=0.01)


def test_neuralab_compare_never_imports_scikit_learn():
    code = ("import runpy, sys\n"
            "sys.argv = ['neuralab', 'compare', '--train-size', '200']\n"
            "try:\n    runpy.run_module('neuralab', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print([m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "decision tree" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def _depths(tree) -> np.ndarray:
    depth = np.zeros(tree.node_count, dtype=int)
    for node in range(tree.node_count):
        for child in (tree.children_left[node], tree.children_right[node]):
            if child != -1:
                depth[child] = depth[node] + 1
    return depth


def test_events_stream_epochs_then_each_model():
    events: list[dict] = []
    lock = threading.Lock()

    def on_event(e: dict) -> None:
        with lock:
            events.append(e)

    r = compare_models(**SMALL, on_event=on_event)
    epochs = [e for e in events if e["type"] == "epoch"]
    done = {e["model"]: e for e in events if e["type"] == "model"}
    assert [e["epoch"] for e in epochs] == list(range(1, len(epochs) + 1))
    assert set(done) == {"logistic_regression", "decision_tree", "mlp"}
    assert done["mlp"]["accuracy"] == r.models["mlp"].accuracy
    mlp_done = events.index(done["mlp"])
    assert all(events.index(e) < mlp_done for e in epochs)


def test_cached_models_are_reused_when_only_the_tree_moves(cache):
    first = compare_models(**SMALL, cache=cache)
    events: list[dict] = []
    second = compare_models(**{**SMALL, "tree_depth": 2}, on_event=events.append, cache=cache)
    assert second.models["mlp"].cached and second.models["logistic_regression"].cached
    assert second.models["mlp"].accuracy == first.models["mlp"].accuracy
    assert [e["epoch"] for e in events if e["type"] == "epoch"] == list(
        range(1, first.models["mlp"].details["epochs"] + 1))
    assert second.models["decision_tree"].details["depth"] == 2
    tree = second.models["decision_tree"]
    assert tree.cached and tree.seconds > 0


def test_the_deep_tree_grows_after_the_answer_and_serves_every_depth(cache):
    first = compare_models(**SMALL, cache=cache)
    assert first.models["decision_tree"].model.max_depth == SMALL["tree_depth"]
    for _ in range(600):  # the depth-20 tree grows in the background
        kept = cache.models.get(("tree", SMALL["train_size"]))
        if kept[0].max_depth == compare.TREE_GROWN_DEPTH:
            break
        time.sleep(0.01)
    for depth in (1, 7, 20):
        warm = compare_models(**{**SMALL, "tree_depth": depth}, cache=cache)
        cold = compare_models(**{**SMALL, "tree_depth": depth})
        assert warm.models["decision_tree"].cached
        assert warm.models["decision_tree"].model is kept[0]
        np.testing.assert_array_equal(warm.models["decision_tree"].predictions,
                                      cold.models["decision_tree"].predictions)
        assert (warm.models["decision_tree"].details["parameters"]
                == cold.models["decision_tree"].details["parameters"])


def test_cancel_stops_promptly(cache):
    cancel = threading.Event()
    seen: list[int] = []

    def on_event(e: dict) -> None:
        if e["type"] == "epoch":
            seen.append(e["epoch"])
            if e["epoch"] == 2:
                cancel.set()

    with pytest.raises(compare.Cancelled):
        compare_models(**SMALL, on_event=on_event, cancel=cancel, cache=cache)
    assert seen == [1, 2]
    # a cancelled run leaves nothing half-done in the cache
    assert compare_models(**SMALL, cache=cache).models["mlp"].cached is False


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"mlp_width": 0}, "mlp_width must be an integer from 1 to 1024"),
        ({"mlp_depth": 17}, "mlp_depth must be an integer from 1 to 16"),
        ({"tree_depth": 0}, "tree_depth must be an integer from 1 to 40"),
        ({"train_size": 68_001}, "train_size must be an integer from 10 to 68000"),
        ({"train_size": 65_000, "val_size": 10_000},
         "train_size must be an integer from 10 to 60000 when val_size is 10000"),
        ({"seed": -1}, "seed must be an integer"),
        ({"mlp_width": 100, "scope": "ui"}, "mlp_width must be an integer from 4 to 64"),
    ],
)
def test_out_of_range_settings_raise_value_errors(kwargs, needle):
    with pytest.raises(ParamError, match=needle) as info:
        compare_models(**kwargs)
    assert isinstance(info.value, ValueError)


def test_recipe_stays_within_its_budget():
    for n in (10, 100, 1000, 5000, 68_000):
        for depth in (1, 2, 8, 16):
            r = compare.mlp_recipe(n, depth)
            assert 5 <= r["epochs"] <= 60 and 32 <= r["batch_size"] <= 200
            assert 0 < r["learning_rate"] <= 0.01


def test_a_result_travels_by_pickle_without_its_memo():
    import pickle

    r = compare_models(**SMALL)
    r.memo("x", lambda: 1)
    back = pickle.loads(pickle.dumps(r))
    assert back.to_dict() == r.to_dict()
    assert back.memo("x", lambda: 2) == 2 and r.memo("x", lambda: 3) == 1
    assert np.array_equal(back.confusion_matrix("mlp"), r.confusion_matrix("mlp"))


def test_layouts_made_once_per_slice_give_the_same_models_as_made_per_fit(monkeypatch):
    """Small slices keep the models' input layouts (the logistic regression's design, the
    MLP's CSR rows); larger ones make them per fit. The models are the same either way."""
    compare._split.cache_clear()
    kept = compare._split(SMALL["train_size"], SMALL["val_size"])
    assert kept.prepared is not None
    first = compare_models(**SMALL)
    compare._split.cache_clear()
    monkeypatch.setattr(compare, "PREPARED_MAX", 0)
    assert compare._split(SMALL["train_size"], SMALL["val_size"]).prepared is None
    again = compare_models(**SMALL)
    compare._split.cache_clear()
    for name in compare.MODELS:
        np.testing.assert_array_equal(first.models[name].predictions,
                                      again.models[name].predictions)
        assert first.models[name].accuracy == again.models[name].accuracy
