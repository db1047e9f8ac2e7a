"""The class view over real HTTP: reports counted (after the server's own check), bad ones
refused with a 4xx, the token required on a non-loopback bind, nothing kept after a stop."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from neuralab.server import create_app
from neuralab.server.access import Access
from neuralab.server.classroom import Classroom, NotTrained, TooFast
from tests.helpers import uvicorn_thread

TOKEN = "class-token-7"
NAND = {"w1": -1.0, "w2": -1.0, "bias": 1.5, "activation": "step"}


class Answer:
    """One HTTP answer: status, headers, body text, and the body as JSON."""

    def __init__(self, status: int, headers: Any, text: str) -> None:
        self.status_code, self.headers, self.text = status, headers, text

    def json(self) -> Any:
        return json.loads(self.text)


class Client:
    """A plain HTTP client on a real socket (urllib: no in-process shortcut)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method: str, path: str, json_body: Any = None, params: dict | None = None,
                headers: dict | None = None) -> Answer:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = None if json_body is None else json.dumps(json_body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            **({"content-type": "application/json"} if data else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return Answer(r.status, r.headers, r.read().decode())
        except urllib.error.HTTPError as err:
            return Answer(err.code, err.headers, err.read().decode())

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Answer:
        return self.request("POST", path, json_body=json, **kw)


@pytest.fixture(scope="module")
def lab():
    with uvicorn_thread(create_app()) as port:
        yield Client(port)


def done_counts(client) -> dict[str, int]:
    return {t["id"]: t["done"] for t in client.get("/api/class").json()["tasks"]}


def test_learners_and_tasks_go_up_when_pages_report(lab):
    before = lab.get("/api/class").json()
    assert lab.post("/api/class/report", json={"tab": "tab-aaaaaaaa"}).status_code == 200
    assert lab.post("/api/class/report", json={"tab": "tab-bbbbbbbb"}).status_code == 200
    after = lab.get("/api/class").json()
    assert after["learners"] == before["learners"] + 2
    r = lab.post("/api/class/report", json={"tab": "tab-aaaaaaaa", "task": "nand",
                                             "facts": {"settings": NAND}})
    assert r.json() == {"task": "nand", "done": True, "progress": "4 of 4 input pairs right."}
    assert done_counts(lab)["nand"] >= 1
    assert lab.get("/api/class").json()["learners"] == after["learners"]  # same tab


def test_the_server_checks_the_neuron_itself(lab):
    before = done_counts(lab)["nand"]
    # outputs claimed right, weights that are not NAND: the server's own truth table wins
    r = lab.post("/api/class/report", json={"tab": "tab-cccccccc", "task": "nand", "facts": {
        "settings": {"w1": 1.0, "w2": 1.0, "bias": 0.0}, "outputs": [1, 1, 1, 0],
        "hidden": False}})
    assert r.status_code == 200 and r.json()["done"] is False
    assert done_counts(lab)["nand"] == before


@pytest.mark.parametrize(("body", "status", "param"), [
    ({"tab": "short"}, 422, "tab"),
    ({"tab": "tab-dddddddd", "task": "fly"}, 422, "task"),
    ({"tab": "tab-dddddddd", "extra": 1}, 422, "extra"),
    ({"tab": "tab-dddddddd", "task": "nand", "facts": {}}, 422, "facts.settings"),
    ({"tab": "tab-dddddddd", "task": "nand", "facts": {"settings": {"w1": 9}}}, 422, "w1"),
    ({"tab": "tab-dddddddd", "task": "spiral", "facts": {"dataset": "spiral"}}, 422,
     "facts.hidden_layers"),
])
def test_bad_reports_get_a_4xx_naming_the_field(lab, body, status, param):
    r = lab.post("/api/class/report", json=body)
    assert r.status_code == status
    assert r.json()["detail"][0]["param"] == param


def test_a_comparison_task_needs_a_comparison_the_server_trained(lab):
    r = lab.post("/api/class/report", json={"tab": "tab-eeeeeeee", "task": "small-mlp",
                                             "facts": {"settings": {"mlp_width": 5}}})
    assert r.status_code == 404


def test_a_flood_from_one_tab_is_refused_with_retry_after(lab):
    answers = [lab.post("/api/class/report", json={"tab": "tab-flooding"}).status_code
               for _ in range(Classroom.TAB_BURST + 3)]
    assert answers.count(429) >= 2 and answers[0] == 200
    r = lab.post("/api/class/report", json={"tab": "tab-flooding"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_the_token_is_required_on_a_non_loopback_bind():
    access = Access.for_bind("0.0.0.0", token=TOKEN, addresses=[])
    with uvicorn_thread(create_app(access=access)) as port:
        client = Client(port)
        for path in ("/api/class", "/class", "/api/tasks"):
            assert client.get(path).status_code == 401, path
        assert client.post("/api/class/report", json={"tab": "tab-ffffffff"}).status_code == 401
        assert client.get("/api/class", params={"token": "wrong"}).status_code == 401
        r = client.get("/api/class", headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and r.json()["learners"] == 0
        page = client.get("/class", params={"token": TOKEN})
        assert page.status_code == 200 and "Your class, live" in page.text


def test_nothing_outlives_the_server():
    with uvicorn_thread(create_app()) as port:
        Client(port).post("/api/class/report", json={"tab": "tab-gggggggg"})
        assert Client(port).get("/api/class").json()["learners"] == 1
    with uvicorn_thread(create_app()) as port:
        assert Client(port).get("/api/class").json()["learners"] == 0


class FakeJobs:
    running, waiting, max_jobs, max_waiting = 1, 2, 2, 64

    def wait_percentiles(self):
        return {"count": 3, "p50": 0.5, "p95": 4.0}


class NoComparisons:
    def comparison(self, values, scope="api"):
        return None


def test_tabs_leave_after_their_silence_and_the_oldest_go_first():
    now = [0.0]
    room = Classroom(clock=lambda: now[0])
    room.MAX_TABS = 3
    for i in range(4):
        room.report(f"tab-{i:08d}", "spiral", {"dataset": "spiral", "hidden_layers": 2,
                                               "test_loss": 0.01}, NoComparisons())
    summary = room.summary(FakeJobs())
    assert summary["learners"] == 3  # the first was forgotten, with its task
    assert {t["id"]: t["done"] for t in summary["tasks"]}["spiral"] == 3
    assert summary["comparisons"]["wait"]["p95"] == 4.0
    now[0] = Classroom.PRESENT + 1
    assert room.summary(FakeJobs())["learners"] == 0
    with pytest.raises(NotTrained):
        room.report("tab-zzzzzzzz", "small-mlp", {"settings": {}}, NoComparisons())


def test_the_whole_class_has_a_rate_too():
    room = Classroom(clock=lambda: 0.0)
    with pytest.raises(TooFast):
        for i in range(Classroom.CLASS_BURST + 1):
            room.report(f"tab-{i:08d}", None, None, NoComparisons())


def test_a_comparison_task_is_checked_on_the_comparison_the_server_trained(lab):
    settings = {"mlp_width": 4, "mlp_depth": 1, "tree_depth": 1, "train_size": 100, "seed": 3}
    trained = lab.post("/api/compare", json=settings)
    assert trained.status_code == 200
    mlp = trained.json()["models"]["mlp"]
    # what the page claims is ignored: the server reads its own accuracy and weight count
    r = lab.post("/api/class/report", json={"tab": "tab-hhhhhhhh", "task": "small-mlp",
                                             "facts": {"settings": trained.json()["params"],
                                                       "val_accuracy": 0.99}})
    assert r.status_code == 200
    assert r.json()["done"] is (mlp["accuracy"] >= 0.87)
    assert r.json()["progress"] == (f"Last MLP: {100 * mlp['accuracy']:.1f}% with "
                                    f"{784 * 4 + 4 + 4 * 10 + 10:,} weights.")
