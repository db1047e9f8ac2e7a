"""A playground run: settings, data and network, stepped an epoch at a time, read as frames.

``Playground(**settings)`` validates the settings against the parameter table's
``playground`` group, draws the data from the seed and builds the network. ``step(epochs)``
trains; ``frame()`` reads what the page draws: the epoch, training and test loss (and
accuracy), and the output of every neuron on a grid over [-6, 6]^2, all from one forward
pass of the grid. The learning rate, the optimizer and the regularization can change between
steps without a reset (``set``), as in TensorFlow Playground; a new optimizer starts with
fresh state (no velocity, no moments), a new rate keeps it. ``regenerate`` draws new points
(a new seed) and keeps the network; ``use_points`` trains on the learner's own points,
``add_point`` and ``remove_point`` edit them one at a time; ``edit`` sets one weight or bias
by hand. ``trace(point)`` shows one update on one training point step by step
(backpropagation) and ``apply(point)`` makes it (:mod:`.backprop`). A loss that is NaN or
infinite marks the frame ``diverged`` (its losses are then None).
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from neuralab.labs.playground import backprop
from neuralab.labs.playground.data import (
    FEATURES,
    MAX_Y,
    RADIUS,
    Points,
    features,
    generate,
)
from neuralab.labs.playground.model import HIDDEN_ACTIVATIONS, PlaygroundNet
from neuralab.params import ParamError, group, validate

MAX_LAYERS = 8
MAX_NEURONS = 32
REGRESSION_SETS = ("plane", "multi_gaussian")
MAX_EDIT = 100.0  # the largest weight or bias the learner may type in
LIVE = ("learning_rate", "regularization", "regularization_rate", "batch_size", "optimizer")


def parse_layers(text: str) -> list[int]:
    """``"4,2"`` -> ``[4, 2]``, checked: up to 8 layers of 1 to 32 neurons."""
    expected = f"up to {MAX_LAYERS} comma-separated integers from 1 to {MAX_NEURONS}"
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_LAYERS or not all(p.isdigit() for p in parts):
        raise ParamError("layers", expected, text)
    sizes = [int(p) for p in parts]
    if not all(1 <= s <= MAX_NEURONS for s in sizes):
        raise ParamError("layers", expected, text)
    return sizes


def parse_activations(text: str, default: str, count: int) -> list[str]:
    """One activation per hidden layer: ``"relu,tanh"``, or ``default`` for every layer."""
    if not text.strip():
        return [default] * count
    names = [p.strip().lower() for p in text.split(",")]
    expected = f"{count} of {', '.join(HIDDEN_ACTIVATIONS)}, comma-separated"
    if len(names) != count or any(n not in HIDDEN_ACTIVATIONS for n in names):
        raise ParamError("activations", expected, text)
    return names


class Playground:
    """One run of the playground (see the module docstring)."""

    def __init__(self, **settings: Any) -> None:
        s = validate("playground", settings, scope="api")
        regression = s["problem"] == "regression"
        if (s["dataset"] in REGRESSION_SETS) != regression:
            sets = REGRESSION_SETS if regression else tuple(
                c for c in group("playground")["dataset"].choices if c not in REGRESSION_SETS)
            raise ParamError("dataset", f"one of {', '.join(sets)} for {s['problem']}",
                             s["dataset"])
        if regression and s["loss"] != "square":
            raise ParamError("loss", "square for regression", s["loss"])
        self.inputs = tuple(name for name in FEATURES if s[name])
        if not self.inputs:
            raise ParamError("features", "at least one input feature switched on",
                             message="switch on at least one input feature (X1, X2, X1², "
                                     "X2², X1X2, sin(X1) or sin(X2))")
        self.hidden = parse_layers(s["layers"])
        self.activations = parse_activations(s["activations"], s["activation"],
                                             len(self.hidden))
        self.settings = s
        self._build(generate(s["dataset"], s["noise"] / 100, s["seed"]))

    def _build(self, points: Points, split: tuple[Points, Points] | None = None) -> None:
        """Split ``points`` (unless ``split`` gives the training and test points) and make a
        new network that fits them (classes, output, loss)."""
        s = self.settings
        regression = points.problem == "regression"
        if (s["problem"] == "regression") != regression:
            raise ParamError("problem", f"{points.problem} for these points", s["problem"])
        self.points = points
        self.train_points, self.test_points = split or self.points.split(s["ratio"] / 100,
                                                                         s["seed"])
        self.classes = self.points.classes
        if self.classes > 2:
            output, loss, n_out = "softmax", "cross_entropy", self.classes
            if s["loss"] != "cross_entropy":
                raise ParamError("loss", f"cross_entropy for {self.classes} classes", s["loss"])
        elif regression:
            output, loss, n_out = "linear", "square", 1
        else:
            output, loss, n_out = ("tanh", "square", 1) if s["loss"] == "square" \
                else ("sigmoid", "cross_entropy", 1)
        self.net = PlaygroundNet([len(self.inputs), *self.hidden, n_out], self.activations,
                                 output, loss, s["seed"])
        self.epoch = 0
        self._grid_inputs: dict[int, np.ndarray] = {}  # the features of each grid size
        self._grid_outputs: dict[int, list[np.ndarray]] = {}  # and its layers' outputs
        self._data()

    def _data(self) -> None:
        self.X_train = features(self.train_points.xy, self.inputs)
        self.y_train = self.train_points.labels
        self.X_test = features(self.test_points.xy, self.inputs)
        self.y_test = self.test_points.labels

    # ------------------------------------------------------------------ changing

    def set(self, **changes: Any) -> None:
        """Change the learning rate, optimizer, regularization, its rate or the batch size in place
        (the network and its epoch stay)."""
        unknown = sorted(set(changes) - set(LIVE))
        if unknown:
            raise ParamError(unknown[0], "one of " + ", ".join(LIVE) + " (others need a reset)",
                             unknown[0])
        checked = validate("playground", changes, scope="api", partial=True)
        self.settings.update(checked)

    def regenerate(self, seed: int) -> None:
        """New points from ``seed`` (same data set, noise and ratio); the network is kept."""
        s = self.settings
        self.settings["seed"] = validate("playground", {"seed": seed}, partial=True)["seed"]
        self.points = generate(s["dataset"], s["noise"] / 100, s["seed"])
        self.train_points, self.test_points = self.points.split(s["ratio"] / 100, s["seed"])
        self._data()

    def use_points(self, points: Points) -> None:
        """Train on ``points`` (say, an upload) from epoch 0 with a new network."""
        self._build(points)

    def add_point(self, x1: float, x2: float, label: float) -> None:
        """Add a training point (a class of the current data, or a value from -2 to 2 for
        regression) and start a new network at epoch 0 on the points; the others keep their
        part (training or test)."""
        for name, v in (("x1", x1), ("x2", x2)):
            if not (_number(v) and -RADIUS <= v <= RADIUS):
                raise ParamError(name, f"a number from -{RADIUS:g} to {RADIUS:g}", v)
        p = self.points
        if p.problem == "regression":
            if not (_number(label) and -MAX_Y <= label <= MAX_Y):
                raise ParamError("label", f"a value from -{MAX_Y:g} to {MAX_Y:g}", label)
        else:
            classes = (-1, 1) if p.classes == 2 else tuple(range(p.classes))
            if not (_number(label) and label in classes):
                raise ParamError("label", "one of the classes " + ", ".join(map(str, classes)),
                                 label)
        row = np.array([[float(x1), float(x2)]])

        def more(part: Points) -> Points:
            return Points(np.vstack([part.xy, row]),
                          np.append(part.labels, label).astype(part.labels.dtype), p.problem,
                          p.classes)
        self._build(more(p), (more(self.train_points), self.test_points))

    def remove_point(self, x1: float, x2: float, within: float = 0.3) -> None:
        """Remove the point nearest (x1, x2) if it lies ``within`` that distance, and start a
        new network at epoch 0 on the rest."""
        if not (_number(x1) and _number(x2)):
            raise ParamError("x1", "the numbers x1 and x2 of a point", (x1, x2))
        parts = [self.train_points, self.test_points]
        where = [(float(np.hypot(*(part.xy - (x1, x2)).T).min()), k) if len(part) else
                 (math.inf, k) for k, part in enumerate(parts)]
        distance, k = min(where)
        if distance > within:
            raise ParamError("x1", f"the place of a point (none within {within:g} of "
                             f"({x1:g}, {x2:g}))", (x1, x2))
        part = parts[k]
        i = int(np.hypot(*(part.xy - (x1, x2)).T).argmin())
        parts[k] = Points(np.delete(part.xy, i, axis=0), np.delete(part.labels, i),
                          part.problem, part.classes)
        p = self.points
        j = int(np.flatnonzero((p.xy == part.xy[i]).all(axis=1)
                               & (p.labels == part.labels[i]))[0])
        whole = Points(np.delete(p.xy, j, axis=0), np.delete(p.labels, j), p.problem,
                       p.classes)
        self._build(whole, (parts[0], parts[1]))

    def edit(self, layer: int, neuron: int, source: int | None, value: float) -> None:
        """Set the weight from ``source`` (a neuron of the layer before) into ``neuron`` of
        ``layer`` (1 = the first hidden layer), or its bias when ``source`` is None."""
        if not (isinstance(value, (int, float)) and math.isfinite(value)
                and -MAX_EDIT <= value <= MAX_EDIT):
            raise ParamError("value", f"a finite number from -{MAX_EDIT:g} to {MAX_EDIT:g}",
                             value)
        if not 1 <= layer <= len(self.net.layers):
            raise ParamError("layer", f"a layer from 1 to {len(self.net.layers)}", layer)
        target = self.net.layers[layer - 1]
        fan_in, width = target.weights.shape
        if not 0 <= neuron < width:
            raise ParamError("neuron", f"a neuron from 0 to {width - 1}", neuron)
        if source is None:
            target.biases[neuron] = value
        elif 0 <= source < fan_in:
            target.weights[source, neuron] = value
        else:
            raise ParamError("source", f"a neuron from 0 to {fan_in - 1}, or none for the "
                             "bias", source)

    def trace(self, point: int) -> dict[str, Any]:
        """One update on training point ``point``, step by step, without making it
        (:func:`neuralab.labs.playground.backprop.trace`)."""
        return backprop.trace(self, point)

    def apply(self, point: int) -> dict[str, Any]:
        """Make the update of :meth:`trace` (the epoch stays); returns its trace."""
        return backprop.apply(self, point)

    def points_for_page(self) -> dict[str, Any]:
        """The training and test points as flat lists (x1, x2, label, x1, x2, ...)."""
        def flat(p: Points) -> list[float]:
            return np.column_stack([p.xy, p.labels]).round(4).ravel().tolist()

        return {"problem": self.points.problem, "classes": self.classes,
                "train": flat(self.train_points), "test": flat(self.test_points)}

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs."""
        s = self.settings
        for _ in range(epochs):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence shows in frames
                self.net.epoch(self.X_train, self.y_train, s["batch_size"], s["learning_rate"],
                               s["regularization"], s["regularization_rate"], s["optimizer"])
            self.epoch += 1

    # ------------------------------------------------------------------ reading

    def losses(self) -> dict[str, Any]:
        """Mean loss on the training and test points; when classifying also the accuracy and
        the confusion matrix (``confusion[true][predicted]``: counts of points, classes in
        order; -1 before +1 for two classes)."""
        out: dict[str, Any] = {}
        for part, X, y in (("train", self.X_train, self.y_train),
                           ("test", self.X_test, self.y_test)):
            outputs = self.net.forward(X)[-1]
            out[f"{part}_loss"] = float(self.net._losses(outputs, y).mean()) if len(y) else 0.0
            if self.points.problem == "classification" and len(y):
                guess, truth = self._classes(outputs), self._truth(y)
                out[f"{part}_accuracy"] = float(np.mean(guess == truth))
                k = max(2, self.classes)
                out[f"{part}_confusion"] = np.bincount(truth * k + guess, minlength=k * k) \
                    .reshape(k, k).tolist()
        return out

    def _classes(self, outputs: np.ndarray) -> np.ndarray:
        if outputs.shape[1] > 1:
            return outputs.argmax(axis=1)
        threshold = 0.0 if self.net.output == "tanh" else 0.5
        return (outputs[:, 0] >= threshold).astype(np.int64)

    def _truth(self, y: np.ndarray) -> np.ndarray:
        return y.astype(np.int64) if self.classes > 2 else (y > 0).astype(np.int64)

    def grids(self, size: int = 100) -> list[np.ndarray]:
        """Every layer's outputs over a ``size`` x ``size`` grid of the plane (rows from
        top, x2 = 6, to bottom; columns from x1 = -6 to 6): [(size, size, neurons), ...],
        float32, overwritten by the next call."""
        if size not in self._grid_inputs:
            axis = np.linspace(-RADIUS, RADIUS, size)
            x1, x2 = np.meshgrid(axis, axis[::-1])
            xy = np.column_stack([x1.ravel(), x2.ravel()])
            self._grid_inputs[size] = features(xy, self.inputs).astype(np.float32)
            self._grid_outputs[size] = [np.empty((size * size, layer.weights.shape[1]),
                                                 np.float32) for layer in self.net.layers]
        outs = self.net.forward_grid(self._grid_inputs[size], self._grid_outputs[size])
        return [o.reshape(size, size, -1) for o in outs]

    def frame(self, size: int = 100, thumb: int = 25) -> dict[str, Any]:
        """What the page draws after a step: losses, the output's grid (``size``) and every
        neuron's (``thumb``), as int8 codes (value * 127, clipped to [-1, 1]) in base64."""
        with np.errstate(over="ignore", invalid="ignore"):
            grids = self.grids(size)
        every = max(1, size // thumb)
        neurons = [[_codes(layer[::every, ::every, j]) for j in range(layer.shape[2])]
                   for layer in grids[:-1]]
        out_grid = grids[-1]
        if out_grid.shape[2] > 1:  # classes: the winning class and its probability
            out_codes = {"classes": _b64(out_grid.argmax(axis=2).astype(np.int8)),
                         "confidence": _codes(out_grid.max(axis=2) * 2 - 1)}
        else:
            value = out_grid[:, :, 0]
            if self.net.output == "sigmoid":
                value = value * 2 - 1
            out_codes = {"values": _codes(value)}
        with np.errstate(over="ignore", invalid="ignore"):
            losses = self.losses()
        diverged = not all(math.isfinite(v) for v in losses.values() if isinstance(v, float))
        if diverged:
            losses = {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                      for k, v in losses.items()}
        layers = self.net.parameters()
        return {"epoch": self.epoch, **losses, "diverged": diverged, "size": size,
                "thumb": len(range(0, size, every)), "output": out_codes, "neurons": neurons,
                "layers": backprop.finite(layers) if diverged else layers}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _codes(values: np.ndarray) -> str:
    values = np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0)
    return _b64(np.round(np.clip(values, -1, 1) * 127).astype(np.int8))


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


__all__ = ["Playground", "Points", "parse_activations", "parse_layers"]
