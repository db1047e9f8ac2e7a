"""One WebSocket client of the playground: its run, trained in a worker, drawn at its pace.

The page sends JSON messages ``{"type": ..., ...}``:

- ``reset`` with ``params`` (every playground setting): a new run at epoch 0;
- ``set`` with ``params`` (learning rate, optimizer, regularization, its rate, batch
  size): changed in place, the next epoch uses them;
- ``play``, ``pause``, ``step`` (one epoch), ``regenerate`` (``seed``: new points, the
  network kept), ``edit`` (``layer``, ``neuron``, ``source`` (None: the bias), ``value``),
  ``use`` (``id`` of uploaded points), ``point`` (``action`` add with ``x1``, ``x2``,
  ``label``, or remove with ``x1``, ``x2``: the nearest point within 0.3; the run restarts at
  epoch 0 on the points, which are kept like an upload: the ``points`` answer has their
  ``id`` for the download), ``export`` (``format``: json, numpy or torch),
  ``trace`` and ``apply`` (``point``: the index of a training point; pause, then answer one
  update on that point step by step, made for real by ``apply``), and ``ack`` when it takes
  a frame to draw.

The server answers ``points`` (the data to draw), ``frame`` (:meth:`Playground.frame` and the
``state``: paused, playing or diverged), ``state``, ``export`` (``format``, ``text``),
``trace`` and ``applied`` (``trace``: :func:`neuralab.labs.playground.backprop.trace`;
``applied`` is followed by a frame) and ``error`` (a detail naming the parameter, as a 422
would; the socket stays open).

Frames go at the page's pace: at most one is on its way; the page's ``ack`` lets the next go.
While playing, the worker trains epoch after epoch and makes a frame only when the page is
ready for one; a frame made while one is on its way replaces any frame still waiting, so a
slow page skips frames and never falls behind. A loss that becomes NaN or infinite stops the
run (state ``diverged``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from neuralab.labs.playground import Playground, export
from neuralab.labs.playground.data import Points
from neuralab.labs.playground.session import LIVE
from neuralab.params import ParamError, validate
from neuralab.server.errors import problem
from neuralab.server.jobs import JobCancelled, JobRunner
from neuralab.server.protocol import MAX_MESSAGE, BadMessage

TYPES = ("reset", "set", "play", "pause", "step", "regenerate", "edit", "use", "ack", "export",
         "point", "trace", "apply")
POINT_ACTIONS = ("add", "remove")
EXPORTS = ("json", "numpy", "torch")
GRID, THUMB = 100, 25

log = logging.getLogger(__name__)


class PointStore:
    """Uploaded point sets by id, the newest ``size`` kept (owned by the app)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._sets: OrderedDict[str, Points] = OrderedDict()

    def add(self, points: Points) -> str:
        key = secrets.token_urlsafe(8)
        self._sets[key] = points
        while len(self._sets) > self.size:
            self._sets.popitem(last=False)
        return key

    def get(self, key: str) -> Points:
        if key not in self._sets:
            raise ParamError("id", "the id of points uploaded to this server", key)
        return self._sets[key]


def parse(text: str) -> dict[str, Any]:
    """Check one message's shape and its settings (UI ranges); raises :class:`BadMessage`."""
    if len(text) > MAX_MESSAGE:
        raise BadMessage("message", f"a message must be at most {MAX_MESSAGE} characters")
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise BadMessage("message", f"not valid JSON: {exc}") from None
    if not isinstance(message, dict):
        raise BadMessage("message", 'a message must be a JSON object like {"type": "play"}')
    expected = "one of " + ", ".join(TYPES)
    if message.get("type") not in TYPES:
        raise BadMessage("type", f"type must be {expected} (got {message.get('type')!r})",
                         expected)
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise BadMessage("params", "params must be a JSON object of playground settings")
    try:
        if message["type"] == "set":
            unknown = sorted(set(params) - set(LIVE))
            if unknown:
                raise ParamError(unknown[0], "one of " + ", ".join(LIVE), unknown[0])
            message["params"] = validate("playground", params, scope="ui", partial=True)
        elif message["type"] == "reset":
            message["params"] = validate("playground", params, scope="ui")
        elif message["type"] == "regenerate":
            message["seed"] = validate("playground", {"seed": message.get("seed")},
                                       scope="ui", partial=True)["seed"]
    except ParamError as exc:
        raise BadMessage(exc.param, str(exc), exc.expected) from None
    if message["type"] == "edit":
        for name in ("layer", "neuron", "source"):
            value = message.get(name)
            if not (isinstance(value, int) and not isinstance(value, bool)
                    or (name == "source" and value is None)):
                raise BadMessage(name, f"{name} must be a whole number"
                                 + (" or null (the bias)" if name == "source" else ""))
        value = message.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadMessage("value", "value must be a number")
    if message["type"] == "export" and message.get("format") not in EXPORTS:
        raise BadMessage("format", "format must be one of " + ", ".join(EXPORTS),
                         ", ".join(EXPORTS))
    if message["type"] == "point":
        if message.get("action") not in POINT_ACTIONS:
            raise BadMessage("action", "action must be add or remove", "add, remove")
        for name in ("x1", "x2", *(("label",) if message["action"] == "add" else ())):
            value = message.get(name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadMessage(name, f"{name} must be a number")
    if message["type"] in ("trace", "apply") and (isinstance(message.get("point"), bool)
                                                  or not isinstance(message.get("point"), int)):
        raise BadMessage("point", "point must be the index of a training point (a whole number)")
    if message["type"] == "use" and not isinstance(message.get("id"), str):
        raise BadMessage("id", "id must be the text an upload answered")
    return message


class PlaygroundSession:
    """Serves one socket: ``await PlaygroundSession(websocket, runner, store).serve()``."""

    def __init__(self, websocket: WebSocket, runner: JobRunner, store: PointStore) -> None:
        self.websocket = websocket
        self.runner = runner
        self.store = store
        self.run: Playground | None = None
        self.lock = threading.Lock()  # the run is stepped in a worker and edited here
        self.state = "paused"
        self.playing: asyncio.Task | None = None
        self.job = None
        self.in_flight = False  # a frame is on its way to the page
        self.waiting: dict[str, Any] | None = None  # the newest frame not yet sent
        self.wanted = threading.Event()  # the page can take a frame now
        self.wanted.set()
        self._send_lock = asyncio.Lock()

    # ------------------------------------------------------------------ sending

    async def send(self, message: dict[str, Any]) -> None:
        if self.websocket.client_state != WebSocketState.CONNECTED:
            return
        async with self._send_lock:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                await self.websocket.send_text(json.dumps(message))

    async def offer(self, frame: dict[str, Any]) -> None:
        """Send ``frame`` now if the page is ready, else keep it (replacing an older one)."""
        if self.in_flight:
            self.waiting = frame
            return
        self.in_flight = True
        self.wanted.clear()
        await self.send({"type": "frame", **frame})

    async def ack(self) -> None:
        self.in_flight = False
        if self.waiting is not None:
            frame, self.waiting = self.waiting, None
            await self.offer(frame)
        else:
            self.wanted.set()

    def _frame(self) -> dict[str, Any]:
        with self.lock:
            frame = self.run.frame(GRID, THUMB)  # type: ignore[union-attr]
        if frame["diverged"]:
            self.state = "diverged"
        return {**frame, "state": self.state}

    # ------------------------------------------------------------------ serving

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
        """Act on one message; a bad one is answered with an error naming the parameter."""
        try:
            message = parse(text)
            await getattr(self, f"on_{message['type']}")(message)
        except BadMessage as bad:
            await self.send({"type": "error", "detail": bad.detail})
        except ParamError as exc:
            await self.send({"type": "error",
                             "detail": [problem(exc.param, str(exc), exc.expected)]})

    def _need_run(self) -> Playground:
        if self.run is None:
            raise BadMessage("type", "send reset with the settings first", "reset")
        return self.run

    async def _restart(self, make: Any) -> None:
        await self.stop()
        run = make()
        with self.lock:
            self.run = run
        self.state = "paused"
        await self.send({"type": "points", **run.points_for_page()})
        await self.offer(self._frame())

    async def on_reset(self, message: dict[str, Any]) -> None:
        await self._restart(lambda: Playground(**message["params"]))

    async def on_use(self, message: dict[str, Any]) -> None:
        points = self.store.get(message["id"])
        run = self._need_run()

        def make() -> Playground:
            fresh = Playground(**run.settings)
            fresh.use_points(points)
            return fresh
        await self._restart(make)

    async def on_point(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        await self.stop()
        with self.lock:
            if message["action"] == "add":
                run.add_point(message["x1"], message["x2"], message["label"])
            else:
                run.remove_point(message["x1"], message["x2"])
        self.state = "paused"
        key = self.store.add(run.points)
        await self.send({"type": "points", **run.points_for_page(), "id": key})
        await self.offer(self._frame())

    async def on_set(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        with self.lock:
            run.set(**message["params"])

    async def on_regenerate(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        with self.lock:
            run.regenerate(message["seed"])
        await self.send({"type": "points", **run.points_for_page()})
        if self.playing is None:
            await self.offer(self._frame())

    async def on_edit(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        with self.lock:
            run.edit(message["layer"], message["neuron"], message["source"], message["value"])
        if self.playing is None:
            await self.offer(self._frame())

    async def on_export(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        with self.lock:
            text = {"json": lambda: json.dumps(export.to_json(run), indent=1),
                    "numpy": lambda: export.numpy_script(run),
                    "torch": lambda: export.torch_script(run)}[message["format"]]()
        await self.send({"type": "export", "format": message["format"], "text": text})

    async def on_trace(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        await self.stop()
        with self.lock:
            trace = run.trace(message["point"])
        await self.send({"type": "trace", "trace": trace})

    async def on_apply(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        await self.stop()
        with self.lock:
            trace = run.apply(message["point"])
        await self.send({"type": "applied", "trace": trace})
        await self.offer(self._frame())

    async def on_ack(self, message: dict[str, Any]) -> None:
        await self.ack()

    async def on_step(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        if self.playing is not None:
            await self.stop()

        def one(cancel: threading.Event) -> None:
            with self.lock:
                run.step(1)
        await self.runner.run(self.runner.submit(key=self), one)
        await self.offer(self._frame())

    async def on_pause(self, message: dict[str, Any]) -> None:
        await self.stop()

    async def on_play(self, message: dict[str, Any]) -> None:
        run = self._need_run()
        if self.playing is not None:
            return
        self.state = "playing"
        await self.send({"type": "state", "state": "playing"})
        self.playing = asyncio.ensure_future(self._play(run))

    async def _play(self, run: Playground) -> None:
        loop = asyncio.get_running_loop()

        def post(frame: dict[str, Any]) -> None:  # from the worker thread
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self.offer(frame)))

        def work(cancel: threading.Event) -> None:
            while not cancel.is_set():
                with self.lock:
                    run.step(1)
                    finite = all(np.isfinite(layer.weights).all()
                                 for layer in run.net.layers)
                    frame = run.frame(GRID, THUMB) if self.wanted.is_set() or not finite \
                        else None
                    if frame is not None:
                        self.wanted.clear()
                if frame is not None:
                    if frame["diverged"] or not finite:
                        self.state = "diverged"
                        post({**frame, "diverged": True, "state": "diverged"})
                        return
                    post({**frame, "state": "playing"})

        self.job = job = self.runner.submit(key=self)
        try:
            await self.runner.run(job, work)
        except JobCancelled:  # paused while waiting for a core
            pass
        except Exception as exc:
            log.exception("playground training failed")
            await self.send({"type": "error", "detail": [problem("run", f"training failed: "
                                                                       f"{exc}")]})
        finally:
            self.job = None
            self.playing = None
            if self.state == "playing":
                self.state = "paused"
            await asyncio.sleep(0)  # let the worker's last frame be offered first
            if self.state == "paused":
                await self.offer(self._frame())
            await self.send({"type": "state", "state": self.state,
                             "epoch": run.epoch})

    async def stop(self) -> None:
        """Stop playing (the current epoch ends first)."""
        task = self.playing
        if task is None:
            return
        if self.job is not None:
            self.job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

