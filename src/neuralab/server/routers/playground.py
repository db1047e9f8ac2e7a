"""Routes of the playground: its socket, uploads and downloads of points, and its own page.

``WS /api/playground/ws`` runs one playground per socket (protocol:
:mod:`neuralab.server.playground_session`). ``POST /api/playground/points`` checks a CSV and
keeps it for the socket's ``use`` (422 naming the line; nothing kept on error).
``GET /api/playground/points.csv`` gives a data set's points (from its settings and seed),
``GET /api/playground/points/{id}.csv`` an upload's. ``GET /playground`` is the lab's page
with only the playground shown, for a projector.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, WebSocket
from fastapi.responses import FileResponse, PlainTextResponse

from neuralab.labs.playground import Playground
from neuralab.labs.playground.data import parse_csv
from neuralab.params import ParamError
from neuralab.server.deps import Jobs
from neuralab.server.playground_session import PlaygroundSession, PointStore
from neuralab.server.schemas import request_model

router = APIRouter(tags=["playground"])

PlaygroundQuery = request_model("playground")
WEB = Path(str(resources.files("neuralab").joinpath("web")))
CSV = {"Content-Disposition": 'attachment; filename="playground-points.csv"'}


def _store(request: Request | WebSocket) -> PointStore:
    return request.app.state.uploads


@router.get("/playground", include_in_schema=False)
def page() -> FileResponse:
    """The lab's page; ``main.js`` shows only the playground at this path."""
    return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})


CSV_DOC = {"content": {"text/csv": {"schema": {"type": "string"}}}}


@router.post("/api/playground/points", summary="Upload points as CSV (x1,x2,label or x1,x2,y)",
             openapi_extra={"requestBody": {"required": True, **CSV_DOC}})
async def upload(request: Request,
                 problem: Literal["classification", "regression"] = "classification") -> dict:
    """Check the CSV (422 naming the line) and keep it; answers its ``id`` for the socket."""
    points = parse_csv(await request.body(), problem)
    return {"id": _store(request).add(points), "count": len(points),
            "problem": points.problem, "classes": points.classes}


@router.get("/api/playground/points.csv", response_class=PlainTextResponse,
            summary="A data set's points as CSV", responses={200: CSV_DOC})
def download(q: Annotated[PlaygroundQuery, Query()]) -> PlainTextResponse:  # type: ignore[valid-type]
    run = Playground(**q.model_dump())  # type: ignore[attr-defined]
    return PlainTextResponse(run.points.to_csv(), media_type="text/csv", headers=CSV)


@router.get("/api/playground/points/{key}.csv", response_class=PlainTextResponse,
            summary="Uploaded points as CSV", responses={200: CSV_DOC})
def download_upload(key: str, request: Request) -> PlainTextResponse:
    try:
        points = _store(request).get(key)
    except ParamError as exc:  # not uploaded here (or forgotten): nothing at this address
        raise HTTPException(404, str(exc)) from None
    return PlainTextResponse(points.to_csv(), media_type="text/csv", headers=CSV)


@router.websocket("/api/playground/ws")
async def playground_stream(websocket: WebSocket, runner: Jobs) -> None:
    """One live playground (protocol: :mod:`neuralab.server.playground_session`)."""
    await websocket.accept()
    await PlaygroundSession(websocket, runner, _store(websocket)).serve()
