"""The one table of every user-facing parameter.

Each lab's parameters are declared once here, with their type, default, range and help.
Request models (server), flags (CLI), URL state and slider ranges (web) are all derived
from this table, and :func:`validate` is the single place where values are checked.

Two scopes exist: ``"ui"`` is the lesson's range (what the sliders offer and what the
server accepts), ``"api"`` is what the Python API and the CLI accept (for example a
training set of up to 68,000 images). When ``api_low``/``api_high`` are not given, the
two scopes agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["ui", "api"]


class ParamError(ValueError):
    """A value outside its parameter's range or of the wrong type.

    ``param`` is the parameter's name and ``expected`` says what is accepted, so the
    server can answer 422 and the CLI can print a one-line usage error.
    """

    def __init__(self, param: str, expected: str, got: Any = ..., *, message: str = ""):
        self.param = param
        self.expected = expected
        self.got = None if got is ... else got
        shown = "" if got is ... else f" (got {_show(got)})"  # no value to show: say none
        super().__init__(message or f"{param} must be {expected}{shown}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Param:
    """One user-facing parameter."""

    name: str
    kind: type  # int, float, bool or str
    default: Any
    help: str
    label: str = ""  # the accessible name of its control in the lab
    low: float | None = None
    high: float | None = None
    api_low: float | None = None
    api_high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # for str
    shape: tuple[int, ...] = ()  # for arrays of `kind` (e.g. a 3x3 matrix)
    extra: dict[str, Any] = field(default_factory=dict)
    # A sequence of any length of `kind` values, each checked (a bare value is one item).
    sequence: bool = False
    # Values accepted as they are besides the typed range, e.g. "auto" or math.inf.
    also: tuple[Any, ...] = ()
    # Whether `low` / `high` themselves are excluded (an open interval).
    low_open: bool = False
    high_open: bool = False

    def bounds(self, scope: Scope = "api") -> tuple[float | None, float | None]:
        if scope == "api":
            low = self.api_low if self.api_low is not None else self.low
            high = self.api_high if self.api_high is not None else self.high
            return low, high
        return self.low, self.high

    def expected(self, scope: Scope = "api") -> str:
        """What this parameter accepts, in words (used in every error message)."""
        if "expected" in self.extra:
            return self.extra["expected"]
        if self.also:
            others = " or ".join(_literal(a) for a in self.also)
            return f"{self._expected_typed(scope)} or {others}"
        return self._expected_typed(scope)

    def _expected_typed(self, scope: Scope) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        noun = {int: "an integer", float: "a number", str: "a text"}[self.kind]
        if self.kind is str:
            return f"{noun} of at most {self.max_length} characters" if self.max_length else noun
        low, high = self.bounds(scope)
        if self.shape:
            noun = "a " + "x".join(map(str, self.shape)) + " array of numbers"
        if self.sequence:
            noun = "a sequence of " + {int: "integers", float: "numbers"}[self.kind]
        lower = f"> {_num(low)}" if self.low_open else f">= {_num(low)}" if low is not None else ""
        upper = f"< {_num(high)}" if self.high_open else f"<= {_num(high)}" if high is not None \
            else ""
        if low is not None and high is not None:
            if self.low_open or self.high_open:
                return f"{noun} {lower} and {upper}"
            return f"{noun} from {_num(low)} to {_num(high)}"
        if lower or upper:
            return f"{noun} {lower or upper}"
        return noun

    def check(self, value: Any, scope: Scope = "api") -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ParamError."""
        for literal in self.also:
            if _same_literal(value, literal):
                return literal
        if self.shape:
            return self._check_array(value, scope)
        if self.sequence:
            return self._check_sequence(value, scope)
        return self._check_scalar(value, scope)

    def _check_sequence(self, value: Any, scope: Scope) -> tuple:
        fail = ParamError(self.name, self.expected(scope), value)
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
            items = [value]  # a bare value is a sequence of one
        else:
            items = list(value)
            if any(getattr(item, "ndim", 0) for item in items):
                raise fail
        try:
            return tuple(self._check_scalar(item, scope) for item in items)
        except ParamError:
            raise fail from None

    def _check_scalar(self, value: Any, scope: Scope, where: str = "") -> Any:
        name = self.name + where
        fail = ParamError(name, self.expected(scope), value)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if type(value) is int and value in (0, 1):
                return bool(value)
            raise fail
        if self.kind is str:
            if not isinstance(value, str):
                raise fail
            if self.choices:
                match = {c.lower(): c for c in self.choices}.get(value.lower())
                if match is None:
                    raise fail
                return match
            if self.max_length is not None and len(value) > self.max_length:
                raise fail
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalar
                value = value.item()
                if isinstance(value, bool):
                    raise fail
            else:
                raise fail
        if self.kind is int:
            if isinstance(value, float):
                if not value.is_integer():
                    raise fail
                value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise fail
        low, high = self.bounds(scope)
        if low is not None and (value <= low if self.low_open else value < low):
            raise fail
        if high is not None and (value >= high if self.high_open else value > high):
            raise fail
        return value

    def _check_array(self, value: Any, scope: Scope) -> list:
        fail = ParamError(self.name, self.expected(scope), value)

        def walk(v: Any, dims: tuple[int, ...], where: str) -> Any:
            if not dims:
                return self._check_scalar(v, scope, where)
            if not isinstance(v, (list, tuple)) or len(v) != dims[0]:
                raise fail
            return [walk(x, dims[1:], f"{where}[{i}]") for i, x in enumerate(v)]

        return walk(value, self.shape, "")

    def describe(self, scope: Scope = "ui") -> dict[str, Any]:
        """A JSON-ready description (for the front end and the docs)."""
        low, high = self.bounds(scope)
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.kind.__name__,
            "default": self.default,
            "help": self.help,
            "label": self.label,
        }
        for key, val in (("min", low), ("max", high), ("step", self.step)):
            if val is not None:
                out[key] = val
        if self.choices:
            out["choices"] = list(self.choices)
        if self.shape:
            out["shape"] = list(self.shape)
        if self.max_length is not None:
            out["max_length"] = self.max_length
        if self.sequence:
            out["sequence"] = True
        if self.also:
            out["also"] = [_literal(a) for a in self.also]
        if self.low_open or self.high_open:
            out["open"] = [self.low_open, self.high_open]
        out.update(self.extra)
        return out


def _num(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _literal(value: Any) -> str:
    """How a literal of ``Param.also`` is written in messages and descriptions."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _num(value)
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _same_literal(value: Any, literal: Any) -> bool:
    """``value`` is ``literal`` (a bool only as a bool, a string only as a string)."""
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalar
        value = value.item()
    if isinstance(literal, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(literal, bool) and value is literal
    if isinstance(literal, str):
        return isinstance(value, str) and value == literal
    return isinstance(value, (int, float)) and value == literal


def _table(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


# A number from -1 to 1 written plainly (0, -0.25, .5, 1, 1.00), and 1 to 12 x,y pairs of them.
UNIT_NUMBER = r"[-+]?(?:0*1(?:\.0*)?|0+(?:\.[0-9]*)?|0*\.[0-9]+)"
POINTS_PATTERN = rf"^{UNIT_NUMBER},{UNIT_NUMBER}(?:;{UNIT_NUMBER},{UNIT_NUMBER}){{0,11}}$"

SEED = Param("seed", int, 0, "Random seed: the same settings and seed give the same numbers.",
             label="Seed", low=0, high=2**31 - 1)

TABLE: dict[str, dict[str, Param]] = {
    # Section 4: the lesson's model comparison on MNIST.
    "compare": _table(
        Param("mlp_width", int, 32, "Neurons in each hidden layer of the MLP.",
              label="MLP Width", low=4, high=64, api_low=1, api_high=1024, step=1),
        Param("mlp_depth", int, 2, "Number of hidden layers of the MLP.",
              label="MLP Depth", low=1, high=8, api_low=1, api_high=16, step=1),
        Param("tree_depth", int, 5, "Maximum depth of the decision tree.",
              label="Tree Depth", low=1, high=20, api_low=1, api_high=40, step=1),
        Param("train_size", int, 1000, "Training images: the first N of MNIST.",
              label="Dataset Size", low=100, high=5000, api_low=10, api_high=68000, step=100),
        Param("val_size", int, 2000, "Validation images: the last N of MNIST.",
              label="Validation Size", low=2000, high=2000, api_low=100, api_high=10000),
        SEED,
    ),
    # Section 4: sample MNIST digits shown beside the comparison.
    "samples": _table(
        Param("count", int, 10, "How many digits to return.",
              label="Digits", low=1, high=64, step=1),
        Param("offset", int, 0, "Index of the first digit (0 is the first MNIST image).",
              label="First digit", low=0, high=69999, step=1),
    ),
    # Section 4b: inside the models a comparison trained (the comparison's own settings
    # come from the "compare" group).
    "inside": _table(
        Param("k", int, 8, "Connections drawn into each neuron: its k largest |weight|.",
              label="Connections per neuron", low=1, high=64, step=1),
        Param("levels", int, 3, "Levels of the decision tree drawn from the root.",
              label="Tree levels shown", low=1, high=4, step=1),
        Param("model", str, "mlp", "Which model's predictions to look at.",
              label="Model", choices=("logistic_regression", "decision_tree", "mlp")),
        Param("true", int, 0, "The true digit (a row of the confusion matrix).",
              label="True digit", low=0, high=9, step=1),
        Param("pred", int, 0, "The predicted digit (a column of the confusion matrix).",
              label="Predicted digit", low=0, high=9, step=1),
        Param("limit", int, 40, "How many digits to return at most.",
              label="Digits shown", low=1, high=200, step=1),
        Param("index", int, 0, "A validation image: 0 is the first of the last val_size.",
              label="Validation digit", low=0, high=1999, api_high=9999, step=1),
        Param("pixels", float, None, "A 28x28 input, row by row, each value from 0 (paper) "
              "to 1 (ink).", label="Input pixels", low=0.0, high=1.0, shape=(28, 28)),
        Param("preprocess", bool, False, "Treat the input as a drawing: fit it in a 20x20 box "
              "and centre it by mass, as MNIST was made.", label="Treat as a drawing"),
    ),
    # Section 5: one neuron tuned by hand (then learned), and a 2-2-1 network for XOR.
    "neuron": _table(
        Param("target", str, "AND", "The logic function the neuron should compute.",
              label="Target Function", choices=("AND", "OR", "NAND", "NOR", "XOR")),
        Param("w1", float, 0.0, "Weight of the first input.",
              label="Weight 1", low=-2.0, high=2.0, step=0.1),
        Param("w2", float, 0.0, "Weight of the second input.",
              label="Weight 2", low=-2.0, high=2.0, step=0.1),
        Param("bias", float, 0.0, "Added to the weighted sum before the activation.",
              label="Bias", low=-2.0, high=2.0, step=0.1),
        Param("x1", bool, False, "Whether the first input is on (1) or off (0).",
              label="First input ON"),
        Param("x2", bool, False, "Whether the second input is on (1) or off (0).",
              label="Second input ON"),
        Param("activation", str, "relu", "What the neuron does with its sum: ReLU keeps "
              "positive sums, step outputs 0 or 1, sigmoid squashes into 0 to 1. Every one is "
              "ON exactly when the sum is above 0.",
              label="Activation", choices=("relu", "step", "sigmoid")),
        Param("hidden", bool, False, "Use a 2-2-1 network: two hidden neurons feed an output "
              "neuron.", label="Hidden layer"),
        *(Param(f"h{j}_{w}", float, 0.0, f"{what} of hidden neuron {j}.",
                label=f"Hidden {j} {what.lower()}", low=-4.0, high=4.0, step=0.1)
          for j in (1, 2) for w, what in (("w1", "Weight 1"), ("w2", "Weight 2"),
                                           ("bias", "Bias"))),
        *(Param(f"out_{w}", float, 0.0, f"{what} of the output neuron.",
                label=f"Output {what.lower()}", low=-4.0, high=4.0, step=0.1)
          for w, what in (("w1", "Weight from hidden 1"), ("w2", "Weight from hidden 2"),
                          ("bias", "Bias"))),
        Param("learn_rate", float, 0.5, "Step size of \"Learn the weights\".",
              label="Learning speed", low=0.01, high=5.0, step=0.01),
        Param("learn_steps", int, 1000, "Most steps \"Learn the weights\" takes before it "
              "gives up.", label="Most learning steps", low=1, high=2000, api_high=20000),
        SEED,
    ),
    # Section 2: images are arrays of numbers.
    "pixels": _table(
        Param("resolution", int, 64, "Side of the low-resolution astronaut, in pixels.",
              label="Resolution", low=8, high=128, step=1),
        Param("red", float, [[0.8, 0, 0], [0, 0.7, 0], [0, 0, 0.9]],
              "Red channel of the 3x3 picture, each value from 0 to 1.",
              label="Red", low=0.0, high=1.0, step=0.1, shape=(3, 3)),
        Param("green", float, [[0, 0.8, 1], [0.6, 0, 0], [0, 0, 0.5]],
              "Green channel of the 3x3 picture, each value from 0 to 1.",
              label="Green", low=0.0, high=1.0, step=0.1, shape=(3, 3)),
        Param("blue", float, [[0, 0, 0.6], [0, 0.5, 0], [0.7, 0, 0]],
              "Blue channel of the 3x3 picture, each value from 0 to 1.",
              label="Blue", low=0.0, high=1.0, step=0.1, shape=(3, 3)),
    ),
    # Section 3: gradient descent on a 1-D loss curve, then on 2-D loss surfaces.
    "descent": _table(
        Param("learning_rate", float, 0.1, "Step size: each step moves by -rate x gradient.",
              label="Learning Rate", low=0.01, high=1.2, api_low=0.0, api_high=10.0, step=0.01),
        Param("start", float, 3.5, "Where the point starts on the x axis.",
              label="Start", low=-4.0, high=4.0, step=0.1),
        Param("steps", int, 50, "How many steps to compute.",
              label="Steps", low=1, high=200, api_high=10000),
        Param("curve", str, "bowl", "The loss curve to descend.",
              label="Loss Curve", choices=("bowl", "valleys")),
        # The 2-D part: a loss over two weights w1 and w2, and three optimizers on it.
        Param("surface", str, "valley", "The loss surface over two weights.",
              label="Loss Surface",
              choices=("bowl", "valley", "banana", "saddle", "minima", "line")),
        Param("rate", float, 0.1, "Step size of all three optimizers on the surface.",
              label="Learning Rate", low=0.01, high=1.5, api_low=1e-4, api_high=10.0,
              step=0.01),
        Param("beta", float, 0.9, "How much of its last move momentum keeps (0: none, plain "
              "gradient descent).", label="Momentum β", low=0.0, high=0.99, step=0.01),
        Param("start_x", float, -4.0, "First weight (w1) at the start; must lie on the map.",
              label="Start w1", low=-5.0, high=5.0, step=0.1),
        Param("start_y", float, 2.0, "Second weight (w2) at the start; must lie on the map.",
              label="Start w2", low=-5.0, high=5.0, step=0.1),
        Param("gd", bool, True, "Run plain gradient descent.", label="Gradient descent"),
        Param("momentum", bool, True, "Run gradient descent with momentum.", label="Momentum"),
        Param("adam", bool, True, "Run Adam (beta1 0.9, beta2 0.999).", label="Adam"),
        Param("iterations", int, 200, "How many steps each optimizer takes on the surface.",
              label="Steps on the surface", low=10, high=1000, api_low=1, api_high=10000,
              step=10),
        Param("points", str, "-0.8,-0.5;-0.4,0.1;0,0.2;0.4,0.5;0.8,0.4",
              "The points a line is fitted to (surface \"line\"): x,y pairs separated by ;",
              label="Points", max_length=400,
              extra={"expected": "1 to 12 points x,y separated by ;, each number from -1 to 1",
                     "pattern": POINTS_PATTERN}),
    ),
    # Section 1: write a function header, get feedback.
    "functions": _table(
        Param("exercise", str, "pedestrian", "Which exercise the header answers.",
              label="Exercise", choices=("pedestrian", "chatbot")),
        Param("code", str, "", "The function header the learner wrote.",
              label="Your function header", max_length=4000),
        # What the learner typed in each exercise's box (kept in the page's URL).
        Param("pedestrian", str, "", "Your header for the pedestrian detector.",
              label="Your function header for the pedestrian detector", max_length=4000,
              extra={"ui_only": True}),
        Param("chatbot", str, "", "Your header for the text-only chatbot.",
              label="Your function header for the chatbot", max_length=4000,
              extra={"ui_only": True}),
    ),
    # neuralab.MLPClassifier and MLPRegressor: scikit-learn 1.9's parameters, with its
    # defaults and accepted values (random_state also takes a numpy RandomState or None, and
    # loss is MLPRegressor's only).
    "mlp": _table(
        Param("hidden_layer_sizes", int, (100,), "Width of each hidden layer, input to output.",
              low=1, sequence=True),
        Param("activation", str, "relu", "Activation of the hidden layers.",
              choices=("identity", "logistic", "tanh", "relu")),
        Param("solver", str, "adam", "The optimizer.", choices=("lbfgs", "sgd", "adam")),
        Param("alpha", float, 1e-4, "Strength of the L2 penalty on the weights.", low=0.0),
        Param("batch_size", int, "auto", "Rows per step; auto is min(200, n_samples).",
              low=1, also=("auto",)),
        Param("learning_rate", str, "constant", "Step size schedule of the sgd solver.",
              choices=("constant", "invscaling", "adaptive")),
        Param("learning_rate_init", float, 1e-3, "Initial step size (sgd and adam).",
              low=0.0, low_open=True),
        Param("power_t", float, 0.5, "Exponent of the invscaling schedule.", low=0.0),
        Param("max_iter", int, 200, "Maximum epochs (sgd, adam) or iterations (lbfgs).",
              low=1),
        Param("shuffle", bool, True, "Shuffle the rows before every epoch."),
        Param("random_state", int, None, "Seed of the initial weights, the shuffles and the "
              "validation split.", low=0, high=2**32 - 1),
        Param("tol", float, 1e-4, "Smallest improvement that counts as progress.", low=0.0),
        Param("verbose", int, False, "Print progress: the loss (and score) of every epoch.",
              low=0, also=(False, True)),
        Param("warm_start", bool, False, "Continue from the previous fit's weights."),
        Param("momentum", float, 0.9, "Momentum of the sgd solver.", low=0.0, high=1.0),
        Param("nesterovs_momentum", bool, True, "Nesterov's momentum (sgd)."),
        Param("early_stopping", bool, False, "Stop when the score on a held-out part of the "
              "training data stops improving."),
        Param("validation_fraction", float, 0.1, "Share of the training data held out for "
              "early stopping.", low=0.0, high=1.0, high_open=True),
        Param("beta_1", float, 0.9, "Decay of Adam's first moment.", low=0.0, high=1.0,
              high_open=True),
        Param("beta_2", float, 0.999, "Decay of Adam's second moment.", low=0.0, high=1.0,
              high_open=True),
        Param("epsilon", float, 1e-8, "Adam's numerical stability term.", low=0.0,
              low_open=True),
        Param("n_iter_no_change", int, 10, "Epochs without progress before stopping.",
              low=1, also=(math.inf,)),
        Param("max_fun", int, 15000, "Maximum loss evaluations of the lbfgs solver.", low=1),
        Param("loss", str, "squared_error", "The regressor's loss.",
              choices=("squared_error", "poisson")),
    ),
    # The playground: TensorFlow Playground's settings, its ranges and defaults, and more.
    "playground": _table(
        Param("problem", str, "classification", "Classify the points or predict a value.",
              label="Problem type", choices=("classification", "regression")),
        Param("dataset", str, "circle", "The points to learn (each problem has its own).",
              label="Data", choices=("circle", "xor", "gaussian", "spiral", "three_spirals",
                                     "blobs", "plane", "multi_gaussian")),
        Param("noise", int, 0, "How much the points stray from the pattern (percent).",
              label="Noise", low=0, high=50, step=5),
        Param("ratio", int, 50, "Percent of the points used for training; the rest test.",
              label="Ratio of training to test data", low=10, high=90, step=10),
        Param("batch_size", int, 10, "Points per weight update.",
              label="Batch size", low=1, high=30, step=1),
        Param("x1", bool, True, "Feed the first coordinate in.", label="X1"),
        Param("x2", bool, True, "Feed the second coordinate in.", label="X2"),
        Param("x1_squared", bool, False, "Feed X1² in.", label="X1²"),
        Param("x2_squared", bool, False, "Feed X2² in.", label="X2²"),
        Param("x1_x2", bool, False, "Feed X1 times X2 in.", label="X1X2"),
        Param("sin_x1", bool, False, "Feed sin(X1) in.", label="sin(X1)"),
        Param("sin_x2", bool, False, "Feed sin(X2) in.", label="sin(X2)"),
        Param("layers", str, "4,2", "Neurons in each hidden layer, input to output: up to 8 "
              "layers of 1 to 32 neurons, e.g. 4,2 (empty: no hidden layer).",
              label="Hidden layers", max_length=64),
        Param("activation", str, "tanh", "Activation of the hidden layers.",
              label="Activation", choices=("relu", "tanh", "sigmoid", "linear")),
        Param("activations", str, "", "One activation per hidden layer (comma-separated); "
              "empty: Activation for every layer.", label="Activation per layer",
              max_length=128),
        Param("learning_rate", float, 0.03, "Step size of each weight update.",
              label="Learning rate", low=0.00001, high=10.0,
              extra={"options": [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3,
                                 10]}),
        Param("optimizer", str, "sgd", "How each update uses the gradient: plain steps "
              "(sgd, TensorFlow Playground's), with momentum, or Adam (changing it keeps the "
              "weights and starts its velocity or moments at zero).", label="Optimizer",
              choices=("sgd", "momentum", "adam")),
        Param("regularization", str, "none", "Penalty that pulls the weights to zero.",
              label="Regularization", choices=("none", "l1", "l2")),
        Param("regularization_rate", float, 0.0, "Strength of the penalty.",
              label="Regularization rate", low=0.0, high=10.0,
              extra={"options": [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]}),
        Param("loss", str, "square", "Half the squared error (TensorFlow Playground's), or "
              "cross-entropy with a sigmoid or softmax output (classification).",
              label="Loss", choices=("square", "cross_entropy")),
        SEED,
    ),
    # The lab server.
    "serve": _table(
        Param("host", str, "127.0.0.1", "Address to bind (loopback unless told otherwise).",
              max_length=255),
        Param("port", int, 8000, "Port to listen on.", low=1, high=65535),
        Param("scheduler", str, "", "A Dask distributed scheduler (tcp://HOST:PORT) to train "
              "the comparisons on, instead of this computer's cores.", max_length=255),
        Param("train_in", str, "processes", "Where comparisons train: 'processes' (one worker "
              "process per core, so the server answers every learner at once while they "
              "train) or 'threads' (the server's own; less memory).",
              choices=("processes", "threads")),
        Param("queue", int, 64, "Comparisons that may wait for a free core; past that, a new "
              "one is answered 'busy, try again' at once.", low=1, high=10_000),
        Param("token", str, "", "The token learners need (in the printed URL, then a cookie). "
              "Required on any address but loopback; a new one is made if not given.",
              max_length=255),
        Param("allow_host", str, "", "More host names the lab answers to, comma-separated "
              "(* for any), e.g. behind a proxy; loopback names and the bound addresses "
              "always are.", max_length=1000),
    ),
}


def group(name: str) -> dict[str, Param]:
    """The parameters of one lab (raises KeyError for an unknown lab)."""
    return TABLE[name]


def validate(
    lab: str, values: Mapping[str, Any] | None = None, *, scope: Scope = "api",
    partial: bool = False,
) -> dict[str, Any]:
    """Check ``values`` against lab ``lab``'s table and fill in defaults.

    Unknown names are rejected. With ``partial=True`` missing names are left out
    instead of defaulted.
    """
    params = TABLE[lab]
    values = dict(values or {})
    unknown = sorted(set(values) - set(params))
    if unknown:
        known = ", ".join(params)
        raise ParamError(unknown[0], f"one of the known parameters ({known})", unknown[0],
                         message=f"unknown parameter {unknown[0]!r}; known: {known}")
    out: dict[str, Any] = {}
    for name, param in params.items():
        if name in values:
            out[name] = param.check(values[name], scope)
        elif not partial:
            out[name] = param.default
    return out


def describe(lab: str, scope: Scope = "ui") -> list[dict[str, Any]]:
    """The lab's parameters as JSON-ready dicts, in table order."""
    return [p.describe(scope) for p in TABLE[lab].values()]
