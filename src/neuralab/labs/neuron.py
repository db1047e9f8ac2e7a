"""Section 5: one neuron with two inputs, by hand and learned; then a 2-2-1 network for XOR.

Every activation here (ReLU, step, sigmoid) is ON exactly when the neuron's sum
``w1*x1 + w2*x2 + bias`` is above 0, so one neuron always splits the unit square of inputs
with the straight line ``w1*x1 + w2*x2 + bias = 0``. AND, OR, NAND and NOR are such splits;
XOR is not (its ON corners sit diagonally), which is why it needs a hidden layer:
``XOR(a, b) = AND(OR(a, b), NAND(a, b))``, one gate per neuron.

:func:`evaluate` runs the neuron (or the network) on all four input pairs; :func:`learn` finds
the weights by itself and returns every step, for the page to animate.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from neuralab.params import validate

TARGETS = {
    "AND": lambda a, b: a and b,
    "OR": lambda a, b: a or b,
    "NAND": lambda a, b: not (a and b),
    "NOR": lambda a, b: not (a or b),
    "XOR": lambda a, b: a != b,
}
PAIRS = ((False, False), (False, True), (True, False), (True, True))
SINGLE = ("w1", "w2", "bias")
NETWORK = ("h1_w1", "h1_w2", "h1_bias", "h2_w1", "h2_w2", "h2_bias",
           "out_w1", "out_w2", "out_bias")
# XOR = AND(OR, NAND) with step neurons: hidden 1 is OR, hidden 2 is NAND, the output is AND.
XOR_BY_GATES = {"h1_w1": 1.0, "h1_w2": 1.0, "h1_bias": -0.5,
                "h2_w1": -1.0, "h2_w2": -1.0, "h2_bias": 1.5,
                "out_w1": 1.0, "out_w2": 1.0, "out_bias": -1.5}
GRID = 0.1  # the sliders' step: learned weights are reported on this grid
LIMIT = 2.0  # the sliders' range: one neuron's weights, and the network's (NET_LIMIT)
NET_LIMIT = 4.0


def relu(z: float) -> float:
    """max(0, z)."""
    return z if z > 0.0 else 0.0


def step(z: float) -> float:
    """1 when z > 0, else 0."""
    return 1.0 if z > 0.0 else 0.0


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z), written so that large |z| never overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


ACTIVATIONS = {"relu": relu, "step": step, "sigmoid": sigmoid}
NP_ACT = {"relu": lambda z: np.maximum(z, 0.0), "step": lambda z: (z > 0).astype(float),
          "sigmoid": lambda z: 1 / (1 + np.exp(-z))}  # the same, on arrays


def linearly_separable(target: str) -> bool:
    """Whether one straight line splits the target's ON corners from its OFF corners."""
    return target != "XOR"


@dataclass(frozen=True)
class Row:
    """The neuron (or the network) on one input pair.

    ``hidden`` holds ``(sum, output)`` of each hidden neuron when there is a hidden layer.
    """

    x1: bool
    x2: bool
    weighted_sum: float
    activation: float
    expected: bool
    actual: bool
    hidden: tuple[tuple[float, float], ...] = ()

    @property
    def correct(self) -> bool:
        return self.expected == self.actual


@dataclass(frozen=True)
class NeuronResult:
    """The neuron on the selected inputs, and on every input pair."""

    target: str
    w1: float
    w2: float
    bias: float
    current: Row
    table: tuple[Row, ...]
    activation_name: str = "relu"
    network: dict[str, float] = field(default_factory=dict)  # the 2-2-1 weights, if used

    @property
    def solved(self) -> bool:
        """True when the neuron computes the target on all four input pairs."""
        return all(row.correct for row in self.table)

    def to_dict(self) -> dict:
        def row(r: Row) -> dict:
            out = {**asdict(r), "correct": r.correct}
            if not r.hidden:
                out.pop("hidden")
            return out

        out = {
            "target": self.target, "w1": self.w1, "w2": self.w2, "bias": self.bias,
            "activation": self.activation_name, "hidden": bool(self.network),
            "current": row(self.current), "table": [row(r) for r in self.table],
            "correct_count": sum(r.correct for r in self.table), "solved": self.solved,
            "separable": linearly_separable(self.target),
        }
        if self.network:
            out["network"] = self.network
            out["region"] = on_region(self.network, self.activation_name)
        return out


REGION = (-0.3, 1.3, 33)  # the drawn square around the unit square, and cells per side


def on_region(network: dict[str, float], activation: str) -> list[str]:
    """Where the 2-2-1 network is ON, on a grid over the drawn square: one string per row
    (from x2 = -0.3 up to 1.3), ``"1"`` for ON, ``"0"`` for OFF, columns from x1 = -0.3."""
    lo, hi, n = REGION
    g = np.linspace(lo, hi, n)
    x1, x2 = np.meshgrid(g, g)
    f = NP_ACT[activation]
    h1 = f(network["h1_w1"] * x1 + network["h1_w2"] * x2 + network["h1_bias"])
    h2 = f(network["h2_w1"] * x1 + network["h2_w2"] * x2 + network["h2_bias"])
    on = np.round(network["out_w1"] * h1 + network["out_w2"] * h2 + network["out_bias"], 10) > 0
    return ["".join("1" if v else "0" for v in row) for row in on]


def _z(w1: float, w2: float, b: float, x1: float, x2: float) -> float:
    # 0.1 + 0.2 - 0.3 is 5.6e-17, which would light a neuron meant to stay off
    return round(w1 * x1 + w2 * x2 + b, 10)


def _row(target: str, act: str, weights: dict[str, float], hidden: bool,
         x1: bool, x2: bool) -> Row:
    f = ACTIVATIONS[act]
    expected = bool(TARGETS[target](x1, x2))
    if not hidden:
        z = _z(weights["w1"], weights["w2"], weights["bias"], float(x1), float(x2))
        return Row(x1, x2, z, f(z), expected, z > 0.0)
    inner = []
    for j in (1, 2):
        zj = _z(weights[f"h{j}_w1"], weights[f"h{j}_w2"], weights[f"h{j}_bias"],
                float(x1), float(x2))
        inner.append((zj, f(zj)))
    z = _z(weights["out_w1"], weights["out_w2"], weights["out_bias"], inner[0][1], inner[1][1])
    return Row(x1, x2, z, f(z), expected, z > 0.0, tuple(inner))


def evaluate(
    target: str = "AND", w1: float = 0.0, w2: float = 0.0, bias: float = 0.0,
    x1: bool = False, x2: bool = False, **more: Any,
) -> NeuronResult:
    """Run the neuron ``activation(w1*x1 + w2*x2 + bias)``; it is ON when its sum is above 0.

    ``more`` takes the rest of the ``neuron`` parameter group: ``activation``, ``hidden`` and
    the 2-2-1 weights ``h1_w1 ... out_bias`` (the learning settings are accepted and unused).
    With ``hidden=True`` the two hidden neurons feed the output neuron, and ``w1, w2, bias``
    are not used. Values are checked against the parameter table (API scope).
    """
    v = validate("neuron", {"target": target, "w1": w1, "w2": w2, "bias": bias,
                            "x1": x1, "x2": x2, **more})
    weights = {k: v[k] for k in SINGLE + NETWORK}
    args = (v["target"], v["activation"], weights, v["hidden"])
    table = tuple(_row(*args, a, b) for a, b in PAIRS)
    return NeuronResult(v["target"], v["w1"], v["w2"], v["bias"],
                        current=_row(*args, v["x1"], v["x2"]), table=table,
                        activation_name=v["activation"],
                        network={k: v[k] for k in NETWORK} if v["hidden"] else {})


# --- learning -------------------------------------------------------------------------------

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


@dataclass(frozen=True)
class LearnResult:
    """Every step of "Learn the weights": ``frames[k]`` is the state after ``k`` steps.

    Each frame has the weights on the sliders' 0.1 grid, the loss of the unrounded weights,
    and how many of the four input pairs the rounded weights get right.
    """

    target: str
    activation: str
    hidden: bool
    rule: str  # "perceptron" or "gradient descent"
    loss_name: str
    frames: list[dict]
    solved: bool
    separable: bool

    @property
    def steps_taken(self) -> int:
        return len(self.frames) - 1

    def to_dict(self) -> dict:
        return {**asdict(self), "steps_taken": self.steps_taken,
                "final": self.frames[-1]["weights"]}


def _snap(values: np.ndarray, names: tuple[str, ...], lim: float) -> dict[str, float]:
    snapped = np.clip(np.round(np.asarray(values) / GRID) * GRID, -lim, lim).round(1)
    return dict(zip(names, snapped.tolist(), strict=True))


def _cross_entropy(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def learn(
    target: str = "AND", activation: str = "relu", w1: float = 0.0, w2: float = 0.0,
    bias: float = 0.0, *, hidden: bool = False, learn_rate: float = 0.5,
    learn_steps: int = 1000, seed: int = 0, **network: float,
) -> LearnResult:
    """Find the weights for ``target`` by learning, starting from the given ones.

    One neuron with the step activation learns by the perceptron rule: for each input pair in
    turn, ``w += rate * (expected - actual) * x`` (one step is one pass over the four pairs).
    Otherwise the weights follow gradient descent on the cross-entropy of a sigmoid output
    (ReLU has no slope where it is off, so one ReLU neuron is trained through a sigmoid: both
    are ON for the same sums). A hidden layer learns by gradient descent through its own
    activation (a step through a sigmoid, its smooth version), from the given weights plus a
    small nudge drawn from ``seed`` so that the two hidden neurons can become different.

    Weights stay within the sliders' range (-2 to 2; -4 to 4 in the network). Learning stops at
    the first step whose weights, rounded to the sliders' 0.1 grid, compute the target on all
    four pairs, or after ``learn_steps`` steps.
    """
    v = validate("neuron", {"target": target, "activation": activation, "w1": w1, "w2": w2,
                            "bias": bias, "hidden": hidden, "learn_rate": learn_rate,
                            "learn_steps": learn_steps, "seed": seed, **network})
    y = np.array([float(TARGETS[v["target"]](bool(a), bool(b))) for a, b in X])
    if v["hidden"]:
        return _learn_network(v, y)
    return _learn_neuron(v, y)


X1, X2 = X[:, 0], X[:, 1]


def _solves(v: dict, w: dict[str, float], hidden: bool) -> int:
    """How many of the four pairs ``w`` gets right: :func:`evaluate`'s rule (sums rounded to
    10 decimals, ON above 0), on all four pairs at once."""
    y = np.array([TARGETS[v["target"]](bool(a), bool(b)) for a, b in PAIRS])
    if not hidden:
        z = np.round(w["w1"] * X1 + w["w2"] * X2 + w["bias"], 10)
    else:
        f = NP_ACT[v["activation"]]
        h1 = f(np.round(w["h1_w1"] * X1 + w["h1_w2"] * X2 + w["h1_bias"], 10))
        h2 = f(np.round(w["h2_w1"] * X1 + w["h2_w2"] * X2 + w["h2_bias"], 10))
        z = np.round(w["out_w1"] * h1 + w["out_w2"] * h2 + w["out_bias"], 10)
    return int(np.sum((z > 0) == y))


def _learn_neuron(v: dict, y: np.ndarray) -> LearnResult:
    w = np.array([v["w1"], v["w2"]], dtype=float)
    b = float(v["bias"])
    lr = v["learn_rate"]
    perceptron = v["activation"] == "step"

    def frame(k: int) -> dict:
        z = X @ w + b
        if perceptron:
            loss = float(np.sum((z > 0) != (y > 0)))
        else:
            loss = _cross_entropy(1 / (1 + np.exp(-z)), y)
        weights = _snap(np.array([w[0], w[1], b]), SINGLE, LIMIT)
        return {"step": k, "weights": weights, "loss": round(loss, 6),
                "correct": _solves(v, weights, False)}

    frames = [frame(0)]
    for k in range(1, v["learn_steps"] + 1):
        if frames[-1]["correct"] == 4:
            break
        if perceptron:
            for xi, yi in zip(X, y, strict=True):
                err = yi - (1.0 if xi @ w + b > 0 else 0.0)
                w += lr * err * xi
                b += lr * err
        else:
            p = 1 / (1 + np.exp(-(X @ w + b)))
            g = (p - y) / len(y)  # d(mean cross-entropy)/dz
            w -= lr * (X.T @ g)
            b -= lr * float(g.sum())
        np.clip(w, -LIMIT, LIMIT, out=w)
        b = float(np.clip(b, -LIMIT, LIMIT))
        frames.append(frame(k))
    return LearnResult(v["target"], v["activation"], False,
                       "perceptron" if perceptron else "gradient descent",
                       "pairs wrong" if perceptron else "cross-entropy",
                       frames, frames[-1]["correct"] == 4, linearly_separable(v["target"]))


def _learn_network(v: dict, y: np.ndarray) -> LearnResult:
    rng = np.random.default_rng(v["seed"])
    theta = np.array([v[n] for n in NETWORK], dtype=float) + rng.normal(0.0, 0.5, len(NETWORK))
    np.clip(theta, -NET_LIMIT, NET_LIMIT, out=theta)
    act = v["activation"]
    lr = v["learn_rate"]

    def forward(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        W = t[[0, 1, 3, 4]].reshape(2, 2)  # row j: hidden neuron j+1's two weights
        zh = X @ W.T + t[[2, 5]]
        if act == "relu":
            h, dh = np.maximum(zh, 0.0), (zh > 0).astype(float)
        else:  # sigmoid, and the step's smooth stand-in
            h = 1 / (1 + np.exp(-zh))
            dh = h * (1 - h)
        zo = h @ t[[6, 7]] + t[8]
        return h, dh, zo, 1 / (1 + np.exp(-zo))

    def frame(k: int) -> dict:
        *_, p = forward(theta)
        weights = _snap(theta, NETWORK, NET_LIMIT)
        return {"step": k, "weights": weights, "loss": round(_cross_entropy(p, y), 6),
                "correct": _solves(v, weights, True)}

    frames = [frame(0)]
    for k in range(1, v["learn_steps"] + 1):
        if frames[-1]["correct"] == 4:
            break
        h, dh, _, p = forward(theta)
        go = p - y  # d loss / d zo, the loss summed over the four pairs
        gh = np.outer(go, theta[[6, 7]]) * dh  # d loss / d zh, one column per hidden neuron
        grad = np.empty_like(theta)
        grad[[0, 1]] = X.T @ gh[:, 0]
        grad[2] = gh[:, 0].sum()
        grad[[3, 4]] = X.T @ gh[:, 1]
        grad[5] = gh[:, 1].sum()
        grad[[6, 7]] = h.T @ go
        grad[8] = go.sum()
        theta -= lr * grad
        np.clip(theta, -NET_LIMIT, NET_LIMIT, out=theta)
        frames.append(frame(k))
    return LearnResult(v["target"], act, True, "gradient descent", "cross-entropy",
                       frames, frames[-1]["correct"] == 4, linearly_separable(v["target"]))
