"""Health, OpenAPI, the parameter table and static files that stay in their folder."""

import re

import pytest

from neuralab.server.app import WEB


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_openapi_and_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/neuron", "/api/descent", "/api/pixels/compose", "/api/pixels/astronaut",
                 "/api/functions/check", "/api/functions/systems", "/api/health"):
        assert path in paths


def test_params_carry_the_labels(client):
    spec = client.get("/api/params").json()
    labels = {p["label"] for p in spec["neuron"]}
    assert {"Target Function", "Weight 1", "Weight 2", "Bias", "First input ON",
            "Second input ON", "Activation", "Hidden layer"} <= labels
    w1 = next(p for p in spec["neuron"] if p["name"] == "w1")
    assert (w1["min"], w1["max"], w1["step"]) == (-2.0, 2.0, 0.1)
    res = next(p for p in spec["pixels"] if p["name"] == "resolution")
    assert (res["min"], res["max"], res["default"]) == (8, 128, 64)


def test_index_and_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and "data-view=\"neuron\"" in r.text
    for view in ("functions", "pixels", "descent", "compare", "neuron", "next"):
        assert client.get(f"/static/views/{view}.js").status_code == 200
        assert client.get(f"/static/views/{view}.css").status_code == 200
    # every script and asset is the lab's own, from this server: nothing external or vendored
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", r.text)
    links = re.findall(r"\b(?:src|href)=\"([^\"]*)\"", r.text)
    assert scripts == ["/static/main.js"]
    assert not [u for u in links if not u.startswith(("/static/", "/api/", "#", "data:"))], links
    assert "/vendor/" not in r.text
    assert client.get("/vendor/plotly.min.js").status_code == 404
    # and the modules import only one another
    for module in WEB.rglob("*.js"):
        for spec in re.findall(r"\bimport\b[^\"'`]*[\"'`]([^\"'`]+)", module.read_text()):
            assert spec.startswith("."), f"{module.name} imports {spec}"


@pytest.mark.parametrize("path", [
    "/static/../server/app.py",
    "/static/%2e%2e/server/app.py",
    "/static/%2e%2e%2fserver%2fapp.py",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%252e%252e/server/app.py",
    "/static/....//server/app.py",
    "/static/..\\server\\app.py",
    "/static/%5c..%5cserver%5capp.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
])
def test_static_files_cannot_escape(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "create_app" not in r.text and "root:" not in r.text


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/nope")
    assert r.status_code == 404 and "detail" in r.json()
