"""API of the neuron lab: GET /api/neuron."""

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url=LOCAL)


def test_defaults(client):
    r = client.get("/api/neuron")
    assert r.status_code == 200
    body = r.json()
    assert body["target"] == "AND" and body["solved"] is False
    assert len(body["table"]) == 4


def test_and_solved(client):
    r = client.get("/api/neuron", params={"target": "AND", "w1": 1, "w2": 1, "bias": -1.5,
                                          "x1": "true", "x2": "1"})
    body = r.json()
    assert r.status_code == 200 and body["solved"] is True
    assert body["current"] == {"x1": True, "x2": True, "weighted_sum": 0.5, "activation": 0.5,
                               "expected": True, "actual": True, "correct": True}


def test_or_solved(client):
    body = client.get("/api/neuron", params={"target": "OR", "w1": 1, "w2": 1}).json()
    assert body["solved"] is True


@pytest.mark.parametrize(("query", "param", "expected"), [
    ({"w1": 2.1}, "w1", "a number from -2 to 2"),
    ({"w2": -5}, "w2", "a number from -2 to 2"),
    ({"bias": "abc"}, "bias", "a number from -2 to 2"),
    ({"bias": "nan"}, "bias", "a number from -2 to 2"),
    ({"bias": "inf"}, "bias", "a number from -2 to 2"),
    ({"target": "XOR"}, "target", "one of AND, OR"),
    ({"x1": "perhaps"}, "x1", "true or false"),
])
def test_bad_values_are_422_naming_the_parameter(client, query, param, expected):
    r = client.get("/api/neuron", params=query)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["param"] == param
    assert item["expected"] == expected
    assert param in item["message"]


def test_unknown_parameter(client):
    r = client.get("/api/neuron", params={"w3": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "w3"


def test_oversized_value(client):
    r = client.get("/api/neuron", params={"target": "A" * 20_000})
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "target"
