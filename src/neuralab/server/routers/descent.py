"""Routes of the descent lab: whole trajectories are computed here; the page animates them.

Every route takes the same query (the ``descent`` group of the parameter table) and uses the
part it needs, so the page sends its whole state; a value outside its range is a 422 before
anything is computed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from neuralab.labs.descent import curve_points, descend, descend_surface, rate_curve, surface_map
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/descent", tags=["descent"])

DescentQuery = request_model("descent")
CURVE = ("curve", "start", "learning_rate", "steps")
SURFACE = ("surface", "start_x", "start_y", "rate", "beta", "gd", "momentum", "adam",
           "iterations", "points")


def _pick(q: object, names: tuple[str, ...]) -> dict:
    """The named values; a start that was not sent is None (the surface's own start)."""
    values = q.model_dump()  # type: ignore[attr-defined]
    sent = q.model_fields_set  # type: ignore[attr-defined]
    return {k: None if k.startswith("start_") and k not in sent else values[k] for k in names}


@router.get("")
async def descent(q: Annotated[DescentQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The 1-D curve to draw and the point's path: ``x[k]`` after ``k`` steps."""
    values = _pick(q, CURVE)
    return {"curve": curve_points(values["curve"]), "path": descend(**values).to_dict()}


@router.get("/surface")
async def surface(q: Annotated[DescentQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The 2-D surface on a grid over its map, with contour levels, minima and saddles."""
    return surface_map(**_pick(q, ("surface", "points")))


@router.get("/paths")
async def paths(q: Annotated[DescentQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The chosen optimizers' trajectories on the surface from the start."""
    return descend_surface(**_pick(q, SURFACE)).to_dict()


@router.get("/rates")
def rates(q: Annotated[DescentQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """Steps to reach the minimum (or "diverged") at 32 learning rates, for each optimizer.

    Tens of ms: a plain ``def``, run in a worker thread beside the paths requests."""
    return rate_curve(**_pick(q, ("surface", "start_x", "start_y", "beta", "points")))
