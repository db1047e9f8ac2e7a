"""API of the pixels lab: POST /api/pixels/compose and the astronaut."""

import base64

import pytest
from fastapi.testclient import TestClient

from neuralab.server import create_app
from tests.helpers import LOCAL

ZERO = [[0, 0, 0]] * 3


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url=LOCAL)


def test_compose(client):
    r = client.post("/api/pixels/compose",
                    json={"red": [[1, 0, 0]] * 3, "green": ZERO, "blue": [[0, 0, 1]] * 3})
    assert r.status_code == 200
    body = r.json()
    assert body["red"][0] == ["#ff0000", "#000000", "#000000"]
    assert body["combined"][1] == ["#ff0000", "#000000", "#0000ff"]
    assert body["green"] == [["#000000"] * 3] * 3


def test_compose_defaults(client):
    body = client.post("/api/pixels/compose", json={}).json()
    assert body["combined"][0][0] == "#cc0000"


@pytest.mark.parametrize(("body", "param"), [
    ({"red": [[1.2, 0, 0]] * 3}, "red"),
    ({"green": [[0, -0.1, 0]] * 3}, "green"),
    ({"blue": [[0, 0]] * 3}, "blue"),
    ({"blue": [[0, 0, 0]] * 4}, "blue"),
    ({"red": "0,0,0"}, "red"),
    ({"red": [[0, None, 0]] * 3}, "red"),
    ({"red": [[0, "x", 0]] * 3}, "red"),
    ({"alpha": ZERO}, "alpha"),
])
def test_compose_bad(client, body, param):
    r = client.post("/api/pixels/compose", json=body)
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["param"] == param
    if param != "alpha":
        assert item["expected"] == "a 3x3 array of numbers from 0 to 1"


def test_compose_malformed_json(client):
    r = client.post("/api/pixels/compose", content=b'{"red": [[', headers={
        "Content-Type": "application/json"})
    assert r.status_code == 422


def test_compose_oversized(client):
    r = client.post("/api/pixels/compose", json={"red": [[0.5] * 10_000] * 3})
    assert r.status_code == 422 and r.json()["detail"][0]["param"] == "red"
    # past the body cap it is refused before parsing
    r = client.post("/api/pixels/compose", json={"red": [[0.5] * 100_000] * 3})
    assert r.status_code == 413 and r.json()["detail"][0]["param"] == "body"


def test_astronaut(client):
    r = client.get("/api/pixels/astronaut", params={"resolution": 16})
    assert r.status_code == 200
    body = r.json()
    assert body["shape"] == [16, 16, 3]
    assert len(base64.b64decode(body["data"])) == 16 * 16 * 3
    assert "max-age" in r.headers["cache-control"]


@pytest.mark.parametrize("value", ["7", "129", "64.5", "big", ""])
def test_astronaut_bad_resolution(client, value):
    r = client.get("/api/pixels/astronaut", params={"resolution": value})
    assert r.status_code == 422
    item = r.json()["detail"][0]
    assert item["param"] == "resolution" and item["expected"] == "an integer from 8 to 128"


def test_astronaut_jpeg(client):
    r = client.get("/api/pixels/astronaut.jpg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content[:2] == b"\xff\xd8"


@pytest.mark.parametrize("body", [b"null", b"[]", b'"red"', b"[" * 50_000 + b"]" * 50_000,
                                  b"\xff\xfe"])
def test_compose_odd_bodies_are_client_errors(client, body):
    r = client.post("/api/pixels/compose", content=body,
                    headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500


def test_compose_names_every_bad_cell_by_row_and_column(client):
    r = client.post("/api/pixels/compose",
                    json={"red": [[1.5, 0, 0], [0, None, 0], [0, 0, 0]], "blue": [[0, 0, -1]] * 3})
    detail = r.json()["detail"]
    assert r.status_code == 422
    assert [(d["param"], d["index"]) for d in detail] == [
        ("red", [0, 0]), ("red", [1, 1]), ("blue", [0, 2]), ("blue", [1, 2]), ("blue", [2, 2])]
    assert detail[0]["message"] == "Red, row 1, column 1 must be a number from 0 to 1 (got 1.5)"
    assert detail[1]["message"].startswith("Red, row 2, column 2 must be a number")
    assert all("[" not in d["message"] for d in detail)
