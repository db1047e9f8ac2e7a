"""Routes of the compare lab: the lesson's three models on MNIST, and sample digits.

``POST /api/compare`` answers with the whole comparison. ``WS /api/compare/ws`` streams it:
the client sends ``{"type": "run", "params": {...}}`` (optionally with an ``"id"`` that is
echoed back as ``"run"``) or ``{"type": "cancel"}``; the server answers ``waiting`` (when every
core is busy), ``started``, one ``epoch`` per MLP epoch, one ``model`` per finished model, then
``done`` with the result, or ``cancelled``, or ``error`` with a detail naming the parameter.
A new run cancels the one in flight, and so does closing the socket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from neuralab.labs.compare import Cancelled, ModelCache, compare_models
from neuralab.params import ParamError, validate
from neuralab.server.deps import Jobs, Models
from neuralab.server.errors import problem
from neuralab.server.jobs import ClientLeft, Job, JobCancelled, JobRunner, while_connected
from neuralab.server.schemas import request_model

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["compare"])

CompareParams = request_model("compare", "ui")
SamplesQuery = request_model("samples", "ui")

MAX_MESSAGE = 4096  # characters; a run message is about 150
MESSAGE_TYPES = ("run", "cancel")

Event = dict[str, Any]


def train(values: dict[str, Any], cancel: threading.Event, cache: ModelCache,
          on_event: Callable[[Event], None] | None = None) -> dict[str, Any]:
    """Run the comparison (UI ranges) in this thread and return it as JSON-ready data."""
    result = compare_models(**values, on_event=on_event, cancel=cancel, scope="ui",
                            cache=cache)
    return result.to_dict()


@router.post("/compare", summary="Train the three models and return the whole comparison")
async def compare(params: CompareParams,  # type: ignore[valid-type]
                  request: Request, runner: Jobs, models: Models) -> dict[str, Any]:
    values = params.model_dump()  # type: ignore[attr-defined]
    try:
        return await while_connected(
            request, runner.run(runner.submit(), lambda cancel: train(values, cancel, models)))
    except ClientLeft:
        return Response(status_code=499)  # nobody is left to read it (nginx's code)


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
async def compare_stream(websocket: WebSocket, runner: Jobs, models: Models) -> None:
    await websocket.accept()
    await CompareSession(websocket, runner, models).serve()


class BadMessage(Exception):
    """A WebSocket message we cannot act on; ``detail`` says why."""

    def __init__(self, param: str, message: str, expected: str | None = None) -> None:
        super().__init__(message)
        self.detail = [problem(param, message, expected)]


def parse_message(text: str) -> tuple[str, Any, dict[str, Any]]:
    """``(type, id, params)`` of a client message, or :class:`BadMessage`."""
    if len(text) > MAX_MESSAGE:
        raise BadMessage("message", f"a message must be at most {MAX_MESSAGE} characters")
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise BadMessage("message", f"not valid JSON: {exc}") from None
    expected_type = "one of " + ", ".join(MESSAGE_TYPES)
    if not isinstance(message, dict):
        raise BadMessage("message", 'a message must be a JSON object like {"type": "run"}')
    kind = message.get("type")
    if kind not in MESSAGE_TYPES:
        raise BadMessage("type", f"type must be {expected_type} (got {kind!r})", expected_type)
    run_id = message.get("id")
    if not (run_id is None or (isinstance(run_id, (int, str)) and len(str(run_id)) <= 64)):
        raise BadMessage("id", "id must be a number or a short text")
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise BadMessage("params", "params must be a JSON object of the comparison's settings")
    if kind == "run":
        try:
            params = validate("compare", params, scope="ui")
        except ParamError as exc:
            raise BadMessage(exc.param, str(exc), exc.expected) from None
    return kind, run_id, params


class CompareSession:
    """One WebSocket client: at most one run in flight, streamed as it trains."""

    def __init__(self, websocket: WebSocket, runner: JobRunner, models: ModelCache) -> None:
        self.websocket = websocket
        self.runner = runner
        self.models = models
        self.runs = 0
        self.job: Job | None = None
        self.task: asyncio.Task[None] | None = None
        self._send_lock = asyncio.Lock()

    async def send(self, message: Event) -> None:
        if self.websocket.client_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            # If the client has just left, serve() notices and cleans up.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.send_text(json.dumps(message, default=_json_default))

    async def serve(self) -> None:
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                await self.handle(text)
        except WebSocketDisconnect:
            pass
        finally:
            await self.stop()

    async def handle(self, text: str) -> None:
        try:
            kind, run_id, params = parse_message(text)
        except BadMessage as bad:
            await self.send({"type": "error", "detail": bad.detail})
            return
        await self.stop()
        if kind == "run":
            self.runs += 1
            self.task = asyncio.create_task(
                self.run(run_id if run_id is not None else self.runs, params))

    async def stop(self) -> None:
        """Cancel the run in flight and wait until it has said so."""
        if self.job is not None:
            self.job.cancel()
        if self.task is not None:
            await asyncio.wait([self.task])
            self.task = None

    async def run(self, run_id: Any, values: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[Event | None] = asyncio.Queue()

        def on_event(event: Event) -> None:  # called from worker threads
            loop.call_soon_threadsafe(events.put_nowait, event)

        def work(cancel: threading.Event) -> dict[str, Any]:
            on_event({"type": "started"})
            return train(values, cancel, self.models, on_event)

        job = self.job = self.runner.submit(key=self)
        future = asyncio.ensure_future(self.runner.run(
            job, work, on_wait=lambda: events.put_nowait({"type": "waiting"})))
        future.add_done_callback(lambda _: events.put_nowait(None))
        try:
            while (event := await events.get()) is not None:
                await self.send({**event, "run": run_id})
            await self.send({**self._outcome(future, job), "run": run_id})
        finally:
            future.cancel()  # only matters if this task itself was cancelled
            if self.job is job:
                self.job = None

    @staticmethod
    def _outcome(future: asyncio.Future, job: Job) -> Event:
        try:
            result = future.result()
        except (JobCancelled, Cancelled):
            return {"type": "cancelled"}
        except ParamError as exc:
            return {"type": "error", "detail": [problem(exc.param, str(exc), exc.expected)]}
        except Exception as exc:
            if job.cancelled:
                return {"type": "cancelled"}
            log.exception("comparison failed")
            return {"type": "error", "detail": [problem("run", f"training failed: {exc}")]}
        return {"type": "done", "result": result}


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays as plain numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")
