"""One neuron (by hand and learned) and the 2-2-1 network for XOR."""

import numpy as np
import pytest

from neuralab.labs.neuron import (
    XOR_BY_GATES,
    evaluate,
    learn,
    linearly_separable,
    relu,
    sigmoid,
    step,
)
from neuralab.params import ParamError


def test_relu():
    assert relu(-1.5) == 0.0
    assert relu(0.0) == 0.0
    assert relu(0.7) == 0.7


@pytest.mark.parametrize(("target", "w1", "w2", "bias"), [
    ("AND", 1.0, 1.0, -1.0),
    ("AND", 0.5, 0.5, -0.5),
    ("OR", 1.0, 1.0, 0.0),
    ("OR", 2.0, 2.0, -1.0),
])
def test_solutions_are_recognised(target, w1, w2, bias):
    result = evaluate(target, w1, w2, bias)
    assert result.solved
    assert result.to_dict()["correct_count"] == 4


def test_defaults_do_not_solve_and():
    result = evaluate()
    assert not result.solved
    d = result.to_dict()
    assert d["correct_count"] == 3  # all off: only (1, 1) is wrong
    assert [r["expected"] for r in d["table"]] == [False, False, False, True]


def test_or_weights_do_not_solve_and():
    assert not evaluate("AND", 1.0, 1.0, 0.0).solved


def test_current_row_follows_inputs():
    r = evaluate("AND", 1.0, -0.5, 0.2, x1=True, x2=True)
    assert r.current.weighted_sum == pytest.approx(0.7)
    assert r.current.activation == pytest.approx(0.7)
    assert r.current.actual and r.current.expected
    off = evaluate("AND", 1.0, -0.5, 0.2, x1=False, x2=True)
    assert off.current.activation == 0.0 and not off.current.actual


def test_float_noise_does_not_light_the_neuron():
    # 0.1 + 0.2 - 0.3 is not exactly 0 in floating point; the neuron must stay OFF.
    r = evaluate("AND", 0.1, 0.2, -0.3, x1=True, x2=True)
    assert r.current.activation == 0.0


@pytest.mark.parametrize("bad", [{"w1": 2.5}, {"bias": -3}, {"target": "XNOR"}, {"x1": "maybe"}])
def test_out_of_range_is_rejected(bad):
    with pytest.raises(ParamError) as info:
        evaluate(**bad)
    assert info.value.param == next(iter(bad))


# --- more gates, activations, learning and the hidden layer ----------------------------------


def test_step_and_sigmoid():
    assert step(0.0) == 0.0 and step(1e-9) == 1.0 and step(-3) == 0.0
    assert sigmoid(0.0) == 0.5
    assert sigmoid(-800.0) == pytest.approx(0.0) and sigmoid(800.0) == pytest.approx(1.0)


@pytest.mark.parametrize(("target", "expected"), [
    ("AND", [False, False, False, True]), ("OR", [False, True, True, True]),
    ("NAND", [True, True, True, False]), ("NOR", [True, False, False, False]),
    ("XOR", [False, True, True, False]),
])
def test_truth_tables(target, expected):
    assert [r.expected for r in evaluate(target).table] == expected


@pytest.mark.parametrize("activation", ["relu", "step", "sigmoid"])
def test_every_activation_is_on_exactly_when_the_sum_is_positive(activation):
    r = evaluate("AND", 1.0, 1.0, -1.5, activation=activation)
    assert r.solved
    assert [row.actual for row in r.table] == [row.weighted_sum > 0 for row in r.table]
    if activation == "sigmoid":
        assert r.table[0].activation == pytest.approx(sigmoid(-1.5))


@pytest.mark.parametrize("target", ["AND", "OR", "NAND", "NOR"])
@pytest.mark.parametrize("activation", ["relu", "step", "sigmoid"])
def test_learn_solves_the_separable_gates_from_the_default_weights(target, activation):
    r = learn(target, activation)
    assert r.solved and r.separable
    assert r.frames[0]["weights"] == {"w1": 0.0, "w2": 0.0, "bias": 0.0}
    final = r.frames[-1]["weights"]
    assert evaluate(target, **final, activation=activation).solved  # on the sliders' grid
    assert all(-2 <= w <= 2 and round(w * 10) == pytest.approx(w * 10) for w in final.values())
    assert r.rule == ("perceptron" if activation == "step" else "gradient descent")
    assert [f["step"] for f in r.frames] == list(range(len(r.frames)))


def test_gradient_descent_lowers_the_loss():
    losses = [f["loss"] for f in learn("OR", "sigmoid").frames]
    assert losses[0] == pytest.approx(0.693147, abs=1e-5)  # ln 2: every output 0.5
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:], strict=False))


def test_perceptron_rule_first_step_by_hand():
    # From zero weights on OR (rate 0.5): (0,0) is right; (0,1) is wrong: w2 += 0.5, b += 0.5;
    # then (1,0) has sum 0.5 > 0: right; (1,1) right.
    r = learn("OR", "step", learn_rate=0.5)
    assert r.frames[1]["weights"] == {"w1": 0.0, "w2": 0.5, "bias": 0.5}
    assert r.loss_name == "pairs wrong" and r.frames[0]["loss"] == 3


@pytest.mark.parametrize("activation", ["relu", "step", "sigmoid"])
@pytest.mark.parametrize("start", [(0.0, 0.0, 0.0), (1.0, -1.0, 0.5), (-2.0, 2.0, -1.0)])
def test_one_neuron_never_solves_xor(activation, start):
    r = learn("XOR", activation, *start, learn_steps=500)
    assert not r.solved and not r.separable and not linearly_separable("XOR")
    assert max(f["correct"] for f in r.frames) <= 3
    assert r.steps_taken == 500


def test_the_hidden_layer_composes_xor_from_gates():
    r = evaluate("XOR", activation="step", hidden=True, **XOR_BY_GATES)
    assert r.solved
    hidden_1 = [row.hidden[0][1] for row in r.table]  # OR
    hidden_2 = [row.hidden[1][1] for row in r.table]  # NAND
    assert hidden_1 == [0, 1, 1, 1] and hidden_2 == [1, 1, 1, 0]
    d = r.to_dict()
    assert d["hidden"] is True and d["network"]["h2_bias"] == 1.5
    assert len(d["current"]["hidden"]) == 2


def test_xor_by_hand_with_relu():
    r = evaluate("XOR", hidden=True, h1_w1=1, h1_w2=-1, h2_w1=-1, h2_w2=1, out_w1=1, out_w2=1)
    assert r.solved
    assert not evaluate("XOR", 1, 1, -0.5).solved  # one neuron: OR, wrong on (1, 1)


@pytest.mark.parametrize(("activation", "seed"), [("relu", 0), ("sigmoid", 0), ("step", 0)])
def test_the_network_learns_xor_from_a_fixed_seed(activation, seed):
    r = learn("XOR", activation, hidden=True, seed=seed)
    assert r.solved and r.rule == "gradient descent"
    assert evaluate("XOR", activation=activation, hidden=True, **r.frames[-1]["weights"]).solved
    assert r.frames[-1]["loss"] < r.frames[0]["loss"]


def test_seeds_are_reproducible_and_matter():
    a = learn("XOR", "sigmoid", hidden=True, seed=3)
    assert a == learn("XOR", "sigmoid", hidden=True, seed=3)
    assert a.frames[0] != learn("XOR", "sigmoid", hidden=True, seed=4).frames[0]


@pytest.mark.parametrize("bad", [{"activation": "tanh"}, {"learn_rate": 0}, {"seed": -1},
                                 {"h1_w1": 4.5}, {"target": "XNOR"}])
def test_learn_rejects_bad_values(bad):
    with pytest.raises(ParamError) as info:
        learn(**bad)
    assert info.value.param == next(iter(bad))


def test_the_network_on_region_matches_the_truth_table():
    r = evaluate("XOR", activation="step", hidden=True, **XOR_BY_GATES).to_dict()
    region = r["region"]
    assert len(region) == 33 and all(len(row) == 33 for row in region)
    # the grid runs from -0.3 to 1.3 in steps of 0.05: the corners 0 and 1 are cells 6 and 26
    for row in r["table"]:
        assert region[26 if row["x2"] else 6][26 if row["x1"] else 6] == (
            "1" if row["actual"] else "0")
    assert "region" not in evaluate("XOR", 1, 1, 0).to_dict()  # one neuron: a half-plane


@pytest.mark.parametrize("activation", ["relu", "step", "sigmoid"])
def test_learnings_quick_check_agrees_with_evaluate(activation):
    from neuralab.labs.neuron import NETWORK, _solves

    rng = np.random.default_rng(7)
    for target in ("AND", "XOR", "NOR"):
        for _ in range(200):
            w = dict(zip(NETWORK, (rng.integers(-40, 41, 9) / 10).tolist(), strict=True))
            single = {"w1": w["h1_w1"] / 2, "w2": w["h1_w2"] / 2, "bias": w["h1_bias"] / 2}
            v = {"target": target, "activation": activation}
            assert _solves(v, w, True) == evaluate(target, activation=activation, hidden=True,
                                                   **w).to_dict()["correct_count"]
            assert _solves(v, single, False) == evaluate(target, **single,
                                                         activation=activation).to_dict()[
                "correct_count"]
