"""The bundled answers: the sweeps behind them, and every claim their texts make."""

from __future__ import annotations

import statistics

import pytest

from neuralab.labs.answers import BUNDLE, COMMANDS, FINDINGS, answers
from neuralab.labs.compare import mlp_recipe
from neuralab.labs.sweep import load_records


@pytest.fixture(scope="module")
def data():
    return answers()


def points(data, depth):
    return next(s for s in data["width_depth"]["series"] if s["depth"] == depth)["points"]


def test_the_bundle_is_what_the_commands_make():
    width_depth = load_records(BUNDLE / "width-depth.csv")
    assert {r["mlp_width"] for r in width_depth} == {4, 8, 16, 32, 64}
    assert {r["mlp_depth"] for r in width_depth} == {1, 2, 4, 8}
    assert {r["seed"] for r in width_depth} == {0, 1, 2}
    assert all(r["train_size"] == 1000 and not r["error"] for r in width_depth)
    curve = load_records(BUNDLE / "learning-curve.csv")
    sizes = {r["train_size"] for r in curve}
    assert sizes == {100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000}
    for command in COMMANDS:
        assert command.startswith("neuralab sweep ") and "--seeds 3" in command
    assert len(width_depth) == 5 * 4 * 3 * 3 and len(curve) == 9 * 3 * 3


def test_the_plots_data(data):
    series = data["width_depth"]["series"]
    assert [s["depth"] for s in series] == [1, 2, 4, 8]
    for s in series:
        assert [p["width"] for p in s["points"]] == [4, 8, 16, 32, 64]
        for p in s["points"]:
            assert p["parameters"] == mlp_recipe(1000, s["depth"], p["width"])["parameters"]
            assert p["low"] <= p["mean"] <= p["high"] and p["n"] == 3
    for block in ("learning_curves", "timing"):
        assert [s["model"] for s in data[block]["series"]] == [
            "logistic_regression", "decision_tree", "mlp"]
    assert data["seeds"] == [0, 1, 2] and data["findings"] == FINDINGS


def test_for_the_same_weights_shallow_beats_deep(data):
    shallow = points(data, 1) + points(data, 2)
    for depth in (4, 8):
        for p in points(data, depth):
            rivals = [q for q in shallow if q["parameters"] <= p["parameters"]]
            assert rivals and max(q["mean"] for q in rivals) > p["mean"], p


def test_thin_networks_vary_most_from_seed_to_seed(data):
    spread = {w: [p["high"] - p["low"] for d in (1, 2, 4, 8) for p in points(data, d)
                  if p["width"] == w] for w in (4, 8, 16, 32, 64)}
    thin = statistics.fmean(spread[4] + spread[8])
    wide = statistics.fmean(spread[32] + spread[64])
    assert thin > 3 * wide


def test_once_wide_depth_costs_little_and_does_not_help(data):
    wide = [next(p for p in points(data, d) if p["width"] == 64)["mean"] for d in (1, 2, 4, 8)]
    assert max(wide) - min(wide) < 0.03
    assert max(wide[2:]) <= max(wide[:2])


def curve(data, block, model):
    series = next(s for s in data[block]["series"] if s["model"] == model)
    return {p["train_size"]: p["mean"] for p in series["points"]}


def test_more_data_helps_the_linear_model_and_the_mlp_less_and_less(data):
    for model in ("logistic_regression", "mlp"):
        acc = curve(data, "learning_curves", model)
        sizes = sorted(acc)
        assert all(acc[a] < acc[b] for a, b in zip(sizes, sizes[1:], strict=False)), model
        assert acc[10000] - acc[1000] < (acc[1000] - acc[100]) / 2, model


def test_the_mlp_leads_from_a_thousand_images_and_its_lead_grows(data):
    mlp = curve(data, "learning_curves", "mlp")
    linear = curve(data, "learning_curves", "logistic_regression")
    tree = curve(data, "learning_curves", "decision_tree")
    for n in (1000, 2000, 5000, 10000, 20000, 60000):
        assert mlp[n] > max(linear[n], tree[n]), n
    assert mlp[60000] - linear[60000] > mlp[1000] - linear[1000]


def test_the_depth_5_tree_stops_improving_at_a_thousand_images(data):
    tree = curve(data, "learning_curves", "decision_tree")
    later = [tree[n] for n in tree if n > 1000]
    assert max(later) - tree[1000] < 0.05  # no real gain after 1,000 images
    assert min(later) < tree[1000]  # it wavers


def test_time_grows_with_the_data_fastest_for_the_tree_and_the_linear_model(data):
    grow = {m: curve(data, "timing", m)[60000] / curve(data, "timing", m)[1000]
            for m in ("logistic_regression", "decision_tree", "mlp")}
    assert grow["decision_tree"] > 10 and grow["logistic_regression"] > 10
    assert grow["mlp"] < min(grow["decision_tree"], grow["logistic_regression"]) / 2
