"""Routes of the compare lab: the lesson's three models on MNIST, and sample digits.

``POST /api/compare`` answers with the whole comparison. ``WS /api/compare/ws`` streams it
epoch by epoch; its protocol is :mod:`neuralab.server.compare_session` (only the newest run
of a socket trains).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, WebSocket

from neuralab.labs.compare import QUESTIONS, ModelCache, compare_models
from neuralab.server.compare_session import CompareSession, reused
from neuralab.server.deps import Jobs, Kept, Models
from neuralab.server.jobs import ClientLeft, while_connected
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api", tags=["compare"])

CompareParams = request_model("compare", "ui", body=True)
SamplesQuery = request_model("samples", "ui")

Event = dict[str, Any]


def train(values: dict[str, Any], cancel: threading.Event, cache: ModelCache,
          on_event: Callable[[Event], None] | None = None) -> dict[str, Any]:
    """Run the comparison (UI ranges) in this thread and return it as JSON-ready data."""
    result = compare_models(**values, on_event=on_event, cancel=cancel, scope="ui",
                            cache=cache)
    return result.to_dict()


def _trainer(app: Any) -> Callable[..., dict[str, Any]]:
    """The app's cluster trainer, or :func:`train` here (looked up at call time, so tests
    can stand in a training of their own)."""
    return app.state.trainer or train


@router.post("/compare", summary="Train the three models and return the whole comparison",
             responses={503: {"description": "Every core is busy and the queue is full; "
                              "try again after Retry-After seconds"}})
async def compare(params: CompareParams,  # type: ignore[valid-type]
                  request: Request, runner: Jobs, models: Models, kept: Kept) -> dict[str, Any]:
    values = params.model_dump()  # type: ignore[attr-defined]
    if (found := kept.comparison(values, scope="ui")) is not None:
        kept.keep(values, scope="ui")
        return reused(found)  # at once: a kept comparison never waits for a core
    try:
        result = await while_connected(request, runner.run(
            runner.submit(owner=kept.learner),
            lambda cancel: _trainer(request.app)(values, cancel, models)))
    except ClientLeft:
        return Response(status_code=499)  # nobody is left to read it (nginx's code)
    kept.keep(values, scope="ui")
    return result


@router.get("/compare/questions", summary="The lesson's three questions and their hints")
def questions() -> list[dict[str, Any]]:
    """Each question, a hint that says what the sliders show, and the settings it names."""
    return list(QUESTIONS)


@router.get("/mnist/samples", summary="Some MNIST digits with their labels")
def mnist_samples(query: Annotated[SamplesQuery, Query()]) -> dict[str, Any]:  # type: ignore[valid-type]
    """Digits ``offset`` to ``offset + count - 1`` (fewer at the end of the data set).

    ``pixels`` is base64 of the digits' uint8 pixels (0 to 255), row by row, 784 per digit.
    """
    from neuralab.data import load_mnist

    mnist = load_mnist()
    start = query.offset  # type: ignore[attr-defined]
    rows = mnist.pixels[start:start + query.count]  # type: ignore[attr-defined]
    return {
        "shape": list(mnist.pixels.shape),
        "image_shape": list(mnist.images.shape[1:]),
        "offset": start,
        "count": len(rows),
        "labels": [int(label) for label in mnist.labels[start:start + len(rows)]],
        "encoding": "base64 uint8, row-major",
        "pixels": base64.b64encode(rows.tobytes()).decode("ascii"),
    }


@router.websocket("/compare/ws")
async def compare_stream(websocket: WebSocket, runner: Jobs, models: Models,
                         kept: Kept) -> None:
    """The comparison, epoch by epoch (protocol: :mod:`neuralab.server.compare_session`)."""
    await websocket.accept()
    await CompareSession(websocket, runner, models, _trainer(websocket.app), kept).serve()
