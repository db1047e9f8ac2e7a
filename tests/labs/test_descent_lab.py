"""Gradient descent on the 1-D curves and the 2-D surfaces."""

import math

import numpy as np
import pytest

from neuralab.labs.descent import (
    CURVES,
    LINE_BOX,
    RATES,
    SURFACES,
    curve_points,
    descend,
    get_surface,
    line_surface,
    rate_curve,
    surface_map,
)
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


# --- issue 9: divergence, oscillation, local and global minima on the curves -----------------


def test_rate_just_above_one_diverges_on_the_bowl():
    t = descend("bowl", start=3.5, learning_rate=1.01, steps=50)
    assert t.status == "diverged" and t.diverged and not t.converged
    assert t.x[-1] == pytest.approx(3.5 * 1.02 ** 50, rel=1e-4)  # 9.42: never escaped
    away = [abs(x) for x in t.x]
    assert all(b > a for a, b in zip(away, away[1:], strict=False))


def test_rate_one_oscillates_on_the_bowl():
    t = descend("bowl", start=3.5, learning_rate=1.0, steps=50)
    assert t.status == "oscillating" and not t.diverged and not t.converged
    assert set(t.x) == {3.5, -3.5}


def test_valleys_say_local_or_global():
    right = descend("valleys", start=3.5, learning_rate=0.05, steps=200)
    left = descend("valleys", start=-0.5, learning_rate=0.05, steps=200)
    assert right.status == left.status == "converged"
    assert right.minimum == "local" and left.minimum == "global"
    assert left.x[-1] == pytest.approx(right.global_minimum[0], abs=1e-3)


def test_the_valleys_global_minimum_is_the_lowest_point_drawn():
    pts = curve_points("valleys", n=20001)
    lowest = min(range(len(pts["x"])), key=pts["loss"].__getitem__)
    assert pts["minimum"][0] == pytest.approx(pts["x"][lowest], abs=1e-3)
    assert CURVES["valleys"].grad(CURVES["valleys"].minimum) == pytest.approx(0, abs=1e-5)


# --- 2-D surfaces -----------------------------------------------------------------------------

ALL_SURFACES = [*SURFACES, "line"]


@pytest.mark.parametrize("name", ALL_SURFACES)
def test_surface_gradient_matches_finite_differences(name):
    s = get_surface(name, "-0.9,0.3;-0.2,-0.4;0.5,0.8")
    rng = np.random.default_rng(1)
    x0, x1, y0, y1 = s.box
    h = 1e-6
    for x, y in zip(rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25), strict=True):
        gx, gy = s.grad(x, y, math)
        nx = (s.loss(x + h, y, math) - s.loss(x - h, y, math)) / (2 * h)
        ny = (s.loss(x, y + h, math) - s.loss(x, y - h, math)) / (2 * h)
        assert gx == pytest.approx(nx, rel=1e-5, abs=1e-5)
        assert gy == pytest.approx(ny, rel=1e-5, abs=1e-5)
        # numpy and math give the same numbers
        ax, ay = s.grad(np.array([x]), np.array([y]), np)
        assert (ax[0], ay[0]) == pytest.approx((gx, gy))
        if s.both:
            assert s.both(x, y, math) == pytest.approx((s.loss(x, y, math), gx, gy))


@pytest.mark.parametrize("name", ALL_SURFACES)
def test_listed_minima_are_flat_and_the_first_is_lowest(name):
    s = get_surface(name)
    for x, y, f in s.minima:
        assert s.loss(x, y, math) == pytest.approx(f, abs=1e-4)
        assert max(map(abs, s.grad(x, y, math))) < 1e-3
    x0, x1, y0, y1 = s.box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    assert s.loss(gx, gy, np).min() >= s.lowest - 1e-4
    for x, y in s.saddles:
        assert max(map(abs, s.grad(x, y, math))) < 1e-9


def test_fit_a_line_minimum_is_least_squares():
    pts = [(-0.9, 0.3), (-0.2, -0.4), (0.5, 0.8), (0.7, 0.1)]
    s = line_surface(tuple(pts))
    m, q, f = s.minima[0]
    slope, intercept = np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)
    assert (m, q) == pytest.approx((slope, intercept))
    assert f == pytest.approx(np.mean([(slope * x + intercept - y) ** 2 for x, y in pts]))


def test_first_steps_by_hand():
    # On the bowl w1² + w2² from (-4, 3) at rate 0.1: the gradient is (-8, 6).
    r = descend(surface="bowl", start_x=-4, start_y=3, rate=0.1, beta=0.5, iterations=3)
    gd, mom, adam = r.paths["gd"], r.paths["momentum"], r.paths["adam"]
    assert (gd.x[1], gd.y[1]) == pytest.approx((-4 + 0.8, 3 - 0.6))  # w -= 0.1 g
    assert (gd.x[2], gd.y[2]) == pytest.approx((-3.2 + 0.64, 2.4 - 0.48))
    # momentum: v1 = g0, w1 = w0 - 0.1 v1; v2 = 0.5 v1 + g1 with g1 = (-6.4, 4.8)
    assert (mom.x[1], mom.y[1]) == pytest.approx((-3.2, 2.4))
    assert (mom.x[2], mom.y[2]) == pytest.approx((-3.2 - 0.1 * (-4 - 6.4), 2.4 - 0.1 * (3 + 4.8)))
    # Adam's first step is rate * sign(g) (bias-corrected m / sqrt(s) = g / |g|)
    assert (adam.x[1], adam.y[1]) == pytest.approx((-3.9, 2.9), abs=1e-7)
    # second: m = 0.9*0.1 g0 + 0.1 g1 etc., bias-corrected by 1 - 0.9², 1 - 0.999²
    g0, g1 = np.array([-8.0, 6.0]), 2 * np.array([-3.9, 2.9])
    m = (0.9 * 0.1 * g0 + 0.1 * g1) / (1 - 0.81)
    v = (0.999 * 0.001 * g0 ** 2 + 0.001 * g1 ** 2) / (1 - 0.999 ** 2)
    want = np.array([-3.9, 2.9]) - 0.1 * m / (np.sqrt(v) + 1e-8)
    assert (adam.x[2], adam.y[2]) == pytest.approx(tuple(want))
    assert gd.loss[0] == 25 and gd.steps_taken == 3


def test_large_rate_diverges_on_the_valley_and_stops():
    r = descend(surface="valley", start_x=-4, start_y=2, rate=1.2, iterations=200)
    gd = r.paths["gd"]
    assert gd.status == "diverged" and gd.steps_taken < 20
    assert r.paths["momentum"].status != "diverged" and r.paths["adam"].status != "diverged"
    d = r.to_dict()
    assert d["paths"]["gd"]["status"] == "diverged"
    assert all(math.isfinite(v) for v in d["paths"]["gd"]["loss"])


def test_good_rates_reach_the_minimum_and_local_minima_are_named():
    r = descend(surface="valley", rate=0.3, iterations=500)
    assert all(p.status == "reached" for p in r.paths.values())
    m = descend(surface="minima", start_x=-4, start_y=3, rate=0.1, iterations=500)
    assert m.paths["gd"].status == "stuck"  # a local minimum: flat, but not the lowest
    assert m.paths["gd"].loss[-1] == pytest.approx(-0.42, abs=1e-3)


def test_only_the_chosen_optimizers_run():
    r = descend(surface="bowl", gd=False, adam=False, start_x=1, start_y=1)
    assert list(r.paths) == ["momentum"]


def test_rate_curve_has_too_small_good_and_too_large_rates():
    c = rate_curve("valley", -4, 2)
    assert len(RATES) >= 30
    gd = c["curves"]["gd"]
    outcomes = [e["outcome"] for e in gd]
    assert outcomes[0] == "not reached" and outcomes[-1] == "diverged"
    reached = [e for e in gd if e["outcome"] == "reached"]
    assert reached and all(0 < e["steps"] <= c["max_steps"] for e in reached)
    # each steps figure agrees with a single run at that rate
    e = reached[len(reached) // 2]
    single = descend(surface="valley", start_x=-4, start_y=2, rate=e["rate"], iterations=500)
    assert single.paths["gd"].reached_at == pytest.approx(e["steps"], abs=1)


def test_runs_are_reproducible():
    a = descend(surface="banana", start_x=-1.5, start_y=2.5, rate=0.05)
    assert a.to_dict() == descend(surface="banana", start_x=-1.5, start_y=2.5,
                                  rate=0.05).to_dict()
    assert rate_curve("banana", -1.5, 2.5) == rate_curve("banana", -1.5, 2.5)


def test_surface_map():
    m = surface_map("line")
    assert len(m["loss"]) == len(m["w2"]) == 81 and len(m["loss"][0]) == len(m["w1"]) == 81
    assert len(m["points"]) == 5 and m["box"] == list(LINE_BOX)
    assert m["levels"] == sorted(m["levels"]) and len(m["levels"]) >= 10


@pytest.mark.parametrize(("kwargs", "param"), [
    ({"surface": "cliff"}, "surface"),
    ({"surface": "banana", "start_x": 3.0}, "start_x"),  # on the bowl's map, not the banana's
    ({"surface": "saddle", "start_x": 0.0, "start_y": -2.5}, "start_y"),
    ({"rate": 0.0}, "rate"),
    ({"rate": float("inf")}, "rate"),
    ({"beta": 1.0}, "beta"),
    ({"surface": "line", "points": "0,0;1"}, "points"),
    ({"surface": "line", "points": "0,0;1,2"}, "points"),
    ({"surface": "line", "points": "0,nan"}, "points"),
    ({"surface": "line", "points": ";".join(["0,0"] * 13)}, "points"),
    ({"iterations": 0}, "iterations"),
])
def test_bad_surface_values(kwargs, param):
    with pytest.raises(ParamError) as info:
        descend(**kwargs)
    assert info.value.param == param


def test_paths_carry_the_gradient_at_every_point():
    r = descend(surface="banana", start_x=-1.5, start_y=2.5, rate=0.05, iterations=30)
    s = SURFACES["banana"]
    for p in r.paths.values():
        assert len(p.gx) == len(p.gy) == len(p.x)
        for x, y, gx, gy in zip(p.x, p.y, p.gx, p.gy, strict=True):
            assert (gx, gy) == pytest.approx(s.grad(x, y, math))
