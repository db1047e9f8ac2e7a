"""Comparisons trained in worker processes: results, events, cancel, a worker that dies,
the inside views fed from the server's memory, and closing."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from neuralab.labs.compare import Cancelled, ModelCache
from neuralab.params import validate
from neuralab.server import create_app
from neuralab.server.processes import ProcessTrainer, RunFailed, WorkerDied
from tests.helpers import COMPARE_WS, LOCAL

SMALL = {"train_size": 200, "mlp_width": 8, "mlp_depth": 1}


def settings(**changes):
    return validate("compare", {**SMALL, **changes}, scope="ui")


@pytest.fixture
def trainer():
    t = ProcessTrainer(2)
    yield t
    t.close()


def test_a_comparison_comes_back_whole_with_its_events_and_is_kept(trainer):
    cache, events = ModelCache(), []
    result = trainer(settings(), threading.Event(), cache, events.append)
    assert set(result["models"]) == {"logistic_regression", "decision_tree", "mlp"}
    epochs = [e for e in events if e["type"] == "epoch"]
    assert epochs and [e["epoch"] for e in epochs] == list(range(1, len(epochs) + 1))
    assert {e["model"] for e in events if e["type"] == "model"} == set(result["models"])
    assert os.getpid() not in trainer.pids  # trained elsewhere
    kept = cache.comparison(settings(), scope="ui")  # the inside views read this one
    assert kept is not None and kept.models["mlp"].accuracy == result["models"]["mlp"]["accuracy"]
    again = trainer(settings(), threading.Event(), cache, None)  # answered from memory
    assert all(m["cached"] for m in again["models"].values())


def test_a_new_tree_depth_reuses_the_workers_models(trainer):
    cache = ModelCache()
    first = trainer(settings(), threading.Event(), cache, None)
    deeper = trainer(settings(tree_depth=9), threading.Event(), cache, None)
    assert deeper["models"]["mlp"]["cached"] and deeper["models"]["logistic_regression"]["cached"]
    assert deeper["models"]["mlp"]["accuracy"] == first["models"]["mlp"]["accuracy"]
    assert deeper["models"]["decision_tree"]["depth"] == 9


def test_a_cancelled_run_stops_and_its_worker_serves_the_next(trainer):
    cancel, seen = threading.Event(), []

    def on_event(event):
        seen.append(event)
        if event["type"] == "epoch":
            cancel.set()

    with pytest.raises(Cancelled):
        trainer(settings(train_size=5000, mlp_width=64, mlp_depth=3), cancel, ModelCache(),
                on_event)
    assert sum(e["type"] == "epoch" for e in seen) == 1  # nothing forwarded after the cancel
    pids = set(trainer.pids)
    result = trainer(settings(seed=3), threading.Event(), ModelCache(), None)
    assert result["models"]["mlp"]["accuracy"] > 0.3
    assert set(trainer.pids) == pids  # no worker was replaced


def test_a_worker_that_dies_fails_only_its_run(trainer):
    trainer.warm()
    results, errors = {}, {}
    started = threading.Event()

    def run(name, values, on_event=None):
        try:
            results[name] = trainer(values, threading.Event(), ModelCache(), on_event)
        except Exception as exc:
            errors[name] = exc

    def first_epoch(event):
        if event["type"] == "epoch":
            started.set()

    doomed = threading.Thread(target=run, args=(
        "doomed", settings(train_size=5000, mlp_width=64, mlp_depth=4), first_epoch))
    doomed.start()
    assert started.wait(60)
    victim = next(w for w in trainer._workers if w.busy)
    other = threading.Thread(target=run, args=("other", settings(seed=5)))
    other.start()
    os.kill(victim.process.pid, signal.SIGKILL)
    doomed.join(60)
    other.join(60)
    assert isinstance(errors.get("doomed"), WorkerDied)
    assert "other" in results and "other" not in errors
    after = trainer(settings(seed=6), threading.Event(), ModelCache(), None)  # a new worker
    assert after["models"]["mlp"]["accuracy"] > 0.3
    assert victim.process.pid not in trainer.pids


def test_closing_ends_every_worker_at_once(trainer):
    trainer.warm()
    processes = [w.process for w in trainer._workers]
    assert len(processes) == 2
    t0 = time.monotonic()
    trainer.close()
    assert all(not p.is_alive() for p in processes)
    assert time.monotonic() - t0 < 5
    with pytest.raises(Cancelled):  # a closed trainer takes no new run
        trainer(settings(), threading.Event(), ModelCache(), None)


def test_the_server_trains_in_processes_and_its_inside_views_see_the_models():
    from starlette.testclient import TestClient

    app = create_app(train_in="processes", max_jobs=1)
    try:
        with TestClient(app, base_url=LOCAL) as client, client.websocket_connect(
                COMPARE_WS) as ws:
            ws.send_json({"type": "run", "id": 1, "params": SMALL})
            while (message := ws.receive_json())["type"] not in ("done", "error"):
                pass
            assert message["type"] == "done", message
            assert app.state.trainer.pids and os.getpid() not in app.state.trainer.pids
            query = {**SMALL, "val_size": 2000, "seed": 0, "tree_depth": 5}
            r = client.get("/api/inside/mlp", params=query)
            assert r.status_code == 200, r.text
    finally:
        app.state.trainer.close()


def test_over_the_socket_a_dead_worker_is_one_learners_error_and_nobody_elses():
    from starlette.testclient import TestClient

    app = create_app(train_in="processes", max_jobs=2)
    heavy = {"train_size": 5000, "mlp_width": 64, "mlp_depth": 4, "seed": 11}
    try:
        with TestClient(app, base_url=LOCAL) as client, \
                client.websocket_connect(COMPARE_WS) as doomed, \
                client.websocket_connect(COMPARE_WS) as other:
            doomed.send_json({"type": "run", "id": 1, "params": heavy})
            while doomed.receive_json()["type"] != "epoch":
                pass
            busy = [w for w in app.state.trainer._workers if w.busy]
            assert len(busy) == 1
            os.kill(busy[0].process.pid, signal.SIGKILL)
            other.send_json({"type": "run", "id": 1, "params": {**SMALL, "seed": 12}})
            while (mine := other.receive_json())["type"] not in ("done", "error"):
                pass
            while (theirs := doomed.receive_json())["type"] not in ("done", "error"):
                pass
            assert mine["type"] == "done"
            assert theirs["type"] == "error" and theirs["detail"][0]["param"] == "run"
            assert "stopped unexpectedly" in theirs["detail"][0]["message"]
            doomed.send_json({"type": "run", "id": 2, "params": {**SMALL, "seed": 13}})
            while (again := doomed.receive_json())["type"] not in ("done", "error"):
                pass
            assert again["type"] == "done"  # a new worker took the dead one's place
    finally:
        app.state.trainer.close()


def test_a_run_that_fails_in_its_worker_is_an_error_and_the_worker_serves_on(trainer):
    trainer.warm()
    pids = set(trainer.pids)
    outcome: dict[str, object] = {}

    class Unchecked(ModelCache):  # lets a bad setting through to the worker, which refuses it
        def comparison(self, values, scope="api"):
            return None

    def runs():
        for i in range(3):  # more failures than workers: none may be lost
            with pytest.raises(RunFailed, match="no_such_setting"):
                trainer({**settings(), "no_such_setting": i}, threading.Event(), Unchecked(),
                        None)
        outcome["after"] = trainer(settings(seed=21), threading.Event(), ModelCache(), None)

    runner = threading.Thread(target=runs)
    runner.start()
    runner.join(60)
    assert not runner.is_alive(), "a failed run lost its worker: the next run waits forever"
    assert outcome["after"]["models"]["mlp"]["accuracy"] > 0.3  # type: ignore[index]
    assert set(trainer.pids) == pids


def test_a_listener_that_fails_mid_run_retires_that_worker(trainer):
    trainer.warm()
    pids = set(trainer.pids)

    def broken(event):
        if event["type"] == "epoch":
            raise OSError("the page's socket is gone")

    with pytest.raises(OSError):
        trainer(settings(train_size=2000), threading.Event(), ModelCache(), broken)
    after = trainer(settings(seed=22), threading.Event(), ModelCache(), None)
    assert after["models"]["mlp"]["accuracy"] > 0.3  # not the stale end of the broken run
    assert len(trainer.pids) <= 2 and set(trainer.pids) != pids  # one worker was replaced
