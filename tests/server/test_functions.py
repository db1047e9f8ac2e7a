"""API of the functions lab: the systems and POST /api/functions/check."""

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url=LOCAL)


def test_systems(client):
    r = client.get("/api/functions/systems")
    assert r.status_code == 200
    keys = [s["key"] for s in r.json()]
    assert keys == ["sentiment", "pedestrian", "chatbot"]


def test_check_good_header(client):
    r = client.post("/api/functions/check",
                    json={"exercise": "pedestrian",
                          "code": "def seen(photo: np.ndarray) -> bool:"})
    assert r.status_code == 200
    body = r.json()
    assert body["matches"] is True and body["name"] == "seen"
    assert body["params"] == [{"name": "photo", "annotation": "np.ndarray"}]


def test_check_syntax_error_is_200_with_feedback(client):
    body = client.post("/api/functions/check",
                       json={"exercise": "chatbot", "code": "def f(x: str -> str:"}).json()
    assert body["valid_python"] is False and body["error_line"] == 1
    assert body["notes"][0]["level"] == "problem"


@pytest.mark.parametrize(("body", "param"), [
    ({"exercise": "chatbot"}, "code"),
    ({"exercise": "sentiment", "code": "def f(): pass"}, "exercise"),
    ({"exercise": "chatbot", "code": "x" * 4001}, "code"),
    ({"exercise": "chatbot", "code": 42}, "code"),
    ({"exercise": "chatbot", "code": "", "run": True}, "run"),
])
def test_check_bad(client, body, param):
    r = client.post("/api/functions/check", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["param"] == param


def test_check_not_json(client):
    r = client.post("/api/functions/check", content=b"def f(x): pass",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize(("code", "matches", "says"), [
    ("def seen(photo: np.ndarray) -> bool:  # True if a person", True, "right."),
    ("def seen(photo: np.ndarray) → bool:", False, "type -> (a minus"),
    ("def seen(photo: Picture) -> boolean:", False, "did you mean bool?"),
])
def test_check_reads_comments_arrows_and_type_names(client, code, matches, says):
    r = client.post("/api/functions/check", json={"exercise": "pedestrian", "code": code})
    assert r.status_code == 200
    body = r.json()
    assert body["matches"] is matches
    assert any(says in n["text"] for n in body["notes"]), body["notes"]
