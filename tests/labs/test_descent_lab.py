"""Gradient descent on the 1-D curves."""

import math

import pytest

from neuralab.labs.descent import CURVES, curve_points, descend
from neuralab.params import ParamError


@pytest.mark.parametrize("name", list(CURVES))
@pytest.mark.parametrize("x", [-3.7, -0.4, 0.0, 1.3, 4.2])
def test_gradient_matches_finite_difference(name, x):
    c = CURVES[name]
    h = 1e-6
    numeric = (c.loss(x + h) - c.loss(x - h)) / (2 * h)
    assert c.grad(x) == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_each_step_is_minus_rate_times_gradient():
    t = descend("valleys", start=2.0, learning_rate=0.05, steps=10)
    for k in range(10):
        assert t.x[k + 1] == pytest.approx(t.x[k] - 0.05 * t.grad[k], rel=1e-4, abs=1e-5)


def test_good_rate_converges_on_the_bowl():
    t = descend("bowl", start=3.5, learning_rate=0.1, steps=200)
    assert t.converged and not t.diverged
    assert abs(t.x[-1]) < 1e-3
    assert t.loss[-1] < t.loss[0]


def test_tiny_rate_is_slow():
    t = descend("bowl", start=3.5, learning_rate=0.01, steps=50)
    # x shrinks by (1 - 2 * 0.01) a step on x**2: 3.5 * 0.98**50 = 1.27, still far from 0
    assert 1.0 < t.x[-1] < 3.5 and not t.converged


def test_large_rate_diverges_and_stops_early():
    t = descend("bowl", start=3.5, learning_rate=1.2, steps=200)
    assert t.diverged
    assert t.steps_taken < 200
    assert all(math.isfinite(v) for v in t.x + t.loss + t.grad)
    assert [abs(x) for x in t.x[:10]] == sorted(abs(x) for x in t.x[:10])  # growing


def test_valleys_start_matters():
    right = descend("valleys", start=3.5, learning_rate=0.05, steps=200)
    left = descend("valleys", start=-0.5, learning_rate=0.05, steps=200)
    assert right.converged and left.converged
    assert right.x[-1] > 2.5 and left.x[-1] < 0  # two different valleys
    assert left.loss[-1] < right.loss[-1]


def test_same_inputs_same_path():
    assert descend("valleys", 1.0, 0.3, 40) == descend("valleys", 1.0, 0.3, 40)


def test_curve_points():
    pts = curve_points("bowl", n=11)
    assert pts["x"][0] == -5 and pts["x"][-1] == 5
    assert pts["loss"][5] == 0


@pytest.mark.parametrize("bad", [{"learning_rate": -1}, {"steps": 0}, {"curve": "cliff"},
                                 {"start": float("nan")}])
def test_bad_values(bad):
    with pytest.raises(ParamError):
        descend(**bad)
