"""Gradient descent on a 1-D loss curve.

Each step moves the point by ``-learning_rate * gradient``. Small rates creep, good rates
settle in a minimum (the lowest of all, or only a local one), a rate that is just too large
makes the point jump across the minimum and back forever (it oscillates), and larger rates
overshoot further each step (they diverge).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neuralab.params import validate


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


def descend_curve(
    curve: str = "bowl", start: float = 3.5, learning_rate: float = 0.1, steps: int = 50,
) -> Trajectory:
    """Take up to ``steps`` gradient steps on a 1-D curve from ``start``.

    It stops early when the point is past ``ESCAPE``. It is ``diverged`` when it escaped, or
    when each of the last ``RUNAWAY`` steps took it farther from the minimum than the one
    before; ``converged`` when the last step moved it by less than 1e-4 where the gradient is
    near zero; ``oscillating`` when it keeps jumping between the same two sides.
    """
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
