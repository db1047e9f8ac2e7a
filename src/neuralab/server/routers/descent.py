"""Routes of the descent lab: the whole trajectory is computed here; the page animates it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from neuralab.labs.descent import curve_points, descend
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/descent", tags=["descent"])

DescentQuery = request_model("descent")


@router.get("")
async def descent(q: Annotated[DescentQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The curve to draw and the point's path: ``x[k]`` after ``k`` steps."""
    values = q.model_dump()  # type: ignore[attr-defined]
    return {"curve": curve_points(values["curve"]), "path": descend(**values).to_dict()}
