"""The single ReLU neuron."""

import pytest

from neuralab.labs.neuron import evaluate, relu
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


@pytest.mark.parametrize("bad", [{"w1": 2.5}, {"bias": -3}, {"target": "XOR"}, {"x1": "maybe"}])
def test_out_of_range_is_rejected(bad):
    with pytest.raises(ParamError) as info:
        evaluate(**bad)
    assert info.value.param == next(iter(bad))
