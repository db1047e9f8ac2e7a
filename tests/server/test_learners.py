"""A class on one server: each learner's latest comparisons kept for them (an anonymous cookie,
within a budget for the class), and a fair share of the cores per learner."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient

from neuralab.labs.compare import ModelCache, compare_models
from neuralab.server import create_app
from neuralab.server.jobs import JobRunner
from neuralab.server.learners import COOKIE, Shelf
from tests.helpers import LOCAL

SMALL = {"train_size": 100, "mlp_width": 8, "mlp_depth": 1}


@pytest.fixture(scope="module")
def results():
    """Three small real comparisons (seeds 71, 72, 73)."""
    return [compare_models(**SMALL, seed=seed, scope="ui") for seed in (71, 72, 73)]


def test_the_page_gives_a_new_learner_an_anonymous_id_once():
    with TestClient(create_app(), base_url=LOCAL) as client:
        first = client.get("/")
        assert COOKIE in first.headers["set-cookie"] and "HttpOnly" in first.headers["set-cookie"]
        assert "set-cookie" not in client.get("/").headers  # the cookie came back
        assert "set-cookie" not in client.get("/api/health").headers


def test_the_shelf_keeps_each_learners_latest_within_the_class_budget(results):
    shelf = Shelf(per_learner=2, budget=3)
    a, b, c = results
    for result in (a, b, c):
        shelf.keep("ann", result)
    assert shelf.comparison("ann", a.params) is None  # older than her latest two
    assert shelf.comparison("ann", c.params) is c
    assert shelf.comparison("bob", c.params) is None  # never his
    shelf.keep("bob", a)
    shelf.keep("bob", b)  # four kept, budget three: ann (two, the longest idle) gives one up
    assert len(shelf) == 3
    assert shelf.comparison("ann", b.params) is None and shelf.comparison("ann", c.params) is c
    assert shelf.comparison("bob", a.params) is a and shelf.comparison("bob", b.params) is b


def test_a_learners_comparison_outlives_the_class_cache():
    app = create_app(models=ModelCache(results=1))  # the class keeps one comparison
    with TestClient(app, base_url=LOCAL) as ann, TestClient(app, base_url=LOCAL) as bob:
        ann.get("/")
        bob.get("/")
        mine = {**SMALL, "seed": 81}
        assert ann.post("/api/compare", json=mine).status_code == 200
        assert bob.post("/api/compare", json={**SMALL, "seed": 82}).status_code == 200
        # Bob's run pushed Ann's out of the class cache; her own shelf still has it
        assert ann.get("/api/inside/status", params=mine).json()["trained"] is True
        assert ann.get("/api/inside/mlp", params=mine).status_code == 200
        assert bob.get("/api/inside/status", params=mine).json()["trained"] is False
        assert bob.get("/api/inside/mlp", params=mine).status_code == 404


def test_a_free_core_goes_to_the_learner_holding_the_fewest():
    async def scenario() -> list[str]:
        runner = JobRunner(max_jobs=1)
        gate = threading.Event()
        order: list[str] = []

        def work(name: str):
            def fn(cancel: threading.Event) -> str:
                gate.wait(10)
                order.append(name)
                return name
            return fn

        places: dict[str, int] = {}
        tasks = []
        for name, owner in (("ann-1", "ann"), ("ann-2", "ann"), ("ann-3", "ann"),
                            ("bob-1", "bob")):
            tasks.append(asyncio.create_task(runner.run(
                runner.submit(owner=owner), work(name),
                on_wait=lambda place, _, name=name: places.__setitem__(name, place))))
            await asyncio.sleep(0)
        assert places == {"ann-2": 2, "ann-3": 3, "bob-1": 1}
        gate.set()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(scenario()) == ["ann-1", "bob-1", "ann-2", "ann-3"]
