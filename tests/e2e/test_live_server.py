"""The real server over real HTTP and WebSockets: a class at once, trainings queued by core,
bad messages answered, and everyone else still served.

It runs a real `neuralab serve` (the `lab_url` fixture), so it runs with the browser tests,
after the fast unit pass.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request

import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e


def _ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/api/compare/ws"


def _run(url: str, params: dict, out: list, timeout: float = 120) -> None:
    with connect(_ws(url), open_timeout=20) as ws:
        ws.send(json.dumps({"type": "run", "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv(timeout=timeout))
            out.append(msg)
            if msg["type"] in ("done", "error", "cancelled"):
                return


def test_a_class_of_learners_at_once(lab_url):
    n = 6
    results: list[list[dict]] = [[] for _ in range(n)]
    threads = [threading.Thread(target=_run, args=(
        lab_url, {"train_size": 2000, "seed": 1000 + i, "mlp_width": 48}, results[i]))
        for i in range(n)]
    for t in threads:
        t.start()
    # the server answers everyone else while the trainings run
    time.sleep(0.2)
    t0 = time.monotonic()
    with urllib.request.urlopen(lab_url + "/api/health", timeout=10) as r:
        assert json.load(r)["status"] == "ok"
    health_seconds = time.monotonic() - t0
    for t in threads:
        t.join(180)
    for msgs in results:
        assert msgs[-1]["type"] == "done", msgs[-3:]
        assert any(m["type"] == "epoch" for m in msgs)
        models = msgs[-1]["result"]["models"]
        assert set(models) == {"logistic_regression", "decision_tree", "mlp"}
    # more learners than cores: some had to wait their turn, and were told so
    if n > (os.cpu_count() or 1):
        assert any(m["type"] == "waiting" for msgs in results for m in msgs)
    assert health_seconds < 5


def test_bad_messages_are_answered_and_the_socket_keeps_working(lab_url):
    with connect(_ws(lab_url), open_timeout=20) as ws:
        for bad in ("{oops", json.dumps({"type": "fly"}),
                    json.dumps({"type": "run", "params": {"mlp_width": 65}}), "[]"):
            ws.send(bad)
            reply = json.loads(ws.recv(timeout=20))
            assert reply["type"] == "error" and reply["detail"][0]["message"]
        ws.send(json.dumps({"type": "run", "params": {"train_size": 100}}))
        while (msg := json.loads(ws.recv(timeout=60)))["type"] not in ("done", "error"):
            pass
        assert msg["type"] == "done"


def test_a_tab_closed_mid_run_leaves_the_server_serving(lab_url):
    with connect(_ws(lab_url), open_timeout=20) as ws:
        ws.send(json.dumps({"type": "run", "params": {"train_size": 5000, "seed": 77,
                                                      "mlp_depth": 8, "mlp_width": 64}}))
        assert json.loads(ws.recv(timeout=30))["type"] in ("started", "waiting")
    # the tab is closed mid-training (cancellation itself is tested in test_jobs.py)
    out: list[dict] = []
    t0 = time.monotonic()
    _run(lab_url, {"train_size": 100, "seed": 78}, out)
    assert out[-1]["type"] == "done"
    assert time.monotonic() - t0 < 30
