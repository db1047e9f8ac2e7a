"""Inside the models a comparison trained: diagrams, weight images, predictions, mistakes.

Everything here is computed from a :class:`~neuralab.labs.compare.ComparisonResult` (the very
models the learner trained) and returned as JSON-ready data. Images travel as base64 bytes:

* weight images: int8 codes, ``weight = code / 127 * scale``, one shared symmetric ``scale``
  per figure (the largest |weight| in it), so equal colours mean equal weights;
* digits: uint8 ink, 0 (paper) to 255 (ink), 784 per digit, row by row.

Derived data that takes more than a few milliseconds is kept with the trained comparison
(:meth:`~neuralab.labs.compare.ComparisonResult.memo`) and dropped with it.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

from neuralab.labs.compare import MODELS, N_CLASSES, TITLES, ComparisonResult, cut_tree_leaves
from neuralab.params import ParamError, group

SIDE = 28  # MNIST images are 28x28
BOX = 20  # MNIST fitted each digit into a 20x20 box ...
CENTRE = 14.0  # ... and put its centre of mass here (row and column, 0-based pixel centres)
MAX_PNG_BYTES = 512 * 1024
MAX_PNG_SIDE = 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# ---------------------------------------------------------------------------- encodings


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def signed_images(vectors: np.ndarray) -> dict[str, Any]:
    """Rows of 784 weights as 28x28 images on one shared, symmetric scale.

    ``scale`` is the largest |weight| of all rows, so code +127 is +scale (blue), -127 is
    -scale (red) and 0 is white, in every image alike.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    scale = float(np.abs(vectors).max()) if vectors.size else 0.0
    codes = np.zeros(vectors.shape, dtype=np.int8)
    if scale > 0:
        codes = np.clip(np.rint(vectors / scale * 127), -127, 127).astype(np.int8)
    return {"shape": [len(vectors), SIDE, SIDE], "scale": scale,
            "encoding": "base64 int8, row-major; weight = code / 127 * scale",
            "data": _b64(codes)}


def decode_signed(images: dict[str, Any]) -> np.ndarray:
    """The weights an encoded :func:`signed_images` block stands for (to within scale/254)."""
    codes = np.frombuffer(base64.b64decode(images["data"]), dtype=np.int8)
    return codes.reshape(images["shape"]).astype(np.float64) / 127 * images["scale"]


def _rounded(values: np.ndarray, digits: int = 4) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


# ---------------------------------------------------------------------------- the MLP


def thin(weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each neuron's ``k`` incoming connections with the largest |weight|.

    ``weights`` is (n_in, n_out). Returns ``(sources, values)``, both (n_out, min(k, n_in)):
    row ``j`` lists neuron ``j``'s kept inputs, strongest first.
    """
    weights = np.asarray(weights)
    kk = max(1, min(int(k), weights.shape[0]))
    strength = np.abs(weights)
    top = np.argpartition(-strength, kk - 1, axis=0)[:kk]  # (kk, n_out), unordered
    order = np.argsort(-np.take_along_axis(strength, top, axis=0), axis=0, kind="stable")
    sources = np.take_along_axis(top, order, axis=0).T
    values = np.take_along_axis(weights, sources.T, axis=0).T
    return sources, values


def thinning_rule(k: int) -> str:
    """The thinning rule, in words, as the diagram states it."""
    return (f"Each neuron shows only its {k} incoming connection{'s' * (k != 1)} with the "
            "largest |weight|. Blue is positive, red negative; line width and opacity grow "
            "with |weight|, relative to the largest |weight| into that layer.")


def mlp_diagram(result: ComparisonResult, k: int) -> dict[str, Any]:
    """The trained MLP as layers of neurons and thinned connections.

    Each layer after the input lists, per neuron, its kept ``sources`` and their ``weights``
    (see :func:`thin`), its ``bias``, and all its incoming weights (``all_weights``: base64
    float32 of the (n_in, n_out) matrix, row-major) for hovering.
    """
    return result.memo(("mlp", k), lambda: _mlp_diagram(result, k))


def _mlp_diagram(result: ComparisonResult, k: int) -> dict[str, Any]:
    net = result.models["mlp"].model
    layers = []
    for w, b in zip(net.weights, net.biases, strict=True):
        sources, values = thin(w, k)
        layers.append({
            "n_in": int(w.shape[0]), "n_out": int(w.shape[1]), "k": int(sources.shape[1]),
            "max_abs": float(np.abs(w).max()),
            "sources": sources.tolist(), "weights": _rounded(values),
            "bias": _rounded(b),
            "all_weights": _b64(np.asarray(w, dtype="<f4")),
        })
    return {
        "layer_sizes": [int(s) for s in net.layer_sizes],
        "activation": net.activation,
        "k": int(k),
        "rule": thinning_rule(int(k)),
        "layers": layers,
        "accuracy": result.models["mlp"].accuracy,
    }


def first_layer_images(result: ComparisonResult) -> dict[str, Any]:
    """The first hidden layer's incoming weight vectors as 28x28 images, one shared scale."""
    def make() -> dict[str, Any]:
        w = result.models["mlp"].model.weights[0]
        return signed_images(np.asarray(w).T)

    return result.memo("first_layer", make)


# ---------------------------------------------------------------------------- the other two


def logistic_images(result: ComparisonResult) -> dict[str, Any]:
    """Logistic regression's ten weight images (one per digit) on one shared scale."""
    def make() -> dict[str, Any]:
        model = result.models["logistic_regression"].model
        out = signed_images(np.asarray(model.coef).T)
        out["intercept"] = _rounded(model.intercept)
        out["accuracy"] = result.models["logistic_regression"].accuracy
        return out

    return result.memo("logistic", make)


def _class_counts(tree: Any, node: int) -> np.ndarray:
    """Training images of each digit that reach ``node``."""
    counts = np.zeros(N_CLASSES, dtype=np.int64)
    counts[tree.classes_.astype(np.int64)] = tree.tree_.counts[node]
    return counts


def tree_top(result: ComparisonResult, levels: int) -> dict[str, Any]:
    """The decision tree's top ``levels`` of questions, as the comparison cut it.

    Every node has its training ``samples``, class ``counts`` and ``majority`` digit. A node
    that asks a question has ``split`` (``pixel``, its ``row`` and ``col`` on the 28x28 grid,
    ``threshold`` on the 0..1 ink scale, and how many samples go ``left`` (ink <= threshold)
    and ``right``) and two ``children``. Below the shown levels, ``more`` says whether the
    cut tree asks further questions.
    """
    return result.memo(("tree", levels), lambda: _tree_top(result, levels))


def _tree_top(result: ComparisonResult, levels: int) -> dict[str, Any]:
    model = result.models["decision_tree"]
    tree, depth = model.model, int(model.details["depth"])
    t = tree.tree_
    shown = min(levels, depth)

    def node(i: int, d: int) -> dict[str, Any]:
        counts = _class_counts(tree, i)
        out: dict[str, Any] = {"id": i, "depth": d, "samples": int(t.n_node_samples[i]),
                               "counts": counts.tolist(), "majority": int(counts.argmax())}
        asks = bool(t.children_left[i] != -1 and d < depth)
        if asks and d < shown:
            left, right = int(t.children_left[i]), int(t.children_right[i])
            pixel = int(t.feature[i])
            out["split"] = {"pixel": pixel, "row": pixel // SIDE, "col": pixel % SIDE,
                            "threshold": round(float(t.threshold[i]), 4),
                            "left": int(t.n_node_samples[left]),
                            "right": int(t.n_node_samples[right])}
            out["children"] = [node(left, d + 1), node(right, d + 1)]
        else:
            out["more"] = asks
        return out

    return {"depth": depth, "levels": shown, "root": node(0, 0),
            "n_leaves": count_leaves(t, depth), "accuracy": model.accuracy}


def count_leaves(t: Any, depth: int) -> int:
    """Leaves of a grown tree's arrays (``tree.tree_``) cut at ``depth``."""
    count, frontier = 0, [0]
    for d in range(depth + 1):
        inner = [i for i in frontier if t.children_left[i] != -1]
        count += len(frontier) - len(inner)
        if d == depth:
            return count + len(inner)
        frontier = [c for i in inner for c in (t.children_left[i], t.children_right[i])]
    return count


def tree_path(tree: Any, x: np.ndarray, depth: int) -> list[int]:
    """The nodes one input visits from the root to its leaf in the tree cut at ``depth``."""
    t = tree.tree_
    node, path = 0, [0]
    for _ in range(depth):
        if t.children_left[node] == -1:
            break
        node = int(t.children_left[node] if x[t.feature[node]] <= t.threshold[node]
                   else t.children_right[node])
        path.append(node)
    return path


# ---------------------------------------------------------------------------- a drawing


def ink_from_png(data: bytes) -> np.ndarray:
    """A PNG's ink as floats in 0..1, (height, width); bad uploads raise ParamError.

    When some pixels are transparent, ink is the alpha channel (what was painted). Otherwise
    ink is dark on light paper (or light on dark when the picture is mostly dark).
    """
    from PIL import Image, UnidentifiedImageError

    expected = f"a PNG image of at most {MAX_PNG_BYTES // 1024} KiB and {MAX_PNG_SIDE}x" \
               f"{MAX_PNG_SIDE} pixels"
    if len(data) > MAX_PNG_BYTES:
        raise ParamError("image", expected, message=f"the upload is {len(data)} bytes; "
                         f"image must be {expected}")
    if not data.startswith(PNG_MAGIC):
        raise ParamError("image", expected, message=f"the upload is not a PNG; image must be "
                         f"{expected}")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as img:
            width, height = img.size
            if width > MAX_PNG_SIDE or height > MAX_PNG_SIDE or width < 1 or height < 1:
                raise ParamError("image", expected, message=f"the PNG is {width}x{height} "
                                 f"pixels; image must be {expected}")
            img.load()
            rgba = np.asarray(img.convert("RGBA"), dtype=np.float32) / 255
    except ParamError:
        raise
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError,
            Image.DecompressionBombError) as exc:
        raise ParamError("image", expected, message=f"the PNG could not be read ({exc}); "
                         f"image must be {expected}") from None
    alpha = rgba[..., 3]
    if alpha.min() < 1:  # painted on a transparent background
        return np.ascontiguousarray(alpha)
    grey = rgba[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.ascontiguousarray(1 - grey if grey.mean() >= 0.5 else grey)


def mnist_style(ink: np.ndarray) -> np.ndarray:
    """Turn a drawing into an MNIST-like 28x28 input, the way MNIST was made.

    The inked bounding box is scaled (anti-aliased, aspect kept) so its longer side is 20
    pixels, then placed in a 28x28 field with its centre of mass at pixel (14, 14), where
    the real MNIST digits have it. Ink is 0..1; a blank drawing gives all zeros.
    """
    from PIL import Image

    ink = np.clip(np.nan_to_num(np.asarray(ink, dtype=np.float32)), 0, 1)
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    rows, cols = np.nonzero(ink > 0)
    if rows.size == 0:
        return out
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # (width, height) for Pillow
    small = Image.fromarray(np.ascontiguousarray(crop), mode="F").resize(
        size, Image.Resampling.LANCZOS)
    box = np.clip(np.asarray(small, dtype=np.float32), 0, 1)
    mass = box.sum()
    if mass <= 0:
        return out
    cy = (box.sum(axis=1) * np.arange(box.shape[0])).sum() / mass
    cx = (box.sum(axis=0) * np.arange(box.shape[1])).sum() / mass
    top, left = round(CENTRE - cy), round(CENTRE - cx)
    # paste with clipping at the field's edges
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + box.shape[0], SIDE), min(left + box.shape[1], SIDE)
    if r1 > r0 and c1 > c0:
        out[r0:r1, c0:c1] = box[r0 - top:r1 - top, c0 - left:c1 - left]
    return out


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of an image's centre of mass, in 0-based pixel coordinates."""
    image = np.asarray(image, dtype=np.float64)
    mass = image.sum()
    idx = np.arange(image.shape[0]), np.arange(image.shape[1])
    return (float((image.sum(axis=1) * idx[0]).sum() / mass),
            float((image.sum(axis=0) * idx[1]).sum() / mass))


def check_input(pixels: Any) -> np.ndarray:
    """A 28x28 input as float32, checked against the parameter table's ``pixels`` (its shape
    and range), or ParamError naming the problem and the first bad pixel."""
    param = group("inside")["pixels"]
    expected = param.expected("api")
    low, high = param.bounds("api")
    if pixels is None:
        raise ParamError("pixels", expected, message=f"pixels is required: {expected}")
    try:
        x = np.asarray(pixels)
    except (TypeError, ValueError):  # ragged nesting
        raise ParamError("pixels", expected, message=f"pixels must be {expected}") from None
    if x.shape == param.shape and x.dtype.kind not in "iuf":
        raise ParamError("pixels", expected, message=f"pixels holds values that are not "
                         f"numbers; it must be {expected}")
    x = x.astype(np.float64) if x.dtype.kind in "iuf" else x
    if x.shape != param.shape:
        raise ParamError("pixels", expected, message=f"pixels has shape {x.shape}; "
                         f"it must be {expected}")
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ParamError("pixels", expected, message=f"pixels[{r}][{c}] is not a number; "
                         f"pixels must be {expected}")
    out = (x < low) | (x > high)
    if out.any():
        r, c = np.argwhere(out)[0]
        raise ParamError("pixels", expected, message=f"pixels[{r}][{c}] is {x[r, c]:g}; "
                         f"pixels must be {expected}")
    return x.astype(np.float32)


# ---------------------------------------------------------------------------- predictions


def predict_all(result: ComparisonResult, image: np.ndarray) -> dict[str, Any]:
    """What each of the three models says about one 28x28 input (0..1).

    The MLP gives its ten probabilities and every layer's activations (hidden layers, then
    the output); logistic regression its ten probabilities; the tree its leaf in the cut
    tree, the path there and the leaf's class counts.
    """
    x = np.asarray(image, dtype=np.float32).reshape(1, SIDE * SIDE)
    net = result.models["mlp"].model
    acts = net.activations(x)
    probs = acts[-1][0]
    lr = result.models["logistic_regression"].model
    lr_probs = lr.predict_proba(x.copy())[0]
    tree_model = result.models["decision_tree"]
    tree, depth = tree_model.model, int(tree_model.details["depth"])
    leaf = int(cut_tree_leaves(tree.tree_, x, depth)[0])
    counts = _class_counts(tree, leaf)
    return {
        "mlp": {"digit": int(probs.argmax()), "probabilities": _rounded(probs),
                "activations": [_rounded(a[0]) for a in acts[1:]]},
        "logistic_regression": {"digit": int(lr_probs.argmax()),
                                "probabilities": _rounded(lr_probs)},
        "decision_tree": {"digit": int(counts.argmax()), "leaf": leaf,
                          "path": tree_path(tree, x[0], depth), "counts": counts.tolist(),
                          "probabilities": _rounded(counts / max(counts.sum(), 1))},
        "input": _rounded(x.reshape(SIDE, SIDE), 3),
    }


# ---------------------------------------------------------------------------- mistakes


def _val_images(result: ComparisonResult) -> np.ndarray:
    """The validation digits as (val_size, 784) uint8 (a view of the bundled data)."""
    from neuralab.data import load_mnist

    mnist = load_mnist()
    return mnist.pixels[len(mnist) - int(result.params["val_size"]):]


def _digits(result: ComparisonResult, indices: np.ndarray) -> dict[str, Any]:
    indices = np.asarray(indices, dtype=np.int64)
    return {
        "indices": indices.tolist(),
        "labels": result.val_labels[indices].astype(int).tolist(),
        "predictions": {m: result.models[m].predictions[indices].astype(int).tolist()
                        for m in MODELS},
        "encoding": "base64 uint8, row-major, 784 per digit",
        "pixels": _b64(_val_images(result)[indices]),
    }


def confusion(result: ComparisonResult) -> dict[str, Any]:
    """Each model's 10x10 confusion matrix on the validation set (row true, column said)."""
    def make() -> dict[str, Any]:
        return {"n": int(len(result.val_labels)),
                "models": {m: {"title": TITLES[m], "accuracy": result.models[m].accuracy,
                               "matrix": result.confusion_matrix(m).tolist()} for m in MODELS}}

    return result.memo("confusion", make)


def cell_digits(result: ComparisonResult, model: str, true: int, pred: int,
                limit: int) -> dict[str, Any]:
    """The validation digits behind one confusion-matrix cell (the first ``limit``)."""
    hits = np.flatnonzero((result.val_labels == true)
                          & (result.models[model].predictions == pred))
    return {"model": model, "true": true, "pred": pred, "total": int(hits.size),
            **_digits(result, hits[:limit])}


def _confidence_order(result: ComparisonResult, model: str) -> np.ndarray:
    """Indices of the model's mistakes, most confident mistake first."""
    def make() -> np.ndarray:
        pred = result.models[model].predictions
        wrong = np.flatnonzero(pred != result.val_labels)
        X = _val_images(result)[wrong].astype(np.float32) / 255
        m = result.models[model]
        if model == "decision_tree":
            tree = m.model
            leaves = cut_tree_leaves(tree.tree_, X, int(m.details["depth"]))
            conf = tree.tree_.value[leaves, 0].max(axis=1)
        else:
            probs = m.model.forward(X) if model == "mlp" else m.model.predict_proba(X)
            conf = probs.max(axis=1)
        return wrong[np.argsort(-conf, kind="stable")]

    return result.memo(("mistakes", model), make)


def misclassified(result: ComparisonResult, model: str, limit: int) -> dict[str, Any]:
    """The validation digits ``model`` got wrong, the most confident mistakes first."""
    order = _confidence_order(result, model)
    return {"model": model, "total": int(order.size), **_digits(result, order[:limit])}


def validation_digit(result: ComparisonResult, index: int) -> dict[str, Any]:
    """One validation digit with its label and the three models' predictions for it."""
    n = len(result.val_labels)
    if not 0 <= index < n:
        raise ParamError("index", f"an integer from 0 to {n - 1}", index)
    pixels = _val_images(result)[index]
    return {"index": int(index), "label": int(result.val_labels[index]),
            "pixels": _b64(pixels),
            "predictions": predict_all(result, pixels.reshape(SIDE, SIDE) / 255)}


def summary(result: ComparisonResult) -> dict[str, Any]:
    """The comparison's settings and accuracies, for a view's heading."""
    return {"params": dict(result.params),
            "accuracy": {m: result.models[m].accuracy for m in MODELS}}
