"""The lesson's comparison: logistic regression, a decision tree and an MLP on MNIST.

The first ``train_size`` images train the three models and the last ``val_size`` images
measure their accuracy (pixels scaled to 0..1), exactly as the lesson slices the data.

What makes it fast enough to answer a slider at once:

* logistic regression minimises scikit-learn's own objective with a lean L-BFGS
  (:mod:`neuralab.labs.logistic`);
* the decision tree is neuralab's own CART (:mod:`neuralab.nn.tree`: scikit-learn's splits,
  found from histograms of the 256 grey levels instead of sorting, in C when built). Every
  node keeps its class counts, so a shallower tree is a deeper tree cut at the asked depth.
  A call grows the tree to the asked depth; given a cache, it then grows it to depth 20 in
  the background, after answering, so the Tree Depth slider does not refit;
* the MLP is trained by the numpy engine with Adam and a cosine learning-rate schedule that
  reaches scikit-learn's accuracy in a fixed, small number of epochs;
* the tree grows in a second thread (the C loop releases the GIL) while the other two
  train, and, given a :class:`ModelCache`, every fitted model is kept by the settings it
  depends on, so moving one slider retrains only the model it affects.

The function keeps no state of its own: the cache is an object its caller owns (the lab
server keeps one for the app; a notebook may keep one; the CLI needs none).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuralab.blas import single_threaded
from neuralab.params import ParamError, Scope, group, validate

MODELS = ("logistic_regression", "decision_tree", "mlp")
TITLES = {"logistic_regression": "Logistic regression", "decision_tree": "Decision tree",
          "mlp": "MLP"}
N_CLASSES = 10
N_FEATURES = 784  # 28 x 28 pixels
DEFAULT_MLP_WEIGHTS = N_FEATURES * 32 + 32 * 32 + 32 * N_CLASSES  # the lesson's 32 x 2
TREE_GROWN_DEPTH = 20  # every tree of depth <= 20 is cut from one tree grown this deep
LR_MAX_ITER = 40  # within 0.005 of the converged accuracy at the lesson sizes
LR_TOL = 1e-4

Event = dict[str, Any]

# The lesson's three questions, with hints that say what the sliders show at the settings
# they name (tests/labs/test_compare_hints.py runs those settings and checks each claim).
QUESTIONS = (
    {"question": "What happens when you make the MLP wider, and what happens when you make "
                 "it deeper?",
     "hint": "Try Width 64 with Depth 1, then Width 8 with Depth 8. The wide, shallow "
             "network passes 90%; the deep, narrow one stays far below, and changes a lot "
             "with the seed, although it trains for more epochs. Stacking layers of a few "
             "neurons is not the same as adding neurons side by side: every layer must pass "
             "on what the next needs, and narrow deep networks are hard to train.",
     "settings": [{"mlp_width": 64, "mlp_depth": 1}, {"mlp_width": 8, "mlp_depth": 8}]},
    {"question": "Does more training data always help?",
     "hint": "Slide Dataset Size from 100 to 5000. Logistic regression and the MLP improve "
             "at every step, but less and less. The decision tree at depth 5 hardly moves "
             "past 1,000 images: a tree of depth 5 has at most 32 leaves, so more data "
             "cannot make it finer. Give it more depth and the extra data pays off.",
     "settings": [{"train_size": n} for n in (100, 1000, 5000)]
                 + [{"train_size": 5000, "tree_depth": 10}]},
    {"question": "Which model learns the most from the fewest examples?",
     "hint": "Set Dataset Size to 100 or 200. The decision tree falls far behind: each of "
             "its questions splits the few images further, and its leaves soon hold only "
             "one or two. Logistic regression and the MLP, which weigh every pixel at "
             "once, stay within a few points of each other.",
     "settings": [{"train_size": 100}, {"train_size": 200}]},
)


class Cancelled(Exception):
    """Raised by :func:`compare_models` when its ``cancel`` event is set."""


@dataclass
class ModelResult:
    """One model's outcome on the validation set."""

    name: str
    accuracy: float
    seconds: float
    predictions: np.ndarray  # (val_size,) predicted digit per validation image
    details: dict[str, Any] = field(default_factory=dict)
    model: Any = None  # the fitted model, for the views that look inside it
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "seconds": self.seconds, "cached": self.cached,
                **self.details}


@dataclass
class ComparisonResult:
    """The three models' results; ``to_dict()`` is what the CLI and the server print."""

    params: dict[str, Any]
    models: dict[str, ModelResult]
    val_labels: np.ndarray
    seconds: float = 0.0
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False,
                                       compare=False)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled (to or from a cluster's worker) without the memo and its lock.
        return {k: v for k, v in self.__dict__.items() if k not in ("_memo", "_memo_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _memo={}, _memo_lock=threading.Lock())

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``'s value, computed once per key for this result and kept with it.

        For figures derived from the trained models (the inside views): they live and die
        with the comparison they describe.
        """
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        value = make()
        with self._memo_lock:
            return self._memo.setdefault(key, value)

    def to_dict(self) -> dict[str, Any]:
        return {"params": dict(self.params),
                "models": {name: self.models[name].to_dict() for name in MODELS}}

    def confusion_matrix(self, model: str) -> np.ndarray:
        """(10, 10) counts: row = true digit, column = predicted digit."""
        pred = self.models[model].predictions
        out = np.zeros((N_CLASSES, N_CLASSES), dtype=np.int64)
        np.add.at(out, (self.val_labels.astype(np.int64), pred.astype(np.int64)), 1)
        return out

    def table(self) -> str:
        """A readable table: model, validation accuracy, seconds."""
        p = self.params
        mlp = self.models["mlp"].details
        names = {
            "logistic_regression": "logistic regression",
            "decision_tree": f"decision tree (depth {p['tree_depth']})",
            "mlp": f"MLP ({p['mlp_depth']} x {p['mlp_width']}, ReLU, {mlp['epochs']} epochs)",
        }
        width = max(len(n) for n in names.values())
        lines = [
            f"MNIST: first {p['train_size']} images train, last {p['val_size']} validate "
            f"(seed {p['seed']})",
            "",
            f"{'model':<{width}}  validation accuracy  seconds",
        ]
        for name in MODELS:
            r = self.models[name]
            lines.append(f"{names[name]:<{width}}  {r.accuracy:>19.3f}  {r.seconds:>7.3f}")
        lines.append(f"\ntotal wall time {self.seconds:.2f} s")
        return "\n".join(lines)


def check_params(values: dict[str, Any], scope: Scope = "api") -> dict[str, Any]:
    """Validate the comparison's settings, including that the two slices fit in MNIST."""
    params = validate("compare", values, scope=scope)
    room = 70_000 - params["val_size"]
    if params["train_size"] > room:
        p = group("compare")["train_size"]
        low, _ = p.bounds(scope)
        raise ParamError("train_size", f"an integer from {low} to {room} when "
                         f"val_size is {params['val_size']}", params["train_size"])
    return params


def compare_models(
    mlp_width: int = 32,
    mlp_depth: int = 2,
    tree_depth: int = 5,
    train_size: int = 1000,
    val_size: int = 2000,
    seed: int = 0,
    *,
    on_event: Callable[[Event], None] | None = None,
    cancel: threading.Event | None = None,
    scope: Scope = "api",
    cache: ModelCache | None = None,
) -> ComparisonResult:
    """Train the lesson's three models and measure them on the validation images.

    With a ``cache``, models fitted before with the settings they depend on are reused
    (and marked ``cached``), and the result is kept for :meth:`ModelCache.comparison`.
    ``on_event`` receives ``{"type": "model", "model", "accuracy", "seconds"}`` when each
    model is done and ``{"type": "epoch", "model": "mlp", "epoch", "loss", "val_accuracy",
    "seconds"}`` after every MLP epoch, possibly from a worker thread. Setting ``cancel``
    makes the call raise :class:`Cancelled` promptly. Out-of-range settings raise
    :class:`~neuralab.params.ParamError` (a ``ValueError``) naming the parameter and range.
    """
    params = check_params(dict(mlp_width=mlp_width, mlp_depth=mlp_depth, tree_depth=tree_depth,
                               train_size=train_size, val_size=val_size, seed=seed), scope)
    start = time.perf_counter()
    data = _split(params["train_size"], params["val_size"])
    emit = on_event or (lambda event: None)
    stop = cancel or threading.Event()

    def done(result: ModelResult) -> ModelResult:
        if not stop.is_set():
            emit({"type": "model", "model": result.name, "accuracy": result.accuracy,
                  "seconds": result.seconds, "cached": result.cached})
        return result

    def tree_then_logistic() -> tuple[ModelResult, ModelResult | None]:
        tree = done(_tree(data, params, cache))
        if stop.is_set():
            return tree, None
        return tree, done(_logistic(data, params, stop, cache))

    # The tree (its C loop releases the GIL), then the logistic regression, train in a
    # second thread while the MLP trains here. A cancelled run does not wait for them.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuralab-tree")
    try:
        with single_threaded():
            side = pool.submit(tree_then_logistic)
            mlp = _mlp(data, params, emit, stop, cache)
            if not stop.is_set():
                done(mlp)
                tree, lr = side.result()
        if cache is not None and not stop.is_set():
            pool.submit(_grow_deep_tree, data, params["train_size"], cache)
    finally:
        # Nothing is left to wait for but the deep tree, which the answer does not need.
        pool.shutdown(wait=False, cancel_futures=stop.is_set())
    if stop.is_set():
        raise Cancelled
    models = {"logistic_regression": lr, "decision_tree": tree, "mlp": mlp}
    result = ComparisonResult(params, models, data.y_val, time.perf_counter() - start)
    if cache is not None:
        cache.results.put(_result_key(params), result)
    return result


def _result_key(params: dict[str, Any]) -> tuple:
    return tuple(params[name] for name in group("compare"))


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Data:
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    codes_train: np.ndarray  # the training pixels as grey levels 0..255 (for the tree)
    # The slices laid out for the models, made once per slice instead of once per fit (up
    # to PREPARED_MAX training images; larger slices lay them out per fit, to save memory).
    prepared: _Prepared | None = None

    def lr_input(self) -> Any:
        """The logistic regression's design of the training slice."""
        from neuralab.labs.logistic import design

        return self.prepared.lr_design if self.prepared else design(self.X_train)

    def mlp_inputs(self) -> tuple[Any, Any]:
        """The MLP's training and validation inputs: CSR rows where the fused loops run."""
        return (self.prepared.mlp_train, self.prepared.mlp_val) if self.prepared else (
            _rows(self.X_train), _rows(self.X_val))


@dataclass(frozen=True)
class _Prepared:
    lr_design: Any
    mlp_train: Any
    mlp_val: Any


PREPARED_MAX = 10_000  # ~70 MB of layouts at 10,000 training images (~35 MB at 5,000)


def _rows(X: np.ndarray) -> Any:
    from neuralab.nn import kernels
    from neuralab.nn.network import SparseRows

    return SparseRows.from_matrix(X, np.float32) if kernels.ENABLED else X


@functools.lru_cache(maxsize=4)
def _split(train_size: int, val_size: int) -> _Data:
    """The lesson's slices as float32 0..1 (and the training slice's uint8 grey levels),
    kept (read-only) for the next slider move."""
    from neuralab.data import load_mnist
    from neuralab.labs.logistic import design

    mnist = load_mnist()
    X_train = mnist.features(slice(0, train_size))
    X_val = mnist.features(slice(len(mnist) - val_size, None))
    for array in (X_train, X_val):
        array.setflags(write=False)
    prepared = (_Prepared(design(X_train), _rows(X_train), _rows(X_val))
                if train_size <= PREPARED_MAX else None)
    return _Data(X_train, np.asarray(mnist.labels[:train_size]), X_val,
                 np.asarray(mnist.labels[len(mnist) - val_size:]), mnist.pixels[:train_size],
                 prepared)


# ---------------------------------------------------------------------------- cache


class _LRU:
    """A small thread-safe least-recently-used store."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class ModelCache:
    """Fitted models and whole comparisons kept for the next call of :func:`compare_models`.

    ``models`` holds each fitted model under the settings it depends on (a new tree depth
    reuses the tree, a new MLP width reuses the other two); ``results`` holds whole
    comparisons (~1 MB each) for the views that look inside them. Both forget the least
    recently used entries beyond their sizes. Thread-safe.
    """

    def __init__(self, models: int = 64, results: int = 64) -> None:
        self.models = _LRU(models)
        self.results = _LRU(results)

    def comparison(self, values: dict[str, Any], scope: Scope = "api"
                   ) -> ComparisonResult | None:
        """The comparison last trained with these settings, if it is still kept.

        The views that look inside the models use this: they show the very models the
        learner trained, and say so plainly when those were never trained or have been
        forgotten. Raises :class:`~neuralab.params.ParamError` for invalid settings.
        """
        return self.results.get(_result_key(check_params(values, scope)))

    def keep(self, result: ComparisonResult) -> None:
        """Keep a comparison trained elsewhere (on a cluster's worker) for
        :meth:`comparison`."""
        self.results.put(_result_key(result.params), result)

    def clear(self) -> None:
        """Forget every fitted model and result."""
        self.models.clear()
        self.results.clear()


def _cached(result: ModelResult) -> ModelResult:
    return ModelResult(result.name, result.accuracy, result.seconds, result.predictions,
                       result.details, result.model, cached=True)


# ---------------------------------------------------------------------------- models


def _logistic(data: _Data, params: dict, stop: threading.Event, cache: ModelCache | None
              ) -> ModelResult:
    from neuralab.labs.logistic import fit_logistic_regression

    key = ("lr", params["train_size"], params["val_size"])
    if cache is not None and (hit := cache.models.get(key)) is not None:
        return _cached(hit)
    t0 = time.perf_counter()
    model = fit_logistic_regression(data.lr_input(), data.y_train, n_classes=N_CLASSES,
                                    max_iter=LR_MAX_ITER, tol=LR_TOL, should_stop=stop.is_set)
    pred = model.predict(data.X_val).astype(np.uint8)
    result = ModelResult("logistic_regression", _accuracy(pred, data.y_val),
                         time.perf_counter() - t0, pred,
                         {"iterations": model.n_iter,
                          "parameters": model.coef.size + model.intercept.size}, model)
    if cache is not None and not stop.is_set():
        cache.models.put(key, result)
    return result


def grey_levels() -> np.ndarray:
    """The feature value of each grey level 0..255, as the comparison scales pixels."""
    return (np.arange(256).astype(np.float32) * np.float32(1 / 255)).astype(np.float64)


def _cached_tree(cache: ModelCache | None, train_size: int, depth: int) -> tuple | None:
    """(tree, seconds) of a kept tree grown at least ``depth`` deep, if any."""
    hit = cache.models.get(("tree", train_size)) if cache is not None else None
    return hit if hit is not None and hit[0].max_depth >= depth else None


def _grow_tree(data: _Data, train_size: int, depth: int, cache: ModelCache | None) -> tuple:
    """A tree grown ``depth`` deep, and the seconds it took; kept in ``cache`` unless a
    deeper one is kept already (the tree does not depend on the seed)."""
    from neuralab.nn.tree import DecisionTree

    t0 = time.perf_counter()
    tree = DecisionTree(max_depth=depth).fit(data.codes_train, data.y_train, grey_levels())
    grown = (tree, time.perf_counter() - t0)
    if cache is not None and _cached_tree(cache, train_size, depth) is None:
        cache.models.put(("tree", train_size), grown)
    return grown


def _grow_deep_tree(data: _Data, train_size: int, cache: ModelCache) -> None:
    """Grow and keep the depth-20 tree the Tree Depth slider cuts, unless it is kept."""
    if _cached_tree(cache, train_size, TREE_GROWN_DEPTH) is None:
        _grow_tree(data, train_size, TREE_GROWN_DEPTH, cache)


def _tree(data: _Data, params: dict, cache: ModelCache | None) -> ModelResult:
    depth = params["tree_depth"]
    t0 = time.perf_counter()
    hit = _cached_tree(cache, params["train_size"], depth)
    if hit is None:
        tree, fit_seconds = _grow_tree(data, params["train_size"], depth, cache)
    else:
        tree, fit_seconds = hit
    pred = tree.predict(data.X_val, depth).astype(np.uint8)
    # A reused tree reports how long growing it took, like the other reused models.
    seconds = time.perf_counter() - t0 if hit is None else fit_seconds
    return ModelResult(
        "decision_tree", _accuracy(pred, data.y_val), seconds, pred,
        {"depth": depth, "grown_depth": tree.get_depth(), "parameters": tree.nodes(depth)},
        tree, cached=hit is not None,
    )


def cut_tree_leaves(tree: Any, X: np.ndarray, depth: int) -> np.ndarray:
    """The node each row of ``X`` reaches in a grown tree's arrays (``tree.tree_``, ours or
    scikit-learn's) cut at ``depth``.

    Every node stores its class counts, so the node where a row stops is the leaf of the
    tree grown with ``max_depth=depth`` from the same splits.
    """
    node = np.zeros(len(X), dtype=np.intp)
    rows = np.arange(len(X))
    left, right = tree.children_left, tree.children_right
    feature, threshold = tree.feature, tree.threshold
    for _ in range(depth):
        inner = left[node] != -1
        if not inner.any():
            break
        f = np.where(inner, feature[node], 0)
        go_left = X[rows, f] <= threshold[node]
        node = np.where(inner, np.where(go_left, left[node], right[node]), node)
    return node


def tree_nodes(tree: Any, depth: int) -> int:
    """How many nodes (questions and leaves) a grown tree's arrays keep when cut at
    ``depth``: the tree's count of things it learned, beside the other models' weights."""
    level, count = [0], 0
    for _ in range(depth + 1):
        count += len(level)
        level = [c for node in level for c in (tree.children_left[node],
                                               tree.children_right[node]) if c != -1]
        if not level:
            break
    return count


def mlp_recipe(train_size: int, depth: int, width: int = 32) -> dict[str, Any]:
    """How the comparison trains its MLP: Adam with a cosine-decayed rate and a step budget.

    About 160 optimizer steps up to 1,000 images, growing slowly with more data (~280 steps
    for 5,000), in batches of about a sixteenth of the data (32 to 200 rows), with a smaller
    starting rate for deeper networks, which are less stable. At the lesson's settings this
    matches scikit-learn's default MLPClassifier in accuracy with a tenth of the epochs.

    Smaller networks get more epochs: a network with ``r`` times fewer weights than the
    lesson's default (32 x 2) costs about ``r`` times less per epoch and trains for
    ``r**1.5`` times as many (at most 8 times, and 60 epochs). Small and deep, narrow
    networks need them: with the default's 9 epochs, 8 layers of 8 neurons stopped at 32%,
    where they reach about 60% (scikit-learn's own MLP: 57-69%).
    """
    batch = int(np.clip(train_size // 16, 32, 200))
    steps_per_epoch = math.ceil(train_size / batch)
    steps = 160 * max(1.0, train_size / 1000) ** 0.35
    weights = N_FEATURES * width + (depth - 1) * width * width + width * N_CLASSES
    scale = float(np.clip((DEFAULT_MLP_WEIGHTS / weights) ** 1.5, 1.0, 8.0))
    epochs = int(np.clip(round(steps / steps_per_epoch * scale), 5, 60))
    lr0 = 0.01 * math.sqrt(2 / max(depth, 2))
    return {"batch_size": batch, "epochs": epochs, "learning_rate": lr0, "alpha": 1e-4,
            "parameters": weights + depth * width + N_CLASSES}


def _mlp(data: _Data, params: dict, emit: Callable[[Event], None], stop: threading.Event,
         cache: ModelCache | None) -> ModelResult:
    from neuralab.nn import Network, train

    width, depth, seed = params["mlp_width"], params["mlp_depth"], params["seed"]
    key = ("mlp", width, depth, params["train_size"], params["val_size"], seed)
    if cache is not None and (hit := cache.models.get(key)) is not None:
        for point in hit.details["curve"]:
            emit({"type": "epoch", "model": "mlp", **point, "cached": True})
        return _cached(hit)
    recipe = mlp_recipe(params["train_size"], depth, width)
    epochs, lr0 = recipe["epochs"], recipe["learning_rate"]
    t0 = time.perf_counter()
    net = Network([data.X_train.shape[1], *[width] * depth, N_CLASSES], activation="relu",
                  seed=seed)
    curve: list[dict[str, Any]] = []

    def on_epoch(stats: Any) -> bool:
        point = {"epoch": stats.epoch, "loss": stats.loss, "val_accuracy": stats.val_accuracy,
                 "seconds": time.perf_counter() - t0}
        curve.append(point)
        emit({"type": "epoch", "model": "mlp", **point})
        return stop.is_set()

    X_train, X_val = data.mlp_inputs()
    train(net, X_train, data.y_train, solver="adam",
          learning_rate=lambda e: lr0 * 0.5 * (1 + math.cos(math.pi * e / epochs)),
          batch_size=recipe["batch_size"], max_epochs=epochs, alpha=recipe["alpha"],
          n_iter_no_change=None, seed=seed, X_val=X_val, y_val=data.y_val,
          callback=on_epoch)
    pred = net.predict(X_val).astype(np.uint8)
    result = ModelResult(
        "mlp", _accuracy(pred, data.y_val), time.perf_counter() - t0, pred,
        {"hidden_layer_sizes": [width] * depth, "epochs": len(curve), "curve": curve,
         "recipe": recipe, "parameters": recipe["parameters"]}, net,
    )
    if cache is not None and not stop.is_set():
        cache.models.put(key, result)
    return result


def _accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(pred == y))
