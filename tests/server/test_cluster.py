"""The lab's comparisons on a real Dask LocalCluster: streamed epoch by epoch to a WebSocket
client, kept for the inside views, and cancelled on the worker."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import COMPARE_WS, LOCAL

distributed = pytest.importorskip("distributed")

SMALL = {"mlp_width": 8, "mlp_depth": 1, "tree_depth": 3, "train_size": 300}
BIG = {"mlp_width": 64, "mlp_depth": 8, "tree_depth": 20, "train_size": 5000}
END = {"done", "cancelled", "error"}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster


def messages(ws, stop=END):
    seen = []
    while True:
        seen.append(ws.receive_json())
        if seen[-1]["type"] in stop:
            return seen


def test_a_comparison_streams_from_the_cluster(cluster):
    app = create_app(scheduler=cluster.scheduler_address)
    assert app.state.jobs.max_jobs == 2  # one run per worker thread
    with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
        ws.send_json({"type": "run", "id": 1, "params": {**SMALL, "seed": 501}})
        seen = messages(ws)
        kinds = [m["type"] for m in seen]
        assert kinds[0] == "started" and kinds[-1] == "done"
        epochs = [m["epoch"] for m in seen if m["type"] == "epoch"]
        assert epochs == list(range(1, len(epochs) + 1)) and len(epochs) >= 5
        assert {m["model"] for m in seen if m["type"] == "model"} == {
            "logistic_regression", "decision_tree", "mlp"}
        done = seen[-1]["result"]
        # the same numbers as a comparison trained here
        from neuralab.labs.compare import compare_models

        here = compare_models(**SMALL, seed=501, scope="ui").to_dict()
        for name, model in here["models"].items():
            assert done["models"][name]["accuracy"] == model["accuracy"]
        # the server kept the trained models: the inside views can look at them
        query = {**SMALL, "seed": 501}
        assert client.get("/api/inside/mlp", params=query).status_code == 200
        # asked again, it answers from its memory without the cluster
        ws.send_json({"type": "run", "id": 2, "params": {**SMALL, "seed": 501}})
        again = messages(ws)
        assert again[-1]["type"] == "done"
        assert all(m["cached"] for m in again[-1]["result"]["models"].values())


def test_cancelling_stops_the_task_on_its_worker(cluster):
    app = create_app(scheduler=cluster.scheduler_address)
    watcher = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(COMPARE_WS) as ws:
            ws.send_json({"type": "run", "id": "a", "params": {**BIG, "seed": 502}})
            while ws.receive_json()["type"] != "epoch":
                pass
            ws.send_json({"type": "cancel"})
            assert messages(ws)[-1] == {"type": "cancelled", "run": "a"}
            # a second run trains at once (the cancelled one does not hold the cluster)
            ws.send_json({"type": "run", "id": "b", "params": {**SMALL, "seed": 503}})
            assert messages(ws)[-1]["type"] == "done"
        deadline = time.monotonic() + 20
        while any(watcher.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(watcher.processing().values()), watcher.processing()
    finally:
        watcher.close()


def test_an_unreachable_scheduler_is_one_line_at_start():
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "neuralab", "serve", "--no-browser",
                           "--scheduler", "tcp://127.0.0.1:9"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1 and time.monotonic() - t0 < 20
    assert proc.stderr.count("\n") == 1
    assert "no Dask scheduler answered at tcp://127.0.0.1:9" in proc.stderr
