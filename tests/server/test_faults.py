"""Faults and overload: a bounded queue answered at once when full (503 + Retry-After, or an
error on the socket), the queue position told to who waits, kept comparisons answered
without a core, and a vanished client's training stopped by the WebSocket ping."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

from neuralab.labs.compare import Cancelled, ModelCache, compare_models
from neuralab.server import create_app
from neuralab.server.jobs import JobRunner, QueueFull
from neuralab.server.routers import compare as compare_router
from neuralab.server.serving import WS_PING
from tests.helpers import COMPARE_WS, LOCAL, uvicorn_thread

SMALL = {"train_size": 100, "mlp_width": 8, "mlp_depth": 1, "seed": 4242}


class Blocking:
    """A stand-in training that holds its core until it is cancelled."""

    def __init__(self) -> None:
        self.seeds: list[int] = []
        self.started = threading.Event()
        self.stopped = threading.Event()

    def __call__(self, values, cancel, cache=None, on_event=None) -> dict:
        self.seeds.append(values["seed"])
        self.started.set()
        cancel.wait(120)
        self.stopped.set()
        raise Cancelled()


@pytest.fixture
def app_with(monkeypatch):
    """An app whose comparisons are ``training`` (standing in for the real one)."""

    def make(training, **options):
        monkeypatch.setattr(compare_router, "train", training)
        return create_app(**options)

    return make


def run(ws, run_id, seed: int) -> None:
    ws.send_json({"type": "run", "id": run_id, "params": {"seed": seed}})


def first(ws, *kinds: str) -> dict:
    while (msg := ws.receive_json())["type"] not in kinds:
        pass
    return msg


@pytest.fixture(scope="module")
def kept() -> ModelCache:
    """A cache holding one real (small) comparison."""
    models = ModelCache()
    compare_models(**SMALL, cache=models, scope="ui")
    return models


def test_the_waiting_message_says_the_place_in_the_queue_and_follows_it(app_with):
    training = Blocking()
    app = app_with(training, max_jobs=1)
    with TestClient(app, base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as a, \
            client.websocket_connect(COMPARE_WS) as b, \
            client.websocket_connect(COMPARE_WS) as c:
        run(a, "a", 1)
        assert first(a, "started")["run"] == "a"
        run(b, "b", 2)
        waiting_b = first(b, "waiting")
        assert waiting_b["position"] == 1 and "expected_seconds" in waiting_b
        run(c, "c", 3)
        assert first(c, "waiting")["position"] == 2
        b.send_json({"type": "cancel"})
        assert first(b, "cancelled")["run"] == "b"
        moved = first(c, "waiting")
        assert moved["position"] == 1 and moved["run"] == "c"
        a.send_json({"type": "cancel"})
        assert first(c, "started")["run"] == "c"
        c.send_json({"type": "cancel"})
        first(c, "cancelled")


def test_a_full_queue_is_answered_at_once_on_the_socket_and_with_503(app_with):
    training = Blocking()
    app = app_with(training, max_jobs=1, queue=1)
    with TestClient(app, base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as a, \
            client.websocket_connect(COMPARE_WS) as b, \
            client.websocket_connect(COMPARE_WS) as c:
        run(a, 1, 1)
        first(a, "started")
        run(b, 2, 2)
        first(b, "waiting")
        run(c, 3, 3)
        refused = first(c, "error", "waiting", "started")
        assert refused["type"] == "error" and refused["run"] == 3
        assert refused["detail"][0]["param"] == "queue" and refused["retry_after"] >= 1
        r = client.post("/api/compare", json={"seed": 9})
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
        assert r.json()["detail"][0]["param"] == "queue"
        for ws in (b, a):  # the queued one first, so it never starts
            ws.send_json({"type": "cancel"})
            first(ws, "cancelled")
    assert training.seeds == [1]


def test_a_kept_comparison_is_answered_at_once_while_every_core_is_busy(app_with, kept):
    training = Blocking()
    app = app_with(training, max_jobs=1, models=kept)
    with TestClient(app, base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as busy, \
            client.websocket_connect(COMPARE_WS) as ws:
        run(busy, "busy", 1)
        first(busy, "started")
        ws.send_json({"type": "run", "id": "kept", "params": SMALL})
        seen = []
        while not seen or seen[-1]["type"] not in ("done", "error", "cancelled"):
            seen.append(ws.receive_json())
        assert [m["type"] for m in seen if m["type"] in ("waiting", "done")] == ["done"]
        assert any(m["type"] == "epoch" for m in seen)  # the chart is drawn as if trained
        assert {m["model"] for m in seen if m["type"] == "model"} == {
            "logistic_regression", "decision_tree", "mlp"}
        result = seen[-1]["result"]
        assert result["params"]["seed"] == SMALL["seed"]
        assert all(model["cached"] for model in result["models"].values())
        r = client.post("/api/compare", json=SMALL)
        assert r.status_code == 200 and r.json()["params"] == result["params"]
        busy.send_json({"type": "cancel"})
        first(busy, "cancelled")
    assert training.seeds == [1]


def test_the_runner_refuses_past_its_queue_and_cancels_everything_on_shutdown():
    async def scenario() -> None:
        runner = JobRunner(max_jobs=1, max_waiting=1)
        gate = threading.Event()
        running = runner.submit()  # no key: a POST's job
        first_task = asyncio.create_task(runner.run(running, lambda cancel: gate.wait(30)))
        await asyncio.sleep(0)
        waiting = runner.submit()
        places: list[tuple[int, float | None]] = []
        second = asyncio.create_task(runner.run(waiting, lambda cancel: 1,
                                                on_wait=lambda *a: places.append(a)))
        await asyncio.sleep(0)
        assert places == [(1, None)]
        with pytest.raises(QueueFull) as full:
            await runner.run(runner.submit(), lambda cancel: 1)
        assert full.value.retry_after > 0 and full.value.waiting == 1
        runner.shutdown()  # the running job is told to stop, the queued one leaves
        assert running.cancelled and waiting.cancelled
        gate.set()
        await asyncio.gather(first_task, second, return_exceptions=True)

    asyncio.run(scenario())


def test_the_expected_wait_follows_the_pace_of_finished_jobs():
    async def scenario() -> JobRunner:
        runner = JobRunner(max_jobs=2)
        assert runner.expected_wait(1) is None
        await runner.run(runner.submit(), lambda cancel: time.sleep(0.05))
        return runner

    runner = asyncio.run(scenario())
    assert 0.04 < runner.expected_wait(1) < 1
    assert runner.expected_wait(3) == pytest.approx(2 * runner.expected_wait(1))


def _silent_websocket(port: int) -> socket.socket:
    """A WebSocket opened by hand that, after its first message, never reads again (so it
    never answers a ping): a tab whose computer went to sleep or off the network."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    conn.sendall((f"GET /api/compare/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += conn.recv(1024)
    assert reply.startswith(b"HTTP/1.1 101"), reply
    payload = json.dumps({"type": "run", "id": 1, "params": {"seed": 7}}).encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    conn.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    return conn


def test_a_vanished_clients_training_stops_within_5_seconds(app_with):
    training = Blocking()
    app = app_with(training)
    with uvicorn_thread(app) as port:
        conn = _silent_websocket(port)
        try:
            assert training.started.wait(10)
            vanished = time.monotonic()
            assert training.stopped.wait(10), "the training went on for the vanished client"
            assert time.monotonic() - vanished < 5
            assert 2 * WS_PING < 5
        finally:
            conn.close()


def test_a_training_that_raises_gives_that_learner_an_error_and_nobody_else_notices(app_with):
    def fragile(values, cancel, cache=None, on_event=None) -> dict:
        if values["seed"] == 13:
            raise RuntimeError("the worker ran out of luck")
        return {"params": values, "models": {}}

    app = app_with(fragile, max_jobs=1)
    with TestClient(app, base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as unlucky, \
            client.websocket_connect(COMPARE_WS) as other:
        run(unlucky, "u", 13)
        failed = first(unlucky, "error", "done")
        assert failed["type"] == "error" and "training failed" in failed["detail"][0]["message"]
        run(other, "o", 14)
        assert first(other, "error", "done")["type"] == "done"
        run(unlucky, "again", 15)  # the unlucky socket still works
        assert first(unlucky, "error", "done")["type"] == "done"
        assert client.get("/api/health").status_code == 200
        assert app.state.jobs.running == 0
