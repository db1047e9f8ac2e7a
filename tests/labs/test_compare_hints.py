"""Each hint beside the lesson's three questions agrees with what the sliders show.

The hints name settings; these tests run exactly those settings (seed 0, as the page starts)
and check what each hint says about them.
"""

from __future__ import annotations

import pytest

from neuralab.labs.compare import QUESTIONS, ModelCache, compare_models


@pytest.fixture(scope="module")
def accuracy():
    cache = ModelCache()

    def run(**settings) -> dict[str, float]:
        result = compare_models(**settings, cache=cache)
        return {name: model.accuracy for name, model in result.models.items()}

    return run


def test_every_question_names_the_settings_its_hint_speaks_of():
    assert len(QUESTIONS) == 3
    for q in QUESTIONS:
        assert q["question"].endswith("?") and q["settings"]
        for settings in q["settings"]:
            for name, value in settings.items():
                label = {"mlp_width": "Width", "mlp_depth": "Depth",
                         "train_size": "Dataset Size", "tree_depth": "depth"}[name]
                assert label in q["hint"], (name, q["hint"])
                if name != "tree_depth":
                    assert str(value) in q["hint"] or f"{value:,}" in q["hint"], value


def test_wide_and_shallow_beats_deep_and_narrow(accuracy):
    wide = accuracy(mlp_width=64, mlp_depth=1)["mlp"]
    deep = accuracy(mlp_width=8, mlp_depth=8)["mlp"]
    assert wide > 0.90  # "passes 90%"
    assert deep < wide - 0.15  # "stays far below"
    seeds = [compare_models(mlp_width=8, mlp_depth=8, seed=s).models["mlp"].accuracy
             for s in range(1, 5)]
    assert max(seeds + [deep]) - min(seeds + [deep]) > 0.1  # "changes a lot with the seed"


def test_more_data_helps_the_linear_model_and_the_mlp_less_and_less(accuracy):
    runs = {n: accuracy(train_size=n) for n in (100, 1000, 5000)}
    for model in ("logistic_regression", "mlp"):
        a, b, c = (runs[n][model] for n in (100, 1000, 5000))
        assert a < b < c  # "improve at every step"
        assert c - b < b - a  # "but less and less"


def test_a_depth_5_tree_stalls_and_depth_makes_the_data_pay_off(accuracy):
    at_1000 = accuracy(train_size=1000)["decision_tree"]
    at_5000 = accuracy(train_size=5000)["decision_tree"]
    deeper = accuracy(train_size=5000, tree_depth=10)["decision_tree"]
    assert at_5000 - at_1000 < 0.04  # "hardly moves past 1,000 images"
    assert deeper > at_5000 + 0.05  # "give it more depth"


@pytest.mark.parametrize("n", [100, 200])
def test_with_few_images_the_tree_falls_behind_and_the_others_stay_close(accuracy, n):
    acc = accuracy(train_size=n)
    linear, mlp, tree = acc["logistic_regression"], acc["mlp"], acc["decision_tree"]
    assert min(linear, mlp) - tree > 0.2  # "falls far behind"
    assert abs(linear - mlp) < 0.05  # "within a few points of each other"
