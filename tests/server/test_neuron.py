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
    ({"target": "XNOR"}, "target", "one of AND, OR, NAND, NOR, XOR"),
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


def test_more_gates_and_activations(client):
    body = client.get("/api/neuron", params={"target": "NAND", "w1": -1, "w2": -1,
                                             "bias": 1.5, "activation": "step"}).json()
    assert body["solved"] is True and body["activation"] == "step"
    assert body["table"][0]["activation"] == 1.0


def test_hidden_layer_xor_by_hand(client):
    q = {"target": "XOR", "hidden": "1", "h1_w1": 1, "h1_w2": -1, "h2_w1": -1, "h2_w2": 1,
         "out_w1": 1, "out_w2": 1, "x1": "1"}
    body = client.get("/api/neuron", params=q).json()
    assert body["solved"] is True and body["hidden"] is True
    assert body["current"]["hidden"] == [[1.0, 1.0], [-1.0, 0.0]]


def test_learn(client):
    body = client.get("/api/neuron/learn", params={"target": "AND"}).json()
    assert body["solved"] is True and body["rule"] == "gradient descent"
    assert body["frames"][0]["step"] == 0 and body["final"] == body["frames"][-1]["weights"]
    xor = client.get("/api/neuron/learn", params={"target": "XOR", "learn_steps": 200}).json()
    assert xor["solved"] is False and xor["separable"] is False
    net = client.get("/api/neuron/learn", params={"target": "XOR", "hidden": "true"}).json()
    assert net["solved"] is True and set(net["final"]) >= {"h1_w1", "out_bias"}


@pytest.mark.parametrize(("query", "param"), [
    ({"activation": "tanh"}, "activation"), ({"learn_rate": 0}, "learn_rate"),
    ({"learn_rate": "nan"}, "learn_rate"), ({"learn_steps": 5000}, "learn_steps"),
    ({"seed": -1}, "seed"), ({"h1_w1": 4.5}, "h1_w1"), ({"hidden": "maybe"}, "hidden"),
])
def test_learn_rejects_bad_values(client, query, param):
    r = client.get("/api/neuron/learn", params=query)
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == param
