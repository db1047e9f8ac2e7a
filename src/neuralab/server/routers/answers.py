"""Routes of the answers: the bundled sweeps as plots, and a small sweep run live.

``GET /api/answers`` gives the three plots' data. ``GET /api/answers/live`` runs the learning
curve at the learner's settings (a few training-set sizes, one seed) and streams one JSON
line per finished cell (``{"type": "cell", "records": [...]}``), then ``{"type": "done"}``;
leaving stops it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from neuralab.labs.answers import answers
from neuralab.labs.sweep import sweep
from neuralab.server.deps import Jobs
from neuralab.server.jobs import stream_job
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/answers", tags=["answers"])

LIVE_SIZES = (100, 300, 1000, 3000)  # a learning curve in a few seconds
LiveQuery = request_model("compare", exclude=("train_size", "val_size"))


@router.get("", summary="The three questions' plots, from the bundled sweeps")
def plots() -> dict[str, Any]:
    return answers()


@router.get("/live", summary="A small learning curve at these settings, streamed cell by cell",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
async def live(q: Annotated[LiveQuery, Query()], runner: Jobs) -> StreamingResponse:  # type: ignore[valid-type]
    values = q.model_dump()  # type: ignore[attr-defined]
    grid = {**{k: v for k, v in values.items() if k != "seed"}, "train_size": list(LIVE_SIZES)}

    def work(cancel: threading.Event, emit: Callable[[list[dict]], None]) -> None:
        sweep(grid, seeds=[values["seed"]], workers=1, on_cell=emit, cancel=cancel)

    async def lines() -> AsyncIterator[str]:
        async for records in stream_job(runner, work):
            yield json.dumps({"type": "cell", "records": records}) + "\n"
        yield json.dumps({"type": "done", "sizes": list(LIVE_SIZES)}) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
