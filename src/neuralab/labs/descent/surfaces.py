"""Loss surfaces over two weights, each written beside its analytic gradient.

``loss(x, y, xp)`` and ``grad(x, y, xp)`` take floats with ``xp=math`` or arrays with
``xp=numpy``: the same formula serves one trajectory (pure Python floats are fastest for one
point) and the learning-rate curve (arrays of points).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from neuralab.params import ParamError, group, validate

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
    if not isinstance(text, str) or len(text) > (param.max_length or 0) \
            or not re.fullmatch(param.extra["pattern"], text):  # what the schema says, no more
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
