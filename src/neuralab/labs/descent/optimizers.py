"""Plain gradient descent, momentum and Adam on a surface from one start, and the
learning-rate curve (steps to the minimum at 32 rates, every run advanced together)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuralab.labs.descent.surfaces import Fn, Surface, get_surface
from neuralab.params import ParamError, validate

OPTIMIZERS = ("gd", "momentum", "adam")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
FAR = 5.0  # a point this many map-widths away from the map has diverged


@dataclass(frozen=True)
class Path2D:
    """One optimizer's trajectory: ``x[k], y[k]`` after ``k`` steps, and the loss there.

    ``status``: ``"reached"`` (within ``tol`` of the lowest loss), ``"stuck"`` (settled where
    the surface is flat but higher: a local minimum or a saddle), ``"diverged"`` (ran off,
    computing stopped) or ``"running"`` (still moving when the steps ran out).
    ``reached_at`` is the first step within ``tol`` of the lowest loss.
    """

    optimizer: str
    x: list[float]
    y: list[float]
    loss: list[float]
    status: str
    reached_at: int | None
    gx: list[float]  # the gradient at each point (for the arrow on the map)
    gy: list[float]

    @property
    def steps_taken(self) -> int:
        return len(self.x) - 1

    def to_dict(self) -> dict:
        def r(v: list[float]) -> list[float]:
            return [float(f) for f in np.round(np.asarray(v, dtype=float), 6)]

        return {"optimizer": self.optimizer, "x": r(self.x), "y": r(self.y),
                "loss": r(self.loss), "gx": r(self.gx), "gy": r(self.gy),
                "status": self.status, "reached_at": self.reached_at,
                "steps_taken": self.steps_taken}


@dataclass(frozen=True)
class SurfaceRun:
    """The optimizers' trajectories on one surface from one start."""

    surface: Surface
    rate: float
    beta: float
    tol: float
    paths: dict[str, Path2D]

    def to_dict(self) -> dict:
        return {"surface": self.surface.name, "rate": self.rate, "beta": self.beta,
                "tol": self.tol, "lowest": self.surface.lowest,
                "paths": {k: p.to_dict() for k, p in self.paths.items()}}


def _tolerance(s: Surface, x: float, y: float) -> float:
    """Close enough to the lowest loss: a thousandth of the way down from the start."""
    return max(1e-3 * (s.loss(x, y, math) - s.lowest), 1e-9)


def _escape(s: Surface) -> tuple[float, float, float, float]:
    x0, x1, y0, y1 = s.box
    w, h = (x1 - x0) * FAR, (y1 - y0) * FAR
    return x0 - w, x1 + w, y0 - h, y1 + h


def _value_and_grad(s: Surface) -> Fn:
    return s.both or (lambda x, y, xp: (s.loss(x, y, xp), *s.grad(x, y, xp)))


def _path(s: Surface, opt: str, x: float, y: float, lr: float, beta: float, n: int,
          tol: float) -> Path2D:
    both, loss, grad = s.both, s.loss, s.grad  # one call for both where that saves work
    lo_x, hi_x, lo_y, hi_y = _escape(s)
    target = s.lowest + tol
    f, gx, gy = _value_and_grad(s)(x, y, math)
    xs, ys, fs, gxs, gys = [x], [y], [f], [gx], [gy]
    reached = 0 if f <= target else None
    vx = vy = mx = my = sx = sy = 0.0
    b1, b2 = ADAM_BETAS
    c1 = c2 = 1.0
    status = "running"
    for k in range(1, n + 1):
        if opt == "gd":
            dx, dy = lr * gx, lr * gy
        elif opt == "momentum":
            vx, vy = beta * vx + gx, beta * vy + gy
            dx, dy = lr * vx, lr * vy
        else:
            mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
            sx, sy = b2 * sx + (1 - b2) * gx * gx, b2 * sy + (1 - b2) * gy * gy
            c1, c2 = c1 * b1, c2 * b2
            dx = lr * (mx / (1 - c1)) / (math.sqrt(sx / (1 - c2)) + ADAM_EPS)
            dy = lr * (my / (1 - c1)) / (math.sqrt(sy / (1 - c2)) + ADAM_EPS)
        x, y = x - dx, y - dy
        if not (lo_x < x < hi_x and lo_y < y < hi_y):  # also catches nan
            status = "diverged"
            break
        if both:
            f, gx, gy = both(x, y, math)
        else:
            f = loss(x, y, math)
            gx, gy = grad(x, y, math)
        xs.append(x)
        ys.append(y)
        fs.append(f)
        gxs.append(gx)
        gys.append(gy)
        if reached is None and f <= target:
            reached = k
        if abs(dx) + abs(dy) < 1e-9 and abs(gx) + abs(gy) < 1e-7:
            break  # settled: nothing moves any more
    gx, gy = gxs[-1], gys[-1]
    if status != "diverged":
        if fs[-1] <= target:
            status = "reached"
        elif abs(gx) + abs(gy) < 1e-3 and (opt == "gd" or abs(xs[-1] - xs[-2]) +
                                            abs(ys[-1] - ys[-2]) < 1e-5):
            status = "stuck"
    return Path2D(opt, xs, ys, fs, status, reached, gxs, gys)


def descend_surface(
    surface: str = "valley", start_x: float | None = None, start_y: float | None = None,
    rate: float = 0.1,
    beta: float = 0.9, gd: bool = True, momentum: bool = True, adam: bool = True,
    iterations: int = 200, points: str | None = None,
) -> SurfaceRun:
    """Run the chosen optimizers (plain gradient descent, momentum with ``beta``, Adam) for up
    to ``iterations`` steps from ``(start_x, start_y)`` on ``surface``, all at learning rate
    ``rate``.

    Gradient descent: ``w -= rate * g``. Momentum: ``v = beta * v + g; w -= rate * v``.
    Adam: running means of ``g`` and ``g²`` (0.9, 0.999), bias-corrected, and
    ``w -= rate * m / (sqrt(s) + 1e-8)``. A trajectory that leaves the map by five map-widths
    has diverged: it stops there and is marked. The start must lie on the surface's map
    (without one, the surface's own start is used).
    """
    v = validate("descent", {"surface": surface, **_given(start_x=start_x, start_y=start_y),
                             "rate": rate, "beta": beta, "gd": gd, "momentum": momentum,
                             "adam": adam, "iterations": iterations,
                             **({"points": points} if points is not None else {})})
    s = get_surface(v["surface"], v["points"])
    x, y = _check_start(s, start_x, start_y, v)
    tol = _tolerance(s, x, y)
    paths = {opt: _path(s, opt, x, y, v["rate"], v["beta"], v["iterations"], tol)
             for opt in OPTIMIZERS if v[opt]}
    return SurfaceRun(s, v["rate"], v["beta"], tol, paths)


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _check_start(s: Surface, x: float | None, y: float | None, v: dict) -> tuple[float, float]:
    """The start (checked against the table in ``v``), or the surface's own where not given;
    it must lie on the surface's map."""
    x = s.start[0] if x is None else v["start_x"]
    y = s.start[1] if y is None else v["start_y"]
    x0, x1, y0, y1 = s.box
    if not x0 <= x <= x1:
        raise ParamError("start_x", f"a number from {x0:g} to {x1:g} on the {s.name} map", x)
    if not y0 <= y <= y1:
        raise ParamError("start_y", f"a number from {y0:g} to {y1:g} on the {s.name} map", y)
    return x, y


RATES = np.logspace(-3, math.log10(3.0), 32)  # the learning-rate curve's rates
CURVE_STEPS = 500


def rate_curve(
    surface: str = "valley", start_x: float | None = None, start_y: float | None = None,
    beta: float = 0.9, points: str | None = None,
) -> dict:
    """Steps each optimizer needs to reach the lowest loss, at 32 log-spaced rates 0.001 to 3.

    All rates and optimizers run together as arrays (runs that are done leave the arrays).
    Each entry is ``{"rate", "steps", "outcome"}`` with outcome ``"reached"``, ``"diverged"``
    or ``"not reached"`` (too slow, or settled in a local minimum or a saddle, within
    ``CURVE_STEPS`` steps).
    """
    v = validate("descent", {"surface": surface, **_given(start_x=start_x, start_y=start_y),
                             "beta": beta, **({"points": points} if points is not None else {})})
    s = get_surface(v["surface"], v["points"])
    x0, y0 = _check_start(s, start_x, start_y, v)
    tol = _tolerance(s, x0, y0)
    target = s.lowest + tol
    max_steps = CURVE_STEPS
    k = len(RATES)
    lr = np.tile(RATES, 3)
    kind = np.repeat(np.arange(3), k)  # 0 gd, 1 momentum, 2 adam
    steps = np.full(3 * k, -1)
    diverged = np.zeros(3 * k, dtype=bool)
    lo_x, hi_x, lo_y, hi_y = _escape(s)
    b1, b2 = ADAM_BETAS
    both = _value_and_grad(s)
    # The runs still going: their index and their state, compacted as runs finish.
    state = {"idx": np.arange(3 * k), "x": np.full(3 * k, x0), "y": np.full(3 * k, y0),
             "rate": lr.copy(), "beta": np.where(kind == 1, v["beta"], 0.0),
             "adam": kind == 2, **{n: np.zeros(3 * k) for n in ("vx", "vy", "mx", "my",
                                                                  "sx", "sy")}}

    def drop(gone: np.ndarray) -> None:
        for key in state:
            state[key] = state[key][~gone]

    t = 0
    with np.errstate(all="ignore"):
        while True:
            f, gx, gy = both(state["x"], state["y"], np)
            done = f <= target
            if done.any():
                steps[state["idx"][done]] = t
                drop(done)
                gx, gy = gx[~done], gy[~done]
            if t == max_steps or not len(state["idx"]):
                break
            t += 1
            st = state
            st["vx"] = st["beta"] * st["vx"] + gx
            st["vy"] = st["beta"] * st["vy"] + gy
            st["mx"] = b1 * st["mx"] + (1 - b1) * gx
            st["my"] = b1 * st["my"] + (1 - b1) * gy
            st["sx"] = b2 * st["sx"] + (1 - b2) * gx * gx
            st["sy"] = b2 * st["sy"] + (1 - b2) * gy * gy
            c1, c2 = 1 - b1 ** t, math.sqrt(1 - b2 ** t)
            ax = st["mx"] / c1 / (np.sqrt(st["sx"]) / c2 + ADAM_EPS)
            ay = st["my"] / c1 / (np.sqrt(st["sy"]) / c2 + ADAM_EPS)
            x = st["x"] = st["x"] - st["rate"] * np.where(st["adam"], ax, st["vx"])
            y = st["y"] = st["y"] - st["rate"] * np.where(st["adam"], ay, st["vy"])
            out = ~((lo_x < x) & (x < hi_x) & (lo_y < y) & (y < hi_y))
            if out.any():
                diverged[st["idx"][out]] = True
                drop(out)
    names = ("gd", "momentum", "adam")
    result: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(3 * k):
        outcome = ("diverged" if diverged[i] else "reached" if steps[i] >= 0
                   else "not reached")
        result[names[int(kind[i])]].append(
            {"rate": float(f"{lr[i]:.4g}"), "steps": int(steps[i]) if steps[i] >= 0 else None,
             "outcome": outcome})
    return {"surface": s.name, "max_steps": max_steps, "tol": tol, "curves": result}
