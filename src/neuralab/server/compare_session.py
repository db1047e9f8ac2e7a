"""One WebSocket client of the compare view: only its newest run may train.

The client sends ``run`` (with the comparison's settings) or ``cancel``
(:mod:`neuralab.server.protocol`); the server answers ``waiting`` (when every core is busy:
``position`` in the queue, 1 for next, and ``expected_seconds``, or null before any
training has finished; sent again whenever the position changes), ``started``, one
``epoch`` per MLP epoch, one ``model`` per finished model, then ``done`` with the result,
or ``cancelled``, or ``error`` with a detail naming the parameter (with ``retry_after``
seconds when the queue is full). Every answer carries the run's ``run`` id. A comparison
already in the app's cache is answered at once, never waiting for a core: its epochs and
models replayed, then ``done``.

Runs are taken one at a time by the session's worker task. A new message cancels the run
in flight (it stops at its next epoch) and replaces any run still waiting to start: a
replaced run is answered ``cancelled`` and never trains, so a burst of slider moves costs
one training, the newest. Closing the socket cancels everything. Over its message rate
(:class:`~neuralab.server.protocol.RateLimit`) a socket's messages are coalesced: only the
newest is acted on, once the rate allows. And while messages stream in (less than
:data:`QUIET` seconds apart) the newest run waits for a pause before it starts, so a flood
starts one training, not one per message that happened to find the worker free.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from neuralab.labs.compare import Cancelled, ComparisonResult, ModelCache
from neuralab.params import ParamError
from neuralab.server.errors import problem
from neuralab.server.jobs import Job, JobCancelled, JobRunner, QueueFull
from neuralab.server.learners import Comparisons
from neuralab.server.protocol import BadMessage, RateLimit, json_default, parse_message

log = logging.getLogger(__name__)

Event = dict[str, Any]
QUIET = 0.1  # seconds: messages closer than this are a burst; its newest run waits it out
Train = Callable[..., dict[str, Any]]  # train(values, cancel, cache, on_event)


class CompareSession:
    """Serves one socket: ``await CompareSession(websocket, runner, models, train).serve()``.

    With ``kept`` (the learner's view, :class:`~neuralab.server.learners.Comparisons`), the
    learner's own kept comparisons are answered at once too, each finished run is kept for
    them, and their jobs share the cores fairly with other learners'.
    """

    def __init__(self, websocket: WebSocket, runner: JobRunner, models: ModelCache,
                 train: Train, kept: Comparisons | None = None) -> None:
        self.websocket = websocket
        self.runner = runner
        self.models = models
        self.train = train
        self.kept = kept
        self.runs = 0  # runs asked for, to number those sent without an id
        self.job: Job | None = None  # the run in flight
        self.pending: tuple[Any, dict[str, Any]] | None = None  # the newest run not started
        self._wake = asyncio.Event()
        self._send_lock = asyncio.Lock()
        self.limit = RateLimit()
        self.deferred: str | None = None  # the newest message over the rate, not acted on
        self._flusher: asyncio.Task[None] | None = None
        self.heard = -math.inf  # (loop time) when the last message came
        self.gap = math.inf  # seconds between the last two messages

    async def send(self, message: Event) -> None:
        if self.websocket.client_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            # If the client has just left, serve() notices and cleans up.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.send_text(json.dumps(message, default=json_default))

    async def serve(self) -> None:
        worker = asyncio.create_task(self._work())
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                now = asyncio.get_running_loop().time()
                self.gap, self.heard = now - self.heard, now
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                if self.deferred is not None or not self.limit.take():
                    self.deferred = text  # replaces any older message over the rate
                    if self._flusher is None:
                        self._flusher = asyncio.create_task(self._flush())
                    continue
                await self.handle(text)
        except WebSocketDisconnect:
            pass
        finally:
            self.pending = self.deferred = None
            if self.job is not None:
                self.job.cancel()
            for task in (worker, self._flusher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def _flush(self) -> None:
        """Act on the newest message held back by the rate, as soon as the rate allows."""
        try:
            while self.deferred is not None:  # (a newer one may come while handling)
                if not self.limit.take():
                    await asyncio.sleep(self.limit.wait())
                    continue
                text, self.deferred = self.deferred, None
                await self.handle(text)
        finally:
            self._flusher = None

    async def handle(self, text: str) -> None:
        """Act on one client message at once (never waits for a training)."""
        try:
            message = parse_message(text, "compare")
        except BadMessage as bad:
            await self.send({"type": "error", "detail": bad.detail})
            return
        # The state changes first, with no await between them: two handle() calls (the
        # receiving loop's and the rate's flush) may interleave only at the send below.
        replaced, self.pending = self.pending, None
        if self.job is not None:
            self.job.cancel()
        if message.type == "run":
            self.runs += 1
            self.pending = (message.id if message.id is not None else self.runs,
                            message.params)
            self._wake.set()
        if replaced is not None:  # replaced before it started: it never will
            await self.send({"type": "cancelled", "run": replaced[0]})

    async def _work(self) -> None:
        """Run the newest pending run, one at a time, for as long as the socket is open."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(0)  # let messages already received replace the pending run
            self._wake.clear()
            while self.pending is not None and (delay := self._settle()) > 0:
                await asyncio.sleep(delay)
            if self.pending is None:
                continue
            (run_id, values), self.pending = self.pending, None
            source = self.kept or self.models
            cached = source.comparison(values, scope="ui")
            if cached is not None:
                for event in replay(cached):
                    await self.send({**event, "run": run_id})
                if self.kept is not None:
                    self.kept.keep(values, scope="ui")
                continue
            owner = self.kept.learner if self.kept is not None else None
            job = self.job = self.runner.submit(key=self, owner=owner or self)
            try:
                await self._run(run_id, values, job)
            finally:
                if self.job is job:
                    self.job = None

    def _settle(self) -> float:
        """Seconds the pending run should still wait: none unless messages stream in."""
        if self.gap >= QUIET:
            return 0.0
        return QUIET - (asyncio.get_running_loop().time() - self.heard)

    async def _run(self, run_id: Any, values: dict[str, Any], job: Job) -> None:
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[Event | None] = asyncio.Queue()

        def on_event(event: Event) -> None:  # called from worker threads
            loop.call_soon_threadsafe(events.put_nowait, event)

        def work(cancel: threading.Event) -> dict[str, Any]:
            on_event({"type": "started"})
            return self.train(values, cancel, self.models, on_event)

        def on_wait(position: int, expected: float | None) -> None:
            events.put_nowait({"type": "waiting", "position": position,
                               "expected_seconds": None if expected is None
                               else round(expected, 1)})

        future = asyncio.ensure_future(self.runner.run(job, work, on_wait=on_wait))
        future.add_done_callback(lambda _: events.put_nowait(None))
        try:
            while (event := await events.get()) is not None:
                await self.send({**event, "run": run_id})
            outcome = _outcome(future, job)
            if outcome["type"] == "done" and self.kept is not None:
                self.kept.keep(values, scope="ui")
            await self.send({**outcome, "run": run_id})
        finally:
            future.cancel()  # only matters if this task itself was cancelled


def reused(result: ComparisonResult) -> dict[str, Any]:
    """A kept comparison as a run's result, each model marked as reused."""
    out = result.to_dict()
    for model in out["models"].values():
        model["cached"] = True
    return out


def replay(result: ComparisonResult) -> list[Event]:
    """The messages of a run answered from the cache: ``started``, the MLP's epochs, each
    model, then ``done``, as a training would send them."""
    events: list[Event] = [{"type": "started", "cached": True}]
    events += [{"type": "epoch", "model": "mlp", **point, "cached": True}
               for point in result.models["mlp"].details.get("curve", [])]
    answer = reused(result)
    events += [{"type": "model", "model": name, "accuracy": model["accuracy"],
                "seconds": model["seconds"], "cached": True}
               for name, model in answer["models"].items()]
    return [*events, {"type": "done", "result": answer}]


def _outcome(future: asyncio.Future, job: Job) -> Event:
    try:
        result = future.result()
    except (JobCancelled, Cancelled):
        return {"type": "cancelled"}
    except QueueFull as full:
        return {"type": "error", "detail": [problem("queue", str(full))],
                "retry_after": math.ceil(full.retry_after)}
    except ParamError as exc:
        return {"type": "error", "detail": [problem(exc.param, str(exc), exc.expected)]}
    except Exception as exc:
        if job.cancelled:
            return {"type": "cancelled"}
        log.exception("comparison failed")
        return {"type": "error", "detail": [problem("run", f"training failed: {exc}")]}
    return {"type": "done", "result": result}
