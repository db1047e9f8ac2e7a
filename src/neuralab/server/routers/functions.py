"""Routes of the functions lab: the lesson's systems and feedback on a learner's header."""

from __future__ import annotations

from fastapi import APIRouter

from neuralab.labs.functions import check_header, systems
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/functions", tags=["functions"])

CheckBody = request_model("functions", exclude=("pedestrian", "chatbot"), body=True,
                          required=("code",))


@router.get("/systems")
async def list_systems() -> list[dict]:
    """The three systems as functions: the worked example first, then the two exercises."""
    return systems()


@router.post("/check")
async def check(body: CheckBody) -> dict:  # type: ignore[valid-type]
    """Parse the header with ``ast`` (never run it) and say what it takes and returns."""
    return check_header(**body.model_dump()).to_dict()  # type: ignore[attr-defined]
