"""Section 3: gradient descent on a 1-D loss curve, and on 2-D loss surfaces.

On a curve, each step moves the point by ``-learning_rate * gradient``. Small rates creep,
good rates settle in a minimum (the lowest of all, or only a local one), a rate that is just
too large makes the point jump across the minimum and back forever (it oscillates), and
larger rates overshoot further each step (they diverge).

On a surface the loss depends on two weights ``(w1, w2)``; plain gradient descent, momentum
and Adam start from the same point (:func:`descend` with ``surface=...``), and
:func:`rate_curve` measures how many steps each needs to reach the minimum at 36 learning
rates. Every surface is written beside its analytic gradient; ``xp`` is ``math`` for one
point and ``numpy`` for many, so the same formula serves a trajectory (pure Python floats
are fastest for one point) and the learning-rate curve (arrays of points).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from neuralab.params import ParamError, group, validate


@dataclass(frozen=True)
class Curve:
    """A loss curve with its derivative, written side by side."""

    name: str
    title: str
    formula: str
    loss: Callable[[float], float]
    grad: Callable[[float], float]
    minimum: float  # x of the lowest point on the drawn range (the global minimum)


CURVES: dict[str, Curve] = {
    "bowl": Curve(
        "bowl", "A bowl with one minimum", "loss(x) = x²",
        loss=lambda x: x * x,
        grad=lambda x: 2.0 * x,
        minimum=0.0,
    ),
    "valleys": Curve(
        "valleys", "Several valleys: where you start matters", "loss(x) = x²/5 + sin(3x)/2",
        loss=lambda x: x * x / 5.0 + 0.5 * math.sin(3.0 * x),
        grad=lambda x: 0.4 * x + 1.5 * math.cos(3.0 * x),
        minimum=-0.4807477,
    ),
}

VIEW = (-5.0, 5.0)  # the x range the lab draws
ESCAPE = 1e6  # a point this far out has diverged; stop computing
RUNAWAY = 8  # this many steps in a row each farther from the minimum: diverging


@dataclass(frozen=True)
class Trajectory:
    """Where the point went: ``x[k]`` after ``k`` steps (``x[0]`` is the start).

    ``status`` is ``"converged"``, ``"oscillating"`` (jumping across the minimum and back,
    never closer), ``"diverged"`` (farther from the minimum step after step) or ``"running"``
    (still on its way down when the steps ran out). ``minimum`` says whether a converged point
    sits in the ``"global"`` minimum or a ``"local"`` one.
    """

    curve: str
    learning_rate: float
    x: list[float]
    loss: list[float]
    grad: list[float]
    diverged: bool
    converged: bool
    status: str = "running"
    minimum: str | None = None
    global_minimum: tuple[float, float] = (0.0, 0.0)  # (x, loss) of the lowest point

    @property
    def steps_taken(self) -> int:
        return len(self.x) - 1

    def to_dict(self) -> dict:
        return {
            "curve": self.curve, "learning_rate": self.learning_rate, "x": self.x,
            "loss": self.loss, "grad": self.grad, "steps_taken": self.steps_taken,
            "diverged": self.diverged, "converged": self.converged, "status": self.status,
            "minimum": self.minimum, "global_minimum": list(self.global_minimum),
        }


def descend(
    curve: str = "bowl", start: float = 3.5, learning_rate: float = 0.1, steps: int = 50,
    **surface_args: Any,
) -> Any:
    """Gradient descent on a 1-D curve, or (with ``surface=...``) three optimizers on a surface.

    On a curve: take up to ``steps`` gradient steps from ``start`` and return a
    :class:`Trajectory`. It stops early when the point is past ``ESCAPE``. It is ``diverged``
    when it escaped, or when each of the last ``RUNAWAY`` steps took it farther from the
    minimum than the one before; ``converged`` when the last step moved it by less than 1e-4
    where the gradient is near zero; ``oscillating`` when it keeps jumping between the same
    two sides.

    With ``surface`` given, the other keyword arguments are those of :func:`descend_surface`
    and the result is a :class:`SurfaceRun`.
    """
    if surface_args:
        return descend_surface(**surface_args)
    v = validate("descent", {"curve": curve, "start": start, "learning_rate": learning_rate,
                             "steps": steps})
    c = CURVES[v["curve"]]
    lr = v["learning_rate"]
    x = v["start"]
    xs, losses, grads = [x], [c.loss(x)], [c.grad(x)]
    escaped = False
    for _ in range(v["steps"]):
        x = x - lr * grads[-1]
        if not math.isfinite(x) or abs(x) > ESCAPE:
            escaped = True
            x = math.copysign(ESCAPE, x) if not math.isnan(x) else ESCAPE
        xs.append(x)
        losses.append(c.loss(x))
        grads.append(c.grad(x))
        if escaped:
            break
    converged = (not escaped and len(xs) > 1 and abs(xs[-1] - xs[-2]) < 1e-4
                 and abs(grads[-1]) < 1e-2)
    away = [abs(a - c.minimum) for a in xs]
    tail = away[-RUNAWAY - 1:]
    runaway = (len(tail) == RUNAWAY + 1 and all(b > a * (1 + 1e-9) for a, b in zip(
        tail, tail[1:], strict=False)) and away[-1] > away[0])
    diverged = escaped or (not converged and runaway)
    moves = [b - a for a, b in zip(xs[-RUNAWAY - 1:], xs[-RUNAWAY:], strict=False)]
    oscillating = (not diverged and not converged and len(moves) == RUNAWAY
                   and all(a * b < 0 for a, b in zip(moves, moves[1:], strict=False))
                   and losses[-1] >= losses[-3] * (1 - 1e-6))
    status = ("diverged" if diverged else "converged" if converged
              else "oscillating" if oscillating else "running")
    best = (c.minimum, c.loss(c.minimum))
    where = None
    if converged:
        where = "global" if losses[-1] <= best[1] + 1e-3 else "local"
    return Trajectory(c.name, lr, [_r(a) for a in xs], [_r(a) for a in losses],
                      [_r(a) for a in grads], diverged, converged, status, where,
                      (_r(best[0]), _r(best[1])))


def _r(value: float) -> float:
    return float(f"{value:.6g}")


def curve_points(curve: str = "bowl", n: int = 201) -> dict:
    """The curve sampled on the drawn x range, for plotting."""
    c = CURVES[validate("descent", {"curve": curve})["curve"]]
    xs = np.linspace(*VIEW, n)
    return {"name": c.name, "title": c.title, "formula": c.formula, "x": [_r(a) for a in xs],
            "loss": [_r(c.loss(float(a))) for a in xs],
            "minimum": [_r(c.minimum), _r(c.loss(c.minimum))]}


# --- two weights ----------------------------------------------------------------------------

Fn = Callable[..., Any]


@dataclass(frozen=True)
class Surface:
    """A loss over two weights, its gradient, the map's box and its lowest points.

    ``loss(x, y, xp)`` and ``grad(x, y, xp)`` take floats with ``xp=math`` or arrays with
    ``xp=numpy``. ``minima`` lists ``(w1, w2, loss)`` of every minimum; the first is the
    lowest (the global minimum). ``saddles`` lists the flat points that are no minimum.
    """

    name: str
    title: str
    formula: str
    loss: Fn
    grad: Fn
    box: tuple[float, float, float, float]  # w1 from, w1 to, w2 from, w2 to
    start: tuple[float, float]
    minima: tuple[tuple[float, float, float], ...]
    saddles: tuple[tuple[float, float], ...] = ()
    both: Fn | None = None  # (loss, gx, gy) at once, when sharing the work pays

    @property
    def lowest(self) -> float:
        return self.minima[0][2]

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title, "formula": self.formula,
                "box": list(self.box), "start": list(self.start),
                "minima": [list(m) for m in self.minima],
                "saddles": [list(s) for s in self.saddles]}


def _wells(x: Any, y: Any, xp: ModuleType) -> tuple[Any, Any, Any]:
    return (2.0 * xp.exp(-((x - 2) ** 2 + (y - 1) ** 2) / 2),
            1.6 * xp.exp(-((x + 2) ** 2 + (y + 1.5) ** 2) / 1.5),
            1.2 * xp.exp(-((x + 1.5) ** 2 + (y - 2.5) ** 2)))


def _minima_grad(x: Any, y: Any, xp: ModuleType) -> tuple[Any, Any]:
    return _minima_both(x, y, xp)[1:]


def _minima_both(x: Any, y: Any, xp: ModuleType) -> tuple[Any, Any, Any]:
    a, b, c = _wells(x, y, xp)
    return ((x * x + y * y) / 10 - a - b - c,
            x / 5 + a * (x - 2) + b * (x + 2) / 0.75 + c * 2 * (x + 1.5),
            y / 5 + a * (y - 1) + b * (y + 1.5) / 0.75 + c * 2 * (y - 2.5))


SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", "A round bowl", "loss = w1² + w2²",
        loss=lambda x, y, xp: x * x + y * y,
        grad=lambda x, y, xp: (2 * x, 2 * y),
        box=(-5, 5, -5, 5), start=(-4.0, 3.0), minima=((0.0, 0.0, 0.0),)),
    "valley": Surface(
        "valley", "A long narrow valley", "loss = w1²/20 + w2²",
        loss=lambda x, y, xp: x * x / 20 + y * y,
        grad=lambda x, y, xp: (x / 10, 2 * y),
        box=(-5, 5, -3, 3), start=(-4.0, 2.0), minima=((0.0, 0.0, 0.0),)),
    "banana": Surface(
        "banana", "A curved banana valley (Rosenbrock's)", "loss = (1 − w1)²/2 + (w2 − w1²)²",
        loss=lambda x, y, xp: (1 - x) ** 2 / 2 + (y - x * x) ** 2,
        grad=lambda x, y, xp: (x - 1 - 4 * x * (y - x * x), 2 * (y - x * x)),
        box=(-2, 2, -1, 3), start=(-1.5, 2.5), minima=((1.0, 1.0, 0.0),)),
    "saddle": Surface(
        "saddle", "A saddle between two minima", "loss = w1²/2 + w2⁴/4 − w2²/2",
        loss=lambda x, y, xp: x * x / 2 + y ** 4 / 4 - y * y / 2,
        grad=lambda x, y, xp: (x, y ** 3 - y),
        box=(-3, 3, -2, 2), start=(-2.5, 0.02),
        minima=((0.0, 1.0, -0.25), (0.0, -1.0, -0.25)), saddles=((0.0, 0.0),)),
    "minima": Surface(
        "minima", "Several minima: one lowest, the others local",
        "loss = (w1² + w2²)/10 − three wells",
        loss=lambda x, y, xp: (x * x + y * y) / 10 - sum(_wells(x, y, xp)),
        grad=_minima_grad,
        box=(-5, 5, -5, 5), start=(-4.0, 3.0),
        minima=((1.8146, 0.9073, -1.5459), (-1.8233, -1.3675, -1.0294),
                (-1.3744, 2.2955, -0.42)), both=_minima_both),
}
LINE_BOX = (-3.0, 3.0, -2.0, 2.0)  # slope, intercept
MAX_POINTS = 12


def parse_points(text: str) -> tuple[tuple[float, float], ...]:
    """``"x,y;x,y;..."`` -> pairs; 1 to 12 points, each coordinate from -1 to 1."""
    param = group("descent")["points"]
    fail = ParamError("points", param.expected("api"), text)
    if not isinstance(text, str) or len(text) > (param.max_length or 0):
        raise fail
    out = []
    for item in text.split(";"):
        parts = item.split(",")
        if len(parts) != 2:
            raise fail
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            raise fail from None
        if not (math.isfinite(x) and math.isfinite(y) and -1 <= x <= 1 and -1 <= y <= 1):
            raise fail
        out.append((x, y))
    if not 1 <= len(out) <= MAX_POINTS:
        raise fail
    return tuple(out)


def line_surface(points: tuple[tuple[float, float], ...]) -> Surface:
    """Mean squared error of the line ``y = w1*x + w2`` on ``points``, over slope and intercept.

    A quadratic: its minimum is the least-squares line (a whole valley of them when all the
    points share one x).
    """
    px = np.array([p[0] for p in points])
    py = np.array([p[1] for p in points])
    n = len(points)
    sx, sy, sxx, sxy, syy = (float(v) for v in (px.sum(), py.sum(), px @ px, px @ py, py @ py))
    a, b, c = sxx / n, sx / n, 1.0  # loss = a m² + 2 b m q + c q² - 2 d m - 2 e q + g
    d, e, g = sxy / n, sy / n, syy / n
    det = a * c - b * b
    if det > 1e-12:
        m = (d * c - b * e) / det
        q = (a * e - b * d) / det
    else:  # all points share one x: any line through their mean y at that x is best
        m, q = 0.0, e
    best = a * m * m + 2 * b * m * q + c * q * q - 2 * d * m - 2 * e * q + g

    def loss(x: Any, y: Any, xp: ModuleType) -> Any:
        return a * x * x + 2 * b * x * y + c * y * y - 2 * d * x - 2 * e * y + g

    def grad(x: Any, y: Any, xp: ModuleType) -> tuple[Any, Any]:
        return 2 * (a * x + b * y - d), 2 * (b * x + c * y - e)

    lo, hi, lo2, hi2 = LINE_BOX
    m = float(np.clip(m, lo, hi))
    q = float(np.clip(q, lo2, hi2))
    return Surface("line", "Fit a line: mean squared error over slope and intercept",
                   "loss = mean of (w1·x + w2 − y)² over the points", loss, grad, LINE_BOX,
                   (-2.5, -1.5), ((m, q, float(max(best, 0.0))),))


def get_surface(name: str, points: str | None = None) -> Surface:
    """The surface called ``name`` (``"line"`` is built from ``points``, which are checked
    whatever the surface, so that a bad point list is refused before anything is computed)."""
    pts = parse_points(points if points is not None else group("descent")["points"].default)
    return line_surface(pts) if name == "line" else SURFACES[name]


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


MAP_GRID = 81  # points per side of the grid the contour map is drawn from


def surface_map(surface: str = "valley", points: str | None = None) -> dict:
    """The surface sampled on a ``MAP_GRID`` x ``MAP_GRID`` grid over its map (rows are w2,
    columns w1), with contour levels spaced evenly in ``log(loss - lowest)``, for drawing."""
    n = MAP_GRID
    v = validate("descent", {"surface": surface,
                             **({"points": points} if points is not None else {})})
    s = get_surface(v["surface"], v["points"])
    x0, x1, y0, y1 = s.box
    gx = np.linspace(x0, x1, n)
    gy = np.linspace(y0, y1, n)
    z = s.loss(gx[None, :], gy[:, None], np)
    above = np.maximum(z - s.lowest, 1e-9)
    hi = float(np.log(above.max()))
    lo = max(float(np.log(np.percentile(above, 1))), hi - 12)
    levels = s.lowest + np.exp(np.linspace(lo, hi, 14)[:-1])
    return {**s.describe(), "w1": np.round(gx, 4).tolist(), "w2": np.round(gy, 4).tolist(),
            "loss": np.round(z, 5).tolist(), "levels": np.round(levels, 6).tolist(),
            "points": [list(p) for p in parse_points(v["points"])] if s.name == "line"
            else None}
