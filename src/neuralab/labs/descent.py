"""Section 3: gradient descent on a 1-D loss curve.

Each step moves the point by ``-learning_rate * gradient``. Small rates creep, good rates
settle in a minimum, and rates that are too large overshoot further each step and diverge.
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


CURVES: dict[str, Curve] = {
    "bowl": Curve(
        "bowl", "A bowl with one minimum", "loss(x) = x²",
        loss=lambda x: x * x,
        grad=lambda x: 2.0 * x,
    ),
    "valleys": Curve(
        "valleys", "Several valleys: where you start matters", "loss(x) = x²/5 + sin(3x)/2",
        loss=lambda x: x * x / 5.0 + 0.5 * math.sin(3.0 * x),
        grad=lambda x: 0.4 * x + 1.5 * math.cos(3.0 * x),
    ),
}

VIEW = (-5.0, 5.0)  # the x range the lab draws
ESCAPE = 1e6  # a point this far out has diverged; stop computing


@dataclass(frozen=True)
class Trajectory:
    """Where the point went: ``x[k]`` after ``k`` steps (``x[0]`` is the start)."""

    curve: str
    learning_rate: float
    x: list[float]
    loss: list[float]
    grad: list[float]
    diverged: bool
    converged: bool

    @property
    def steps_taken(self) -> int:
        return len(self.x) - 1

    def to_dict(self) -> dict:
        return {
            "curve": self.curve, "learning_rate": self.learning_rate, "x": self.x,
            "loss": self.loss, "grad": self.grad, "steps_taken": self.steps_taken,
            "diverged": self.diverged, "converged": self.converged,
        }


def descend(
    curve: str = "bowl", start: float = 3.5, learning_rate: float = 0.1, steps: int = 50,
) -> Trajectory:
    """Take up to ``steps`` gradient steps from ``start``.

    Stops early when the point is past ``ESCAPE`` (``diverged``). ``converged`` says the
    last step moved the point by less than 1e-4 while the gradient is near zero.
    """
    v = validate("descent", {"curve": curve, "start": start, "learning_rate": learning_rate,
                             "steps": steps})
    c = CURVES[v["curve"]]
    lr = v["learning_rate"]
    x = v["start"]
    xs, losses, grads = [x], [c.loss(x)], [c.grad(x)]
    diverged = False
    for _ in range(v["steps"]):
        x = x - lr * grads[-1]
        if not math.isfinite(x) or abs(x) > ESCAPE:
            diverged = True
            x = math.copysign(ESCAPE, x) if not math.isnan(x) else ESCAPE
            xs.append(x)
            losses.append(c.loss(x))
            grads.append(c.grad(x))
            break
        xs.append(x)
        losses.append(c.loss(x))
        grads.append(c.grad(x))
    converged = (not diverged and len(xs) > 1 and abs(xs[-1] - xs[-2]) < 1e-4
                 and abs(grads[-1]) < 1e-2)
    if not diverged and abs(xs[-1]) > VIEW[1] * 4 and abs(xs[-1]) > abs(xs[0]):
        diverged = True  # still running away when the steps ran out
    return Trajectory(c.name, lr, [_r(a) for a in xs], [_r(a) for a in losses],
                      [_r(a) for a in grads], diverged, converged)


def _r(value: float) -> float:
    return float(f"{value:.6g}")


def curve_points(curve: str = "bowl", n: int = 201) -> dict:
    """The curve sampled on the drawn x range, for plotting."""
    c = CURVES[validate("descent", {"curve": curve})["curve"]]
    xs = np.linspace(*VIEW, n)
    return {"name": c.name, "title": c.title, "formula": c.formula, "x": [_r(a) for a in xs],
            "loss": [_r(c.loss(float(a))) for a in xs]}
