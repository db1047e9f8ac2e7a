"""The compare lab's API: the whole comparison, its stream over a WebSocket, and samples."""

from __future__ import annotations

import base64
import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from neuralab.data import load_mnist
from neuralab.server import create_app
from neuralab.server.routers import compare as compare_router
from tests.helpers import COMPARE_WS, LOCAL

MODELS = {"logistic_regression", "decision_tree", "mlp"}
# The core caches fitted models by their settings; fresh seeds keep these runs uncached so
# that they are still training when cancelled.
LARGEST = {"mlp_width": 64, "mlp_depth": 8, "tree_depth": 20, "train_size": 5000, "seed": 9001}
END = {"done", "cancelled", "error"}


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def messages_until_end(ws, run=None) -> list[dict]:
    """Messages up to and including the end (done/cancelled/error) of run ``run``."""
    out = []
    while True:
        msg = ws.receive_json()
        out.append(msg)
        if msg["type"] in END and (run is None or msg.get("run") == run):
            return out


def wait_for(ws, kind: str) -> list[dict]:
    out = []
    while True:
        out.append(ws.receive_json())
        if out[-1]["type"] == kind:
            return out


# -- POST /api/compare ---------------------------------------------------------------------

def test_post_returns_the_whole_comparison(client):
    r = client.post("/api/compare", json={"mlp_width": 16, "mlp_depth": 1, "train_size": 500})
    assert r.status_code == 200
    body = r.json()
    assert body["params"]["mlp_width"] == 16 and body["params"]["train_size"] == 500
    assert set(body["models"]) == MODELS
    for name in MODELS:
        assert 0.0 <= body["models"][name]["accuracy"] <= 1.0
    curve = body["models"]["mlp"]["curve"]
    assert curve and [p["epoch"] for p in curve] == list(range(1, len(curve) + 1))


@pytest.mark.parametrize(("body", "param", "expected"), [
    ({"mlp_width": 65}, "mlp_width", "from 4 to 64"),
    ({"mlp_depth": 0}, "mlp_depth", "from 1 to 8"),
    ({"tree_depth": "deep"}, "tree_depth", "from 1 to 20"),
    ({"train_size": 68000}, "train_size", "from 100 to 5000"),
    ({"mlp_width": 3.5}, "mlp_width", "from 4 to 64"),
    ({"learning_rate": 1}, "learning_rate", None),
])
def test_post_rejects_bad_settings_with_422_naming_the_parameter(client, body, param, expected):
    r = client.post("/api/compare", json=body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["param"] == param
    if expected:
        assert expected in detail[0]["message"]


def test_post_rejects_a_malformed_body(client):
    r = client.post("/api/compare", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/compare", json=[1, 2])
    assert r.status_code == 422


# -- WS /api/compare/ws --------------------------------------------------------------------

def test_a_run_streams_epochs_and_models_then_done(client):
    with client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "params": {}})
        msgs = messages_until_end(ws)
    kinds = [m["type"] for m in msgs]
    assert kinds[0] == "started" and kinds[-1] == "done"
    assert all(m["run"] == 1 for m in msgs)
    epochs = [m for m in msgs if m["type"] == "epoch"]
    assert epochs and [m["epoch"] for m in epochs] == list(range(1, len(epochs) + 1))
    for m in epochs:
        assert m["model"] == "mlp" and m["loss"] > 0 and 0 <= m["val_accuracy"] <= 1
    finished = [m["model"] for m in msgs if m["type"] == "model"]
    assert sorted(finished) == sorted(MODELS)
    assert kinds.index("epoch") < len(kinds) - 1  # epochs arrive before the end
    result = msgs[-1]["result"]
    assert set(result["models"]) == MODELS
    assert len(result["models"]["mlp"]["curve"]) == len(epochs)
    for m in msgs:
        if m["type"] == "model":
            assert m["accuracy"] == pytest.approx(result["models"][m["model"]]["accuracy"])


def test_a_new_run_cancels_the_one_in_flight(client):
    with client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "id": "big", "params": LARGEST})
        wait_for(ws, "started")
        ws.send_json({"type": "run", "id": "small", "params": {"train_size": 200}})
        msgs = messages_until_end(ws, run="small")
    ends = [(m["run"], m["type"]) for m in msgs if m["type"] in END]
    assert ends == [("big", "cancelled"), ("small", "done")]
    big_models = {m["model"] for m in msgs if m["run"] == "big" and m["type"] == "model"}
    assert "mlp" not in big_models
    assert msgs[-1]["result"]["params"]["train_size"] == 200


def test_a_cancel_message_stops_the_run_and_the_socket_keeps_serving(client):
    with client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "params": {**LARGEST, "seed": 9002}})
        wait_for(ws, "started")
        ws.send_json({"type": "cancel"})
        assert messages_until_end(ws)[-1]["type"] == "cancelled"
        ws.send_json({"type": "run", "params": {"train_size": 100}})
        msgs = messages_until_end(ws)
        assert msgs[-1]["type"] == "done" and msgs[-1]["run"] == 2


@pytest.mark.parametrize(("text", "param", "words"), [
    ("{oops", "message", "not valid JSON"),
    ("[1, 2]", "message", "JSON object"),
    ('{"type": "train"}', "type", "one of run, cancel"),
    ('{"params": {}}', "type", "one of run, cancel"),
    ('{"type": "run", "params": {"mlp_width": 100}}', "mlp_width", "from 4 to 64"),
    ('{"type": "run", "params": {"tree_depth": "x"}}', "tree_depth", "from 1 to 20"),
    ('{"type": "run", "params": {"train_size": 99}}', "train_size", "from 100 to 5000"),
    ('{"type": "run", "params": {"colour": 1}}', "colour", "unknown parameter"),
    ('{"type": "run", "params": [1]}', "params", "JSON object"),
    ('{"type": "run", "id": [1]}', "id", "short text"),
    ('{"type": "run", "pad": "' + "x" * 5000 + '"}', "message", "at most"),
])
def test_bad_messages_get_an_error_and_the_socket_keeps_serving(client, text, param, words):
    with client.websocket_connect(COMPARE_WS) as ws:
        ws.send_text(text)
        msg = ws.receive_json()
        assert msg["type"] == "error"
        assert msg["detail"][0]["param"] == param
        assert words in msg["detail"][0]["message"]
        ws.send_json({"type": "run", "params": {"train_size": 100, "mlp_depth": 1}})
        assert messages_until_end(ws)[-1]["type"] == "done"
    assert client.get("/api/health").json()["status"] == "ok"


def test_a_binary_message_is_read_as_text(client):
    with client.websocket_connect(COMPARE_WS) as ws:
        ws.send_bytes(b"\xff\xfe")
        assert ws.receive_json()["type"] == "error"


class Gate:
    """A stand-in for the training that runs until opened or cancelled (for load tests)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.started = threading.Semaphore(0)
        self.cancelled = threading.Event()

    def __call__(self, values, cancel, cache=None, on_event=None) -> dict:
        from neuralab.labs.compare import Cancelled

        self.started.release()
        while not self.open.wait(0.005):
            if cancel.is_set():
                self.cancelled.set()
                raise Cancelled()
        return {"params": values, "models": {}}


def test_closing_the_socket_cancels_its_run(app, monkeypatch):
    gate = Gate()
    monkeypatch.setattr(compare_router, "train", gate)
    with TestClient(app, base_url=LOCAL) as client:
        with client.websocket_connect(COMPARE_WS) as ws:
            ws.send_json({"type": "run", "params": {}})
            assert ws.receive_json()["type"] == "started"
        assert gate.cancelled.wait(5)
        runner = app.state.jobs
        deadline = time.monotonic() + 5
        while runner.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.running == 0


def test_runs_beyond_max_jobs_wait_their_turn_and_others_are_still_served(monkeypatch):
    gate = Gate()
    monkeypatch.setattr(compare_router, "train", gate)
    app = create_app(max_jobs=1)
    with TestClient(app, base_url=LOCAL) as client, \
            client.websocket_connect(COMPARE_WS) as first, \
            client.websocket_connect(COMPARE_WS) as second:
        first.send_json({"type": "run", "params": {}})
        assert first.receive_json()["type"] == "started"
        second.send_json({"type": "run", "params": {}})
        assert second.receive_json()["type"] == "waiting"
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/mnist/samples", params={"count": 1}).status_code == 200
        gate.open.set()
        assert messages_until_end(first)[-1]["type"] == "done"
        assert [m["type"] for m in messages_until_end(second)] == ["started", "done"]


# -- GET /api/mnist/samples ----------------------------------------------------------------

def test_samples_come_with_labels_and_the_data_shape(client):
    r = client.get("/api/mnist/samples", params={"count": 5, "offset": 10})
    assert r.status_code == 200
    body = r.json()
    assert body["shape"] == [70000, 784] and body["image_shape"] == [28, 28]
    assert body["count"] == 5 and body["offset"] == 10
    mnist = load_mnist()
    assert body["labels"] == mnist.labels[10:15].tolist()
    pixels = np.frombuffer(base64.b64decode(body["pixels"]), dtype=np.uint8).reshape(5, 28, 28)
    assert np.array_equal(pixels, mnist.images[10:15])


def test_samples_have_defaults_and_stop_at_the_end_of_the_data(client):
    body = client.get("/api/mnist/samples").json()
    assert body["count"] == 10 and body["offset"] == 0 and len(body["labels"]) == 10
    body = client.get("/api/mnist/samples", params={"count": 5, "offset": 69998}).json()
    assert body["count"] == 2 and len(base64.b64decode(body["pixels"])) == 2 * 784


@pytest.mark.parametrize(("query", "param"), [
    ({"count": 0}, "count"),
    ({"count": 65}, "count"),
    ({"count": "many"}, "count"),
    ({"offset": -1}, "offset"),
    ({"offset": 70000}, "offset"),
    ({"offset": 1.5}, "offset"),
    ({"size": 3}, "size"),
])
def test_bad_sample_queries_get_422_naming_the_parameter(client, query, param):
    r = client.get("/api/mnist/samples", params=query)
    assert r.status_code == 422
    assert r.json()["detail"][0]["param"] == param


class Counting:
    """A stand-in training of 40 short epochs that records which runs started and finished."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.finished: list[int] = []
        self.stopped_after: list[int] = []

    def __call__(self, values, cancel, cache=None, on_event=None) -> dict:
        from neuralab.labs.compare import Cancelled

        self.started.append(values["mlp_width"])
        for epoch in range(1, 41):
            if cancel.wait(0.01):
                self.stopped_after.append(epoch)
                raise Cancelled()
            on_event({"type": "epoch", "model": "mlp", "epoch": epoch, "loss": 1.0,
                      "val_accuracy": 0.5})
        self.finished.append(values["mlp_width"])
        return {"params": values, "models": {}}


def outcomes(ws, count: int) -> tuple[dict, list[dict]]:
    ends, seen = {}, []
    while len(ends) < count:
        message = ws.receive_json()
        seen.append(message)
        if message["type"] in END:
            ends[message["run"]] = message["type"]
    return ends, seen


def test_a_burst_of_runs_trains_only_the_newest(app, monkeypatch):
    training = Counting()
    monkeypatch.setattr(compare_router, "train", training)
    widths = [8, 16, 24, 40]
    with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
        for i, width in enumerate(widths):
            ws.send_json({"type": "run", "id": i, "params": {"mlp_width": width}})
        ends, seen = outcomes(ws, 4)
    assert ends == {0: "cancelled", 1: "cancelled", 2: "cancelled", 3: "done"}
    assert training.finished == [40]  # only the newest trained to the end
    # a run replaced before the worker reached it never started; one the worker had started
    # (the messages do not always reach the server back to back) stopped at once
    assert all(epochs <= 2 for epochs in training.stopped_after), training.stopped_after
    assert len(training.started) <= 3


def test_a_new_run_stops_the_one_in_flight_within_an_epoch(app, monkeypatch):
    training = Counting()
    monkeypatch.setattr(compare_router, "train", training)
    with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "id": "a", "params": {"mlp_width": 8}})
        while ws.receive_json()["type"] != "epoch":
            pass
        ws.send_json({"type": "run", "id": "b", "params": {"mlp_width": 16}})
        ends, _ = outcomes(ws, 2)
    assert ends == {"a": "cancelled", "b": "done"}
    assert training.finished == [16] and training.stopped_after[0] <= 3


def test_cancel_drops_a_waiting_run_too(app, monkeypatch):
    training = Counting()
    monkeypatch.setattr(compare_router, "train", training)
    with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "id": 1, "params": {"mlp_width": 8}})
        ws.send_json({"type": "run", "id": 2, "params": {"mlp_width": 16}})
        ws.send_json({"type": "cancel"})
        ends, _ = outcomes(ws, 2)
    assert ends == {1: "cancelled", 2: "cancelled"} and training.finished == []


def test_a_burst_of_real_runs_costs_one_training(app):
    """The real comparison, four runs back to back: three cancelled, one trained."""
    runs = [{"mlp_width": 60 + i, "mlp_depth": 8, "train_size": 5000, "seed": 9100 + i}
            for i in range(4)]
    with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
        for i, params in enumerate(runs):
            ws.send_json({"type": "run", "id": i, "params": params})
        ends, seen = outcomes(ws, 4)
    assert ends == {0: "cancelled", 1: "cancelled", 2: "cancelled", 3: "done"}
    for replaced in (0, 1, 2):  # stopped within an epoch or two, if it started at all
        assert sum(m["type"] == "epoch" and m["run"] == replaced for m in seen) <= 3
    trained = app.state.models
    assert trained.comparison({**runs[3], "tree_depth": 5, "val_size": 2000}) is not None
    for params in runs[1:3]:
        assert trained.comparison({**params, "tree_depth": 5, "val_size": 2000}) is None
