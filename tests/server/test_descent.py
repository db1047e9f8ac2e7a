"""API of the descent lab: GET /api/descent."""

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url=LOCAL)


def test_defaults(client):
    r = client.get("/api/descent")
    assert r.status_code == 200
    body = r.json()
    assert body["curve"]["name"] == "bowl" and len(body["curve"]["x"]) == 201
    path = body["path"]
    assert path["x"][0] == 3.5 and path["steps_taken"] == 50
    assert len(path["x"]) == len(path["loss"]) == len(path["grad"]) == 51


def test_divergence_is_reported(client):
    body = client.get("/api/descent", params={"learning_rate": 1.2, "steps": 200}).json()
    assert body["path"]["diverged"] is True and body["path"]["steps_taken"] < 200


def test_valleys(client):
    body = client.get("/api/descent", params={"curve": "valleys", "start": -2}).json()
    assert body["curve"]["name"] == "valleys" and body["path"]["x"][0] == -2


@pytest.mark.parametrize(("query", "param"), [
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": 1.5}, "learning_rate"),
    ({"start": 9}, "start"),
    ({"steps": 201}, "steps"),
    ({"steps": 1.5}, "steps"),
    ({"steps": "many"}, "steps"),
    ({"curve": "saddle"}, "curve"),
    ({"speed": 3}, "speed"),
])
def test_bad_values(client, query, param):
    r = client.get("/api/descent", params=query)
    assert r.status_code == 422
    assert r.json()["detail"][0]["param"] == param
