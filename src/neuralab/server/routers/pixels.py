"""Routes of the pixels lab: the 3x3 pictures and the astronaut at a chosen resolution."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from neuralab.labs.pixels import CHANNELS, astronaut, astronaut_jpeg, compose, to_hex
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/pixels", tags=["pixels"])

MatricesBody = request_model("pixels", exclude=("resolution",), body=True)
AstronautQuery = request_model("pixels", exclude=CHANNELS)
CACHE = {"Cache-Control": "public, max-age=86400"}


@router.post("/compose")
async def compose_pictures(body: MatricesBody) -> dict:  # type: ignore[valid-type]
    """The four 3x3 pictures (red, green, blue alone and combined) as CSS colours."""
    pictures = compose(**body.model_dump())  # type: ignore[attr-defined]
    return {name: to_hex(img) for name, img in pictures.items()}


@router.get("/astronaut")
def astronaut_small(
    q: Annotated[AstronautQuery, Query()], response: Response,  # type: ignore[valid-type]
) -> dict:
    """The astronaut downscaled in Python: shape and base64 uint8 (r, g, b) data."""
    response.headers.update(CACHE)
    return astronaut(q.resolution)  # type: ignore[attr-defined]


@router.get("/astronaut.jpg", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}}})
def astronaut_original() -> Response:
    """The original 512x512 astronaut (JPEG)."""
    return Response(astronaut_jpeg(), media_type="image/jpeg", headers=CACHE)
