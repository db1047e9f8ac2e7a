"""Limits on one client: body size (413 before parsing), body and header read timeouts, JSON
nesting (422, never 500), and each WebSocket's message size, nesting and rate."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from neuralab.server.errors import MAX_DETAIL
from neuralab.server.limits import MAX_BODY, MAX_DEPTH, BodyLimit, json_depth, json_shape
from neuralab.server.protocol import BURST, RATE, RateLimit
from neuralab.server.routers import compare as compare_router
from tests.helpers import COMPARE_WS, LOCAL, uvicorn_thread

JSON_POSTS = ["/api/compare", "/api/pixels/compose", "/api/functions/check",
              "/api/inside/predict"]


@pytest.fixture(scope="module")
def client(lenient_client):
    return lenient_client


def _post_routes(client: TestClient) -> list[str]:
    spec = client.get("/openapi.json").json()
    return [path for path, ops in spec["paths"].items() if "post" in ops]


def test_every_post_route_refuses_a_body_over_the_cap_with_413(client):
    routes = _post_routes(client)
    assert set(JSON_POSTS) <= set(routes) and "/api/inside/predict.png" in routes
    too_big = b"[" + b"0," * (MAX_BODY // 2) + b"0]"
    for path in routes:
        r = client.post(path, content=too_big, headers={"content-type": "application/json"})
        assert r.status_code == 413, path
        assert r.json()["detail"][0]["param"] == "body"


def test_a_chunked_body_over_the_cap_is_cut_off_with_413(client):
    r = client.post("/api/pixels/compose", content=iter([b" " * 65536] * 32),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413

    received: list[int] = []

    async def endless() -> dict:  # a client that would send chunks for ever
        received.append(1)
        return {"type": "http.request", "body": b" " * 65536, "more_body": True}

    async def scenario() -> list[dict]:
        out: list[dict] = []

        async def send(message: dict) -> None:
            out.append(message)

        scope = {"type": "http", "method": "POST",
                 "headers": [(b"transfer-encoding", b"chunked")]}
        await BodyLimit(None, MAX_BODY)(scope, endless, send)  # type: ignore[arg-type]
        return out

    assert asyncio.run(scenario())[0]["status"] == 413
    assert len(received) == MAX_BODY // 65536 + 1  # it stopped reading past the cap


def test_a_declared_length_over_the_cap_is_refused_unread():
    seen: list[dict] = []

    async def receive() -> dict:
        seen.append({})
        return {"type": "http.request", "body": b"", "more_body": True}

    async def scenario() -> list[dict]:
        out: list[dict] = []

        async def send(message: dict) -> None:
            out.append(message)

        scope = {"type": "http", "method": "POST", "headers": [
            (b"content-length", str(MAX_BODY + 1).encode())]}
        await BodyLimit(None, MAX_BODY)(scope, receive, send)  # type: ignore[arg-type]
        return out

    answer = asyncio.run(scenario())
    assert answer[0]["status"] == 413 and seen == []


def test_a_body_not_sent_in_time_is_answered_408():
    async def never(*_):
        await asyncio.Event().wait()

    async def scenario() -> list[dict]:
        out: list[dict] = []

        async def send(message: dict) -> None:
            out.append(message)

        scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"10")]}
        await BodyLimit(never, timeout=0.1)(scope, never, send)  # type: ignore[arg-type]
        return out

    answer = asyncio.run(scenario())
    assert answer[0]["status"] == 408
    assert json.loads(answer[1]["body"])["detail"][0]["param"] == "body"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_is_422_on_every_json_route(client, depth):
    for path in JSON_POSTS:
        for body in ("[" * depth + "]" * depth, '{"pixels": ' + "[" * depth,
                     '{"a":' * depth + "1" + "}" * depth):
            for kind in ("application/json", "text/plain", None):  # FastAPI reads all three
                headers = {"content-type": kind} if kind else {}
                r = client.post(path, content=body, headers=headers)
                assert r.status_code == 422, (path, depth, kind, r.text[:200])
                assert r.json()["detail"][0]["param"]


def test_a_body_of_many_keys_is_refused_before_parsing(client):
    body = json.dumps({f"k{i}": 1 for i in range(80_000)})
    for path in JSON_POSTS:
        t0 = time.perf_counter()
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["param"] == "body", path
        assert time.perf_counter() - t0 < 1, path  # was 2 s, and 80,000 problems back
    assert json_shape('{"a": ":", "b": [1, {"c": 2}]}') == (3, 3)
    # under the key cap, the answer still names at most MAX_DETAIL problems
    r = client.post("/api/compare", json={f"k{i}": 1 for i in range(200)})
    assert r.status_code == 422 and len(r.json()["detail"]) == MAX_DETAIL


def test_nesting_under_the_cap_is_still_a_4xx(client):
    for path in JSON_POSTS:
        body = {"pixels": [[[[[[1]]]]]] * 28, "code": [[[[["x"]]]]], "red": [[[[[0]]]]]}
        r = client.post(path, json=body)
        assert 400 <= r.status_code < 500, (path, r.text[:200])


def test_json_depth_ignores_strings_and_is_linear():
    assert json_depth(b"1") == 0 and json_depth("[[1], [2]]") == 2
    assert json_depth('{"a": "[[[[[[", "b": ["\\"[["]}') == 2
    big = b"[" + b"0.25," * 200_000 + b"1]"
    t0 = time.perf_counter()
    assert json_depth(big) == 1
    assert time.perf_counter() - t0 < 0.5


def test_a_connection_sending_headers_byte_by_byte_is_closed():
    with uvicorn_thread(create_app(), header_timeout=0.5) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        t0 = time.monotonic()
        request = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
        closed = False
        for byte in request:  # one byte each 20 ms: 4 s for the whole line, if allowed
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.02)
            if time.monotonic() - t0 > 3:
                break
        if not closed:
            conn.settimeout(3)
            closed = conn.recv(1024) == b""
        assert closed and time.monotonic() - t0 < 3


def test_a_quick_request_on_the_same_server_is_served():
    with uvicorn_thread(create_app(), header_timeout=0.5) as port, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        for _ in range(2):  # two requests on one kept-alive connection
            conn.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert conn.recv(4096).startswith(b"HTTP/1.1 200")


# -- WebSockets ---------------------------------------------------------------------------

class Recording:
    """A stand-in training that records the seeds it was started with and finished."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []

    def __call__(self, values, cancel, cache=None, on_event=None) -> dict:
        from neuralab.labs.compare import Cancelled

        self.started.append(values["seed"])
        for epoch in range(1, 11):
            if cancel.wait(0.01):
                raise Cancelled()
            on_event({"type": "epoch", "model": "mlp", "epoch": epoch, "loss": 1.0,
                      "val_accuracy": 0.5})
        self.finished.append(values["seed"])
        return {"params": values, "models": {}}


def test_a_flood_of_2000_runs_on_one_socket_trains_only_the_newest(monkeypatch):
    training = Recording()
    monkeypatch.setattr(compare_router, "train", training)
    with TestClient(create_app(), base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as ws:
        for i in range(2000):
            ws.send_json({"type": "run", "id": i, "params": {"seed": i}})
        seen = []
        while not (seen and seen[-1].get("run") == 1999 and seen[-1]["type"] in
                   ("done", "cancelled", "error")):
            seen.append(ws.receive_json())
    assert seen[-1]["type"] == "done"
    assert training.finished == [1999]
    # A run starts when the socket has been quiet for 0.1 s: a sender descheduled that long
    # on a loaded machine lets one start (and be cancelled at once). Never one per message.
    assert len(training.started) <= 10
    assert sum(m["type"] == "started" for m in seen) <= 10


def test_a_flood_of_bad_messages_is_answered_at_the_rate_only(monkeypatch):
    monkeypatch.setattr(compare_router, "train", Recording())
    with TestClient(create_app(), base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as ws:
        t0 = time.monotonic()
        for _ in range(2000):
            ws.send_text("{oops")
        ws.send_json({"type": "run", "id": "last", "params": {"seed": 5}})
        seen = []
        while not (seen and seen[-1].get("run") == "last" and seen[-1]["type"] == "done"):
            seen.append(ws.receive_json())
        took = time.monotonic() - t0
    errors = sum(m["type"] == "error" for m in seen)
    assert BURST <= errors <= BURST + RATE * took + 1  # not 2,000 parses and answers
    assert errors < 2000


def test_oversized_and_deep_messages_are_answered_and_the_socket_works(monkeypatch):
    monkeypatch.setattr(compare_router, "train", Recording())
    with TestClient(create_app(), base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as ws:
        for bad in ("[" * 4000, '{"type": "run", "params": ' + "[" * 2000,
                    json.dumps({"type": "run", "params": {"seed": 1}, "pad": "x" * 10_000})):
            ws.send_text(bad)
            reply = ws.receive_json()
            assert reply["type"] == "error" and reply["detail"][0]["param"] == "message"
        ws.send_json({"type": "run", "id": 1, "params": {"seed": 1}})
        while (msg := ws.receive_json())["type"] not in ("done", "error"):
            pass
        assert msg["type"] == "done"


def test_the_rate_limit_refills_at_its_rate():
    now = [0.0]
    limit = RateLimit(rate=10, burst=3, clock=lambda: now[0])
    assert [limit.take() for _ in range(4)] == [True, True, True, False]
    assert limit.wait() == pytest.approx(0.1)
    now[0] += 0.1
    assert limit.take() and not limit.take()
    now[0] += 100
    assert sum(limit.take() for _ in range(10)) == 3
