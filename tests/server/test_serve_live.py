"""The real `neuralab serve` over real HTTP and WebSockets on loopback: the token, Origin and
Host checks as a browser or a program meets them, and the server's limits and faults."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.helpers import start_serve, wait_for_port

TOKEN = "live-s3cret"


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen, int]]:
    """A `neuralab serve` on a free loopback port; stopped (killed if need be) at the end."""
    proc, port = start_serve(*args)
    try:
        wait_for_port(port)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stderr.close()


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def with_token():
    with serving("--token", TOKEN) as (_, port):
        yield port


def test_a_token_given_on_loopback_is_required(with_token):
    base = f"http://127.0.0.1:{with_token}"
    assert get(base + "/api/health")[0] == 401
    assert get(base + "/openapi.json")[0] == 401
    status, headers, _ = get(base + f"/api/health?token={TOKEN}")
    assert status == 200
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert get(base + "/docs", {"Cookie": cookie})[0] == 200
    assert get(base + "/api/health", {"Authorization": f"token {TOKEN}"})[0] == 200


def test_the_websocket_needs_the_token_and_the_labs_own_origin(with_token):
    ws = f"ws://127.0.0.1:{with_token}/api/compare/ws"
    with pytest.raises(InvalidStatus) as refused, connect(ws, open_timeout=10):
        pass
    assert refused.value.response.status_code == 403
    own = f"http://127.0.0.1:{with_token}"
    with pytest.raises(InvalidStatus), connect(ws + f"?token={TOKEN}", open_timeout=10,
                                               origin="http://evil.example"):
        pass
    with connect(ws + f"?token={TOKEN}", open_timeout=10, origin=own) as socket:
        socket.send("{oops")
        assert json.loads(socket.recv(timeout=10))["type"] == "error"


def test_a_foreign_host_header_is_refused_over_http(with_token):
    connection = http.client.HTTPConnection("127.0.0.1", with_token, timeout=10)
    try:
        connection.request("GET", f"/api/health?token={TOKEN}",
                           headers={"Host": "rebound.evil.example"})
        assert connection.getresponse().status == 403
    finally:
        connection.close()


HEAVY = {"train_size": 5000, "mlp_depth": 8, "mlp_width": 64, "tree_depth": 20}


def test_sigterm_stops_the_server_within_2_seconds_whatever_is_training():
    """Trainings running and queued, from POSTs (which uvicorn would wait for) and from a
    WebSocket: SIGTERM still stops the server within 2 s."""
    with serving() as (proc, port):
        posted: list[object] = []

        def post(seed: int) -> None:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/compare", method="POST",
                data=json.dumps({**HEAVY, "seed": seed}).encode(),
                headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    posted.append(r.status)
            except Exception as exc:  # the server went away: what we want
                posted.append(exc)

        posters = [threading.Thread(target=post, args=(31340 + i,), daemon=True)
                   for i in range(8)]
        for poster in posters:
            poster.start()
        with connect(f"ws://127.0.0.1:{port}/api/compare/ws", open_timeout=20) as ws:
            ws.send(json.dumps({"type": "run", "params": {**HEAVY, "seed": 31337}}))
            while (msg := json.loads(ws.recv(timeout=60)))["type"] != "waiting":
                assert msg["type"] not in ("done", "error"), msg
            assert msg["position"] >= 2  # POSTs run and wait ahead of this run
            children = psutil.Process(proc.pid).children(recursive=True)
            assert children  # the training processes (and their forkserver)
            t0 = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            stopped_in = time.monotonic() - t0
        _, alive = psutil.wait_procs(children, timeout=5)
        assert not alive, f"left running: {alive}"
        for poster in posters:
            poster.join(10)
    assert stopped_in < 2, f"SIGTERM took {stopped_in:.1f} s"
    assert any(not isinstance(outcome, int) for outcome in posted)  # some never finished


def test_a_flood_of_2000_runs_on_one_real_socket_trains_only_the_newest():
    """The issue's flood, over real loopback: 2,000 valid runs sent at once (well under
    0.5 s here), then only the newest trains to the end."""
    with serving() as (_, port), \
            connect(f"ws://127.0.0.1:{port}/api/compare/ws", open_timeout=20) as ws:
        for i in range(2000):
            ws.send(json.dumps({"type": "run", "id": i,
                                "params": {**HEAVY, "seed": 50_000 + i}}))
        seen = []
        while not (seen and seen[-1].get("run") == 1999 and seen[-1]["type"] in
                   ("done", "error", "cancelled")):
            seen.append(json.loads(ws.recv(timeout=60)))
    assert seen[-1]["type"] == "done"
    assert {m["run"] for m in seen if m["type"] == "done"} == {1999}
    started = {m["run"] for m in seen if m["type"] == "started"}
    assert 1999 in started and len(started) <= 2  # the first may start before the rest came


def test_allow_host_adds_a_name_the_lab_answers_to():
    with serving("--allow-host", "lab.school.example, other.example") as (_, port):
        for host, status in (("lab.school.example", 200), (f"other.example:{port}", 200),
                             ("third.example", 403)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", "/api/health", headers={"Host": host})
                assert connection.getresponse().status == status, host
            finally:
                connection.close()
