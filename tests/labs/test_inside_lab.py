"""Looking inside the trained models: preprocessing, thinning, tree, predictions, scales."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from neuralab.data import load_mnist
from neuralab.labs import inside
from neuralab.labs.compare import ModelCache, compare_models, cut_tree_leaves
from neuralab.params import ParamError

SETTINGS = dict(mlp_width=8, mlp_depth=2, tree_depth=4, train_size=300, seed=3)


@pytest.fixture(scope="module")
def result():
    return compare_models(**SETTINGS, scope="ui")


@pytest.fixture(scope="module")
def val_images(result):
    mnist = load_mnist()
    return mnist.images[len(mnist) - result.params["val_size"]:]


# ---------------------------------------------------------------- preprocessing


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_a_drawing_is_fitted_in_a_20x20_box_and_centred_by_mass():
    ink = np.zeros((200, 300), dtype=np.float32)
    ink[20:60, 10:170] = 1.0  # a wide bar, off-centre, far from 28x28 scale
    ink[60:140, 150:170] = 1.0  # and a stem: an L-ish shape with uneven mass
    out = inside.mnist_style(ink)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    rows, cols = np.nonzero(out > 0.02)
    height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
    assert max(height, width) in (20, 21)  # longer side 20 (+1 for anti-aliasing spill)
    assert abs(width / height - 160 / 120) < 0.2  # aspect kept
    cy, cx = inside.centre_of_mass(out)
    assert abs(cy - inside.CENTRE) <= 0.5 and abs(cx - inside.CENTRE) <= 0.5
    # anti-aliased: edge pixels take values between paper and ink
    assert ((out > 0.05) & (out < 0.95)).any()


def test_real_mnist_digits_are_centred_where_mnist_centres_them():
    digits = load_mnist().images[:300].astype(np.float64)
    coms = np.array([inside.centre_of_mass(d) for d in digits])
    assert np.allclose(coms.mean(axis=0), inside.CENTRE, atol=0.1)
    again = inside.mnist_style(digits[0] / 255)
    assert np.allclose(inside.centre_of_mass(again), inside.CENTRE, atol=0.5)


def test_a_blank_drawing_is_all_paper():
    assert not inside.mnist_style(np.zeros((50, 50))).any()


def test_png_ink_dark_on_light_and_transparent():
    img = Image.new("L", (100, 100), 255)
    ImageDraw.Draw(img).line([(50, 10), (50, 90)], fill=0, width=10)
    ink = inside.ink_from_png(_png(img))
    assert ink.shape == (100, 100) and ink[50, 50] == 1 and ink[5, 5] == 0
    clear = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
    ImageDraw.Draw(clear).ellipse([10, 10, 50, 50], outline=(0, 0, 0, 255), width=6)
    ink = inside.ink_from_png(_png(clear))
    assert ink[30, 30] == 0 and ink[30, 12] == 1
    # an opaque RGBA canvas (as a browser sends it) is read as dark ink on paper
    opaque = Image.new("RGBA", (40, 40), (255, 255, 255, 255))
    ImageDraw.Draw(opaque).line([(20, 5), (20, 35)], fill=(0, 0, 0, 255), width=4)
    ink = inside.ink_from_png(_png(opaque))
    assert ink[20, 20] == 1 and ink[2, 2] == 0


@pytest.mark.parametrize(("data", "needle"), [
    (b"GIF89a not a png", "not a PNG"),
    (inside.PNG_MAGIC + b"garbage" * 10, "could not be read"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * (inside.MAX_PNG_BYTES + 1), "bytes"),
])
def test_bad_uploads_name_the_problem(data, needle):
    with pytest.raises(ParamError) as info:
        inside.ink_from_png(data)
    assert info.value.param == "image" and needle in str(info.value)


def test_an_oversized_png_is_refused_before_decoding():
    with pytest.raises(ParamError, match="2000x10 pixels"):
        inside.ink_from_png(_png(Image.new("L", (2000, 10), 255)))


@pytest.mark.parametrize(("pixels", "needle"), [
    ([[0.0] * 28] * 27, "shape (27, 28)"),
    ([[0.0] * 28] * 27 + [[0.0] * 27], "must be a 28x28"),
    ([[float("nan")] * 28] * 28, "pixels[0][0] is not a number"),
    ([[0.0] * 28] * 5 + [[0.0] * 3 + [1.5] + [0.0] * 24] + [[0.0] * 28] * 22,
     "pixels[5][3] is 1.5"),
    ([["0.5"] * 28] * 28, "not numbers"),
])
def test_check_input(pixels, needle):
    with pytest.raises(ParamError) as info:
        inside.check_input(pixels)
    assert needle in str(info.value)


# ---------------------------------------------------------------- the MLP


def test_thinning_keeps_each_neurons_k_largest_incoming_weights():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 7))
    sources, values = inside.thin(w, 5)
    assert sources.shape == values.shape == (7, 5)
    for j in range(7):
        kept = np.abs(w[sources[j], j])
        dropped = np.abs(np.delete(w[:, j], sources[j]))
        assert kept.min() >= dropped.max()
        assert np.all(np.diff(kept) <= 0)  # strongest first
        assert np.array_equal(values[j], w[sources[j], j])
    assert inside.thin(w, 500)[0].shape == (7, 50)  # k is capped at the inputs
    assert "5 incoming connections with the largest |weight|" in inside.thinning_rule(5)


def test_the_diagram_is_the_trained_mlp(result):
    net = result.models["mlp"].model
    d = inside.mlp_diagram(result, 6)
    assert d["layer_sizes"] == [784, 8, 8, 10] and d["k"] == 6
    assert [layer["k"] for layer in d["layers"]] == [6, 6, 6]
    for layer, w, b in zip(d["layers"], net.weights, net.biases, strict=True):
        src = np.array(layer["sources"])
        assert np.allclose(layer["weights"], np.take_along_axis(w, src.T, 0).T, atol=1e-4)
        assert np.allclose(layer["bias"], b, atol=1e-4)
        full = np.frombuffer(base64.b64decode(layer["all_weights"]), "<f4")
        assert np.array_equal(full.reshape(w.shape), w)
    assert inside.mlp_diagram(result, 6) is d  # cached per comparison


def test_weight_images_share_one_symmetric_scale(result):
    block = inside.first_layer_images(result)
    w = result.models["mlp"].model.weights[0]
    assert block["shape"] == [8, 28, 28]
    assert block["scale"] == pytest.approx(float(np.abs(w).max()))
    decoded = inside.decode_signed(block)
    assert np.abs(decoded - w.T.reshape(8, 28, 28)).max() <= block["scale"] / 254 + 1e-9
    codes = np.frombuffer(base64.b64decode(block["data"]), np.int8)
    assert codes.max() == 127 or codes.min() == -127  # the largest |w| hits the scale's end
    lr = inside.logistic_images(result)
    coef = result.models["logistic_regression"].model.coef
    assert lr["shape"] == [10, 28, 28] and lr["scale"] == pytest.approx(np.abs(coef).max())
    assert np.abs(inside.decode_signed(lr) - coef.T.reshape(10, 28, 28)).max() \
        <= lr["scale"] / 254 + 1e-9


# ---------------------------------------------------------------- the tree


def test_the_tree_top_matches_the_cut_tree(result):
    tree = result.models["decision_tree"].model
    t = tree.tree_
    top = inside.tree_top(result, 3)
    assert top["depth"] == 4 and top["levels"] == 3

    def check(node, depth):
        i = node["id"]
        assert node["depth"] == depth and node["samples"] == t.n_node_samples[i]
        assert sum(node["counts"]) == node["samples"]
        if "split" in node:
            s = node["split"]
            assert s["pixel"] == t.feature[i] and (s["row"], s["col"]) == divmod(s["pixel"], 28)
            assert s["threshold"] == pytest.approx(t.threshold[i], abs=1e-4)
            left, right = node["children"]
            assert (left["id"], right["id"]) == (t.children_left[i], t.children_right[i])
            assert (s["left"], s["right"]) == (left["samples"], right["samples"])
            check(left, depth + 1)
            check(right, depth + 1)
        else:
            assert depth == 3 or not node["more"]

    check(top["root"], 0)
    X = load_mnist().features(slice(0, 300))
    # every training image ends in a leaf of the cut tree, and every leaf holds some
    assert top["n_leaves"] == len(np.unique(cut_tree_leaves(t, X, 4)))


def test_the_tree_is_never_drawn_past_its_cut(result):
    # with a cache, the depth-1 tree is the kept depth-4 tree cut at depth 1
    cache = ModelCache()
    compare_models(**SETTINGS, scope="ui", cache=cache)
    shallow = compare_models(**{**SETTINGS, "tree_depth": 1}, scope="ui", cache=cache)
    top = inside.tree_top(shallow, 4)
    assert top["levels"] == 1
    left, right = top["root"]["children"]
    assert "split" not in left and "split" not in right
    # the grown tree asks more below, but the cut tree stops: these are its leaves
    assert tree_has_children(shallow, left["id"]) and not left["more"] and not right["more"]
    assert top["n_leaves"] == 2


def tree_has_children(result, node: int) -> bool:
    return result.models["decision_tree"].model.tree_.children_left[node] != -1


# ---------------------------------------------------------------- predictions and mistakes


def test_predictions_match_the_models(result, val_images):
    for index in (0, 7, 123):
        image = val_images[index] / 255
        p = inside.predict_all(result, image)
        x = image.reshape(1, 784).astype(np.float32)
        net = result.models["mlp"].model
        assert np.allclose(p["mlp"]["probabilities"], net.forward(x)[0], atol=1e-4)
        assert p["mlp"]["digit"] == result.models["mlp"].predictions[index]
        assert len(p["mlp"]["activations"]) == 3
        lr = result.models["logistic_regression"].model
        assert np.allclose(p["logistic_regression"]["probabilities"], lr.predict_proba(x)[0],
                           atol=1e-4)
        assert p["logistic_regression"]["digit"] == \
            result.models["logistic_regression"].predictions[index]
        assert p["decision_tree"]["digit"] == result.models["decision_tree"].predictions[index]
        assert len(p["decision_tree"]["path"]) <= 5  # root + at most depth 4 steps
        assert p["decision_tree"]["path"][-1] == p["decision_tree"]["leaf"]


def test_confusion_cells_and_mistakes(result):
    conf = inside.confusion(result)
    m = np.array(conf["models"]["mlp"]["matrix"])
    assert m.sum() == 2000 and np.trace(m) / 2000 == pytest.approx(
        result.models["mlp"].accuracy)
    t, p = np.unravel_index(np.argmax(m - np.diag(np.diag(m))), m.shape)
    cell = inside.cell_digits(result, "mlp", int(t), int(p), 5)
    assert cell["total"] == m[t, p] and len(cell["indices"]) == min(5, m[t, p])
    assert all(label == t for label in cell["labels"])
    assert all(pred == p for pred in cell["predictions"]["mlp"])
    wrong = inside.misclassified(result, "decision_tree", 12)
    assert wrong["total"] == 2000 - np.trace(np.array(
        conf["models"]["decision_tree"]["matrix"]))
    assert all(a != b for a, b in zip(wrong["labels"], wrong["predictions"]["decision_tree"],
                                      strict=True))
    assert len(base64.b64decode(wrong["pixels"])) == 12 * 784


def test_validation_digit(result, val_images):
    d = inside.validation_digit(result, 5)
    assert d["label"] == result.val_labels[5]
    assert d["predictions"]["mlp"]["digit"] == result.models["mlp"].predictions[5]
    with pytest.raises(ParamError, match="from 0 to 1999"):
        inside.validation_digit(result, 2000)
