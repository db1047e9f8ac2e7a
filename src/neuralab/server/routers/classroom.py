"""The teacher's tools: the tasks, the learners' reports and the class view.

``GET /api/tasks`` lists the exercises (:mod:`neuralab.labs.tasks`); ``POST /api/class/report``
is a page saying it is open (and, with a task, what it shows: counted when the server's
check passes); ``GET /api/class`` is the class view's figures; ``GET /class`` its page. All
of it sits behind the lab's token when there is one (:mod:`neuralab.server.access`).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from neuralab.labs.tasks import TASKS
from neuralab.server.classroom import NotTrained, TooFast
from neuralab.server.deps import Kept
from neuralab.server.errors import problem

router = APIRouter(tags=["class"])

WEB = Path(str(resources.files("neuralab").joinpath("web")))
TaskId = Literal[tuple(t.id for t in TASKS)]  # type: ignore[valid-type]
PROBLEMS = {"content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/Problems"}}}}


class Report(BaseModel):
    """One page's report: its random per-tab id, and optionally a task and what it shows."""

    model_config = ConfigDict(extra="forbid")
    tab: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$",
                     description="A random id the page made for this tab (8 to 64 letters, "
                                 "digits, - or _)")
    task: TaskId | None = Field(None, description="The task the page shows, if any")
    facts: dict[str, Any] | None = Field(None, description="What the task's section shows "
                                         "(see neuralab.labs.tasks for each kind)")


@router.get("/api/tasks")
def tasks() -> list[dict[str, Any]]:
    """Every task: id, section, title, text, kind and goal."""
    return [t.to_dict() for t in TASKS]


@router.post("/api/class/report", responses={
    404: {"description": "No comparison with the reported settings is in memory",
          "content": {"application/json": {"schema": {
              "$ref": "#/components/schemas/Message"}}}},
    429: {"description": "Too many reports; try again after Retry-After seconds",
          "headers": {"Retry-After": {"schema": {"type": "integer"}}}, **PROBLEMS}})
def report(body: Report, request: Request, kept: Kept) -> dict[str, Any]:
    """The page is open; with a task, whether what it shows meets the task's target."""
    try:
        progress = request.app.state.classroom.report(body.tab, body.task, body.facts, kept)
    except TooFast as exc:
        raise HTTPException(429, [problem("tab", str(exc))],
                            headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
                            ) from None
    except NotTrained as exc:
        raise HTTPException(404, str(exc)) from None
    if progress is None:
        return {"task": None, "done": False, "progress": ""}
    return {"task": body.task, "done": progress.done, "progress": progress.progress}


@router.get("/api/class")
def class_view(request: Request) -> dict[str, Any]:
    """Learners connected now, how many did each task, and how long comparisons wait."""
    state = request.app.state
    return state.classroom.summary(state.jobs)


@router.get("/class", include_in_schema=False)
def page() -> FileResponse:
    """The class view's page."""
    return FileResponse(WEB / "class.html", headers={"Cache-Control": "no-cache"})
