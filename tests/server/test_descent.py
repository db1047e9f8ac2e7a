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


# --- issue 9 on the curves, and the 2-D surfaces ---------------------------------------------


def test_rate_just_above_one_is_divergence_not_running_out(client):
    path = client.get("/api/descent", params={"learning_rate": 1.01}).json()["path"]
    assert path["status"] == "diverged" and path["diverged"] is True
    assert path["x"][-1] == pytest.approx(9.42, abs=0.01)
    one = client.get("/api/descent", params={"learning_rate": 1.0}).json()["path"]
    assert one["status"] == "oscillating"


def test_local_minimum_is_named(client):
    path = client.get("/api/descent", params={"curve": "valleys", "learning_rate": 0.05,
                                              "steps": 200}).json()["path"]
    assert path["status"] == "converged" and path["minimum"] == "local"


def test_surface_paths_and_rates(client):
    s = client.get("/api/descent/surface", params={"surface": "banana"}).json()
    assert s["name"] == "banana" and s["box"] == [-2, 2, -1, 3] and len(s["loss"]) == 81
    q = {"surface": "valley", "rate": 1.2, "start_x": -4, "start_y": 2}
    paths = client.get("/api/descent/paths", params=q).json()["paths"]
    assert set(paths) == {"gd", "momentum", "adam"}
    assert paths["gd"]["status"] == "diverged" and paths["adam"]["status"] == "reached"
    rates = client.get("/api/descent/rates", params=q).json()["curves"]
    assert len(rates["adam"]) >= 30 and rates["gd"][-1]["outcome"] == "diverged"
    only = client.get("/api/descent/paths", params={"gd": "0", "adam": "false"}).json()
    assert list(only["paths"]) == ["momentum"]


def test_fit_a_line_points(client):
    q = {"surface": "line", "points": "-1,-1;0,0;1,1", "start_x": 0, "start_y": 0}
    s = client.get("/api/descent/surface", params=q).json()
    assert s["points"] == [[-1, -1], [0, 0], [1, 1]]
    assert s["minima"][0][:2] == pytest.approx([1, 0])
    paths = client.get("/api/descent/paths", params={**q, "rate": 0.5}).json()["paths"]
    assert paths["gd"]["status"] == "reached"


@pytest.mark.parametrize("route", ["/surface", "/paths", "/rates"])
@pytest.mark.parametrize(("query", "param"), [
    ({"rate": 0}, "rate"),
    ({"rate": 1.6}, "rate"),
    ({"rate": "nan"}, "rate"),
    ({"beta": "inf"}, "beta"),
    ({"beta": 1}, "beta"),
    ({"start_x": 7}, "start_x"),
    ({"surface": "banana", "start_x": -3}, "start_x"),  # off the banana's map
    ({"surface": "saddle", "start_x": 0, "start_y": 2.5}, "start_y"),
    ({"surface": "cliff"}, "surface"),
    ({"gd": "perhaps"}, "gd"),
    ({"iterations": 5000}, "iterations"),
    ({"points": "0,0;" * 150}, "points"),  # too long
    ({"points": ";".join(["0.1,0.1"] * 13)}, "points"),  # too many points
    ({"points": "0,0;1"}, "points"),  # malformed
    ({"points": "0,0;a,b"}, "points"),
    ({"points": "0,0;0.5,inf"}, "points"),
    ({"points": "0,0;2,0"}, "points"),  # off the plot
    ({"points": ""}, "points"),
])
def test_bad_surface_values_are_422_naming_the_parameter(client, route, query, param):
    if route == "/surface" and param.startswith("start_") and abs(query[param]) <= 5:
        # on the table's range but off this surface's map: the map itself does not use it
        query = {**query, "surface": "bowl"}
        assert client.get("/api/descent/surface", params=query).status_code == 200
        return
    r = client.get("/api/descent" + route, params=query)
    assert r.status_code == 422, r.text[:300]
    item = r.json()["detail"][0]
    assert item["param"] == param and item["expected"] and param in item["message"]


def test_without_a_start_each_surface_uses_its_own(client):
    for name in ("bowl", "valley", "banana", "saddle", "minima", "line"):
        s = client.get("/api/descent/surface", params={"surface": name}).json()
        r = client.get("/api/descent/paths", params={"surface": name})
        assert r.status_code == 200, r.text[:200]
        assert [r.json()["paths"]["gd"]["x"][0], r.json()["paths"]["gd"]["y"][0]] == s["start"]
        assert client.get("/api/descent/rates", params={"surface": name}).status_code == 200
