"""Section 3: gradient descent on a 1-D loss curve, and on 2-D loss surfaces.

On a curve (:mod:`.curves`) one point steps downhill; on a surface (:mod:`.surfaces`) the loss
depends on two weights ``(w1, w2)``, and plain gradient descent, momentum and Adam start
from the same point (:mod:`.optimizers`); :func:`rate_curve` measures how many steps each
needs to reach the minimum at 32 learning rates. :func:`descend` is the one entry point.
"""

from __future__ import annotations

from typing import Any

from neuralab.labs.descent.curves import (
    CURVES,
    ESCAPE,
    RUNAWAY,
    VIEW,
    Curve,
    Trajectory,
    curve_points,
    descend_curve,
)
from neuralab.labs.descent.optimizers import (
    ADAM_BETAS,
    ADAM_EPS,
    CURVE_STEPS,
    FAR,
    OPTIMIZERS,
    RATES,
    Path2D,
    SurfaceRun,
    descend_surface,
    rate_curve,
)
from neuralab.labs.descent.surfaces import (
    LINE_BOX,
    MAP_GRID,
    MAX_POINTS,
    SURFACES,
    Surface,
    get_surface,
    line_surface,
    parse_points,
    surface_map,
)

__all__ = [
    "ADAM_BETAS", "ADAM_EPS", "CURVES", "CURVE_STEPS", "ESCAPE", "FAR", "LINE_BOX", "MAP_GRID",
    "MAX_POINTS", "OPTIMIZERS", "RATES", "RUNAWAY", "SURFACES", "VIEW", "Curve", "Path2D",
    "Surface", "SurfaceRun", "Trajectory", "curve_points", "descend", "descend_curve",
    "descend_surface", "get_surface", "line_surface", "parse_points", "rate_curve",
    "surface_map",
]


def descend(
    curve: str = "bowl", start: float = 3.5, learning_rate: float = 0.1, steps: int = 50,
    **surface_args: Any,
) -> Trajectory | SurfaceRun:
    """Gradient descent on a 1-D curve (:func:`descend_curve`, a :class:`Trajectory`), or,
    with ``surface=...`` and the other keyword arguments of :func:`descend_surface`, plain
    gradient descent, momentum and Adam on that surface (a :class:`SurfaceRun`)."""
    if surface_args:
        return descend_surface(**surface_args)
    return descend_curve(curve, start, learning_rate, steps)
