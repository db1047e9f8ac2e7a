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

    def __init__(self, param: str, expected: str, got: Any = None, *, message: str = ""):
        self.param = param
        self.expected = expected
        self.got = got
        text = message or f"{param} must be {expected} (got {_show(got)})"
        super().__init__(text)


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

    def bounds(self, scope: Scope = "api") -> tuple[float | None, float | None]:
        if scope == "api":
            low = self.api_low if self.api_low is not None else self.low
            high = self.api_high if self.api_high is not None else self.high
            return low, high
        return self.low, self.high

    def expected(self, scope: Scope = "api") -> str:
        """What this parameter accepts, in words (used in every error message)."""
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
        if low is not None and high is not None:
            return f"{noun} from {_num(low)} to {_num(high)}"
        if low is not None:
            return f"{noun} >= {_num(low)}"
        if high is not None:
            return f"{noun} <= {_num(high)}"
        return noun

    def check(self, value: Any, scope: Scope = "api") -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ParamError."""
        if self.shape:
            return self._check_array(value, scope)
        return self._check_scalar(value, scope)

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
        if (low is not None and value < low) or (high is not None and value > high):
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
        out.update(self.extra)
        return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _table(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


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
    # Section 5: a single ReLU neuron tuned by hand.
    "neuron": _table(
        Param("target", str, "AND", "The logic function the neuron should compute.",
              label="Target Function", choices=("AND", "OR")),
        Param("w1", float, 0.0, "Weight of the first input.",
              label="Weight 1", low=-2.0, high=2.0, step=0.1),
        Param("w2", float, 0.0, "Weight of the second input.",
              label="Weight 2", low=-2.0, high=2.0, step=0.1),
        Param("bias", float, 0.0, "Added to the weighted sum before the ReLU.",
              label="Bias", low=-2.0, high=2.0, step=0.1),
        Param("x1", bool, False, "Whether the first input is on (1) or off (0).",
              label="First input ON"),
        Param("x2", bool, False, "Whether the second input is on (1) or off (0).",
              label="Second input ON"),
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
    # Section 3: gradient descent on a 1-D loss.
    "descent": _table(
        Param("learning_rate", float, 0.1, "Step size: each step moves by -rate x gradient.",
              label="Learning Rate", low=0.01, high=1.2, api_low=0.0, api_high=10.0, step=0.01),
        Param("start", float, 3.5, "Where the point starts on the x axis.",
              label="Start", low=-4.0, high=4.0, step=0.1),
        Param("steps", int, 50, "How many steps to compute.",
              label="Steps", low=1, high=200, api_high=10000),
        Param("curve", str, "bowl", "The loss curve to descend.",
              label="Loss Curve", choices=("bowl", "valleys")),
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
    # neuralab.MLPClassifier (scikit-learn's parameter names). hidden_layer_sizes is a
    # sequence (each width checked against this entry) and batch_size also takes "auto".
    "mlp": _table(
        Param("hidden_layer_sizes", int, (100,), "Width of each hidden layer, input to output.",
              low=1, high=100_000, extra={"sequence": True, "max_layers": 64}),
        Param("activation", str, "relu", "Activation of the hidden layers.",
              choices=("relu", "tanh", "logistic", "sigmoid", "identity")),
        Param("solver", str, "adam", "The optimizer.", choices=("adam", "sgd")),
        Param("alpha", float, 1e-4, "Strength of the L2 penalty on the weights.",
              low=0.0, high=1e6),
        Param("batch_size", int, "auto", "Images per step; auto is min(200, n_samples).",
              low=1, high=10_000_000, extra={"also": "auto"}),
        Param("learning_rate_init", float, 1e-3, "Initial step size of the optimizer.",
              low=1e-12, high=100.0),
        Param("max_iter", int, 200, "Maximum number of epochs.", low=1, high=1_000_000),
        Param("tol", float, 1e-4, "Smallest loss improvement that counts as progress.",
              low=0.0, high=1e6),
        Param("n_iter_no_change", int, 10, "Epochs without progress before stopping.",
              low=1, high=1_000_000),
        Param("momentum", float, 0.9, "Momentum of the sgd solver.", low=0.0, high=1.0),
        Param("random_state", int, None, "Seed of the initial weights and the shuffles.",
              low=0, high=2**32 - 1),
    ),
    # The lab server.
    "serve": _table(
        Param("host", str, "127.0.0.1", "Address to bind (loopback unless told otherwise).",
              max_length=255),
        Param("port", int, 8000, "Port to listen on.", low=1, high=65535),
        Param("scheduler", str, "", "A Dask distributed scheduler (tcp://HOST:PORT) to train "
              "the comparisons on, instead of this computer's cores.", max_length=255),
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
