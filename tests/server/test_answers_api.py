"""The answers' routes: the plots' data, and a learning curve streamed cell by cell."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL


def test_the_plots(client):
    r = client.get("/api/answers")
    assert r.status_code == 200
    data = r.json()
    assert {"width_depth", "learning_curves", "timing", "findings", "commands"} <= set(data)


def test_a_live_learning_curve_streams_cell_by_cell(client):
    query = {"mlp_width": 8, "mlp_depth": 1, "tree_depth": 3, "seed": 11}
    with client.stream("GET", "/api/answers/live", params=query) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in r.iter_lines() if line]
    cells = [m for m in lines if m["type"] == "cell"]
    assert lines[-1] == {"type": "done", "sizes": [100, 300, 1000, 3000]}
    assert [c["records"][0]["train_size"] for c in cells] == [100, 300, 1000, 3000]
    for cell in cells:
        assert {r["model"] for r in cell["records"]} == {"logistic_regression",
                                                         "decision_tree", "mlp"}
        assert all(r["mlp_width"] == 8 and r["seed"] == 11 and r["accuracy"] > 0.1
                   for r in cell["records"])


def test_leaving_a_live_run_stops_it(monkeypatch):
    from neuralab.labs.sweep import SweepCancelled
    from neuralab.server.routers import answers as route

    ran = []

    def slow_sweep(grid, *, seeds, workers, on_cell, cancel):  # 40 cells of 50 ms
        for size in range(40):
            if cancel.wait(0.05):
                raise SweepCancelled("stopped")
            ran.append(size)
            on_cell([{"model": "mlp", "train_size": size}])

    monkeypatch.setattr(route, "sweep", slow_sweep)
    app = create_app()
    with TestClient(app, base_url=LOCAL) as client:
        with client.stream("GET", "/api/answers/live", params={"seed": 12}) as r:
            first = json.loads(next(line for line in r.iter_lines() if line))
            assert first["type"] == "cell"
        deadline = time.monotonic() + 10
        while app.state.jobs.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert app.state.jobs.running == 0
    assert len(ran) < 20, ran  # it stopped soon after the client left, not after 40 cells


def test_bad_settings_are_a_422(client):
    r = client.get("/api/answers/live", params={"mlp_width": 999})
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "mlp_width"
    assert client.get("/api/answers/live", params={"train_size": 100}).status_code == 422
