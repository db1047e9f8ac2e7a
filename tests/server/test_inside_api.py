"""The inside API: inspect a trained comparison, predict digits, and refuse bad input."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from neuralab.data import load_mnist
from neuralab.labs.compare import compare_models
from neuralab.server import create_app
from tests.helpers import LOCAL

TRAINED = {"mlp_width": 4, "mlp_depth": 2, "tree_depth": 3, "train_size": 200, "seed": 4201}
NEVER = {**TRAINED, "seed": 4299}  # never trained by anyone
GETS = ["mlp", "logistic", "tree", "confusion", "errors", "digit",
        "cell?model=mlp&true=4&pred=9"]


@pytest.fixture(scope="module")
def app():
    app = create_app()
    compare_models(**TRAINED, scope="ui", cache=app.state.models)
    return app


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def get(client, path: str, **params):
    route, _, query = path.partition("?")
    extra = dict(p.split("=") for p in query.split("&")) if query else {}
    return client.get(f"/api/inside/{route}", params={**params, **extra})


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def one() -> Image.Image:
    img = Image.new("L", (140, 140), 255)
    ImageDraw.Draw(img).line([(70, 15), (72, 125)], fill=0, width=14)
    return img


def detail(r) -> dict:
    assert r.status_code == 422, r.text
    return r.json()["detail"][0]


# ---------------------------------------------------------------- good input


def test_status_says_whether_a_comparison_is_in_memory(client):
    r = client.get("/api/inside/status", params=TRAINED)
    assert r.status_code == 200 and r.json()["trained"] is True
    assert set(r.json()["accuracy"]) == {"mlp", "logistic_regression", "decision_tree"}
    r = client.get("/api/inside/status", params=NEVER)
    assert r.status_code == 200 and r.json()["trained"] is False


def test_mlp_diagram(client):
    body = get(client, "mlp", **TRAINED, k=3).json()
    assert body["layer_sizes"] == [784, 4, 4, 10] and body["k"] == 3
    assert [len(layer["sources"]) for layer in body["layers"]] == [4, 4, 10]
    assert all(len(s) == 3 for layer in body["layers"] for s in layer["sources"])
    assert "3 incoming connections" in body["rule"]
    assert body["first_layer"]["shape"] == [4, 28, 28]


def test_logistic_tree_confusion(client):
    lr = get(client, "logistic", **TRAINED).json()
    assert lr["shape"] == [10, 28, 28] and lr["scale"] > 0
    tree = get(client, "tree", **TRAINED, levels=4).json()
    assert tree["depth"] == 3 and tree["levels"] == 3  # never past the cut
    conf = get(client, "confusion", **TRAINED).json()
    assert conf["n"] == 2000
    assert sum(map(sum, conf["models"]["decision_tree"]["matrix"])) == 2000


def test_cell_errors_digit(client):
    cell = get(client, "cell", **TRAINED, model="logistic_regression", true=3, pred=5,
               limit=2).json()
    assert len(cell["indices"]) == min(2, cell["total"])
    assert all(label == 3 for label in cell["labels"])
    errors = get(client, "errors", **TRAINED, model="mlp", limit=7).json()
    assert len(errors["labels"]) == 7
    assert all(a != b for a, b in zip(errors["labels"], errors["predictions"]["mlp"],
                                      strict=True))
    digit = get(client, "digit", **TRAINED, index=11).json()
    mnist = load_mnist()
    assert digit["label"] == mnist.labels[len(mnist) - 2000 + 11]
    assert set(digit["predictions"]) >= {"mlp", "logistic_regression", "decision_tree"}


def test_predict_a_28x28_array(client):
    mnist = load_mnist()
    x = mnist.images[-2000] / 255
    r = client.post("/api/inside/predict", json={**TRAINED, "pixels": x.tolist()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["mlp"]["probabilities"]) == 10
    assert sum(body["mlp"]["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert {body[m]["digit"] for m in ("mlp", "logistic_regression", "decision_tree")} <= \
        set(range(10))
    drawn = np.zeros((28, 28))
    drawn[2:8, 3:6] = 1  # a small blob in a corner, moved to the centre by preprocessing
    body = client.post("/api/inside/predict",
                       json={**TRAINED, "pixels": drawn.tolist(), "preprocess": True}).json()
    seen = np.array(body["input"])
    rows, cols = np.nonzero(seen > 0.05)
    assert abs(rows.mean() - 14) < 1.5 and abs(cols.mean() - 14) < 1.5


def test_predict_a_png_drawing(client):
    r = client.post("/api/inside/predict.png", params=TRAINED, content=png(one()),
                    headers={"Content-Type": "image/png"})
    assert r.status_code == 200, r.text
    seen = np.array(r.json()["input"])
    assert seen.shape == (28, 28) and seen.max() > 0.9


def test_openapi_lists_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("mlp", "logistic", "tree", "confusion", "cell", "errors", "digit",
                  "predict", "predict.png", "status"):
        assert f"/api/inside/{route}" in paths


# ---------------------------------------------------------------- untrained: 404


@pytest.mark.parametrize("path", GETS)
def test_an_untrained_comparison_is_a_clear_404(client, path):
    r = get(client, path, **NEVER)
    assert r.status_code == 404
    message = r.json()["detail"]
    assert "never trained" in message and "forgotten" in message and "seed 4299" in message


def test_predicting_with_an_untrained_comparison_is_a_404(client):
    r = client.post("/api/inside/predict", json={**NEVER, "pixels": [[0] * 28] * 28})
    assert r.status_code == 404
    r = client.post("/api/inside/predict.png", params=NEVER, content=png(one()),
                    headers={"Content-Type": "image/png"})
    assert r.status_code == 404


def test_an_evicted_comparison_is_a_404():
    from neuralab.labs.compare import ModelCache

    models = ModelCache(results=1)
    compare_models(**{**TRAINED, "seed": 4202}, scope="ui", cache=models)
    compare_models(**{**TRAINED, "seed": 4203}, scope="ui", cache=models)  # pushes 4202 out
    with TestClient(create_app(models=models), base_url=LOCAL) as client:
        assert get(client, "mlp", **{**TRAINED, "seed": 4203}).status_code == 200
        assert get(client, "mlp", **{**TRAINED, "seed": 4202}).status_code == 404


def test_two_apps_keep_their_own_comparisons(app):
    with TestClient(create_app(), base_url=LOCAL) as other:
        assert get(other, "mlp", **TRAINED).status_code == 404
    with TestClient(app, base_url=LOCAL) as own:
        assert get(own, "mlp", **TRAINED).status_code == 200


# ---------------------------------------------------------------- bad input: 422


@pytest.mark.parametrize(("path", "params", "param"), [
    ("mlp", {"k": 0}, "k"),
    ("mlp", {"k": 65}, "k"),
    ("mlp", {"mlp_width": 3}, "mlp_width"),
    ("mlp", {"train_size": "lots"}, "train_size"),
    ("mlp", {"bogus": 1}, "bogus"),
    ("tree", {"levels": 9}, "levels"),
    ("cell", {"model": "svm", "true": 1, "pred": 2}, "model"),
    ("cell", {"model": "mlp", "true": 10, "pred": 2}, "true"),
    ("errors", {"limit": 1000}, "limit"),
    ("digit", {"index": 2000}, "index"),
    ("digit", {"index": -1}, "index"),
])
def test_bad_queries_are_422_naming_the_parameter(client, path, params, param):
    d = detail(get(client, path, **{**TRAINED, **params}))
    assert d["param"] == param and param in d["message"]


def _post(client, body: str):
    return client.post("/api/inside/predict", content=body,
                       headers={"Content-Type": "application/json"})


def _pixels(value=0.0, rows=28, cols=28):
    return [[value] * cols for _ in range(rows)]


@pytest.mark.parametrize(("body", "param", "needle"), [
    (json.dumps({**TRAINED, "pixels": _pixels(rows=27)}), "pixels", "shape (27, 28)"),
    (json.dumps({**TRAINED, "pixels": _pixels(cols=29)}), "pixels", "shape (28, 29)"),
    (json.dumps({**TRAINED, "pixels": [1, 2, 3]}), "pixels", "shape (3,)"),
    (json.dumps({**TRAINED, "pixels": _pixels(float("nan"))}), "pixels", "not a number"),
    (json.dumps({**TRAINED, "pixels": _pixels(float("inf"))}), "pixels", "not a number"),
    (json.dumps({**TRAINED, "pixels": _pixels(1.2)}), "pixels", "is 1.2"),
    (json.dumps({**TRAINED, "pixels": _pixels(-0.1)}), "pixels", "is -0.1"),
    (json.dumps({**TRAINED, "pixels": _pixels("x")}), "pixels", "not numbers"),
    (json.dumps(TRAINED), "pixels", "pixels is required"),
    (json.dumps({**TRAINED, "pixels": _pixels(), "mlp_depth": 9}), "mlp_depth", "1 to 8"),
    (json.dumps({**TRAINED, "pixels": _pixels(), "preprocess": "maybe"}), "preprocess", ""),
    (json.dumps({**TRAINED, "pixels": _pixels(), "colour": 1}), "colour", "unknown"),
    ("{not json", "body", "not JSON"),
    ("[1, 2]", "body", "JSON object"),
    (json.dumps({"pixels": _pixels(), "pad": "x" * 300_000}), "body", "at most"),
])
def test_bad_predictions_are_422_naming_the_problem(client, body, param, needle):
    d = detail(_post(client, body))
    assert d["param"] == param and needle in d["message"], d


@pytest.mark.parametrize(("data", "needle"), [
    (b"", "not a PNG"),
    (b"hello, this is text", "not a PNG"),
    (png(one()).replace(b"IDAT", b"IDAX"), "could not be read"),
    (png(one())[:60], "could not be read"),
    (b"\x89PNG\r\n\x1a\n" + bytes(600_000), "at most"),
    (png(Image.new("L", (1500, 20), 255)), "1500x20"),
])
def test_bad_uploads_are_422(client, data, needle):
    r = client.post("/api/inside/predict.png", params=TRAINED, content=data,
                    headers={"Content-Type": "image/png"})
    d = detail(r)
    assert d["param"] == "image" and needle in d["message"], d


def test_a_jpeg_is_not_a_png(client):
    buf = io.BytesIO()
    one().save(buf, "JPEG")
    d = detail(client.post("/api/inside/predict.png", params=TRAINED, content=buf.getvalue(),
                           headers={"Content-Type": "image/png"}))
    assert "not a PNG" in d["message"]


def test_a_decompression_bomb_is_refused(client):
    d = detail(client.post("/api/inside/predict.png", params=TRAINED,
                           content=png(Image.new("1", (20000, 20000))),
                           headers={"Content-Type": "image/png"}))
    assert d["param"] == "image" and "decompression bomb" in d["message"]
