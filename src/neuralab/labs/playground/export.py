"""A trained playground network as JSON, and as short runnable numpy and PyTorch scripts.

The scripts carry the weights as Python floats written with ``repr`` (exact for float64), the
input features and the activations, so that they predict what the network predicts: run
``python network.py X1 X2`` for one point, or pipe a JSON list of ``[x1, x2]`` pairs in for
many (the answer is JSON too).
"""

from __future__ import annotations

from typing import Any

from neuralab.labs.playground.session import Playground

FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1_squared": "x1 * x1", "x2_squared": "x2 * x2",
                "x1_x2": "x1 * x2", "sin_x1": "{lib}.sin(x1)", "sin_x2": "{lib}.sin(x2)"}


def to_json(run: Playground) -> dict[str, Any]:
    """Settings, inputs and every layer's weights (inputs x neurons), biases and activation."""
    return {"format": "neuralab-playground-1", "settings": dict(run.settings),
            "epoch": run.epoch, "inputs": list(run.inputs), "output": run.net.output,
            "layers": [{"weights": layer.weights.tolist(), "biases": layer.biases.tolist(),
                        "activation": layer.activation} for layer in run.net.layers]}


def _layers(run: Playground) -> str:
    rows = []
    for layer in run.net.layers:
        weights = "[" + ", ".join("[" + ", ".join(repr(float(w)) for w in row) + "]"
                                  for row in layer.weights) + "]"
        biases = "[" + ", ".join(repr(float(b)) for b in layer.biases) + "]"
        name = run.net.output if layer.activation == "output" else layer.activation
        rows.append(f"    ({weights},\n     {biases},\n     {name!r}),")
    return "\n".join(rows)


def _head(run: Playground, engine: str, module: str) -> str:
    """A script's docstring, imports and ``LAYERS`` (every layer's numbers), up to its code."""
    return f'''"""A network trained in neuralab's playground ({run.epoch} epochs), in {engine}.

python network.py X1 X2  (one point), or a JSON list of [x1, x2] pairs on stdin.
"""
import json
import sys

import {module}

# (weights: inputs x neurons, biases, activation) for each layer, input to output
LAYERS = [
{_layers(run)}
]
'''


MAIN = '''

if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(predict([[float(sys.argv[1]), float(sys.argv[2])]])[0])
    else:
        print(json.dumps(predict(json.load(sys.stdin)).tolist()))
'''


def numpy_script(run: Playground) -> str:
    """A numpy script that predicts what ``run``'s network predicts."""
    features = ", ".join(FEATURE_CODE[f].format(lib="np") for f in run.inputs)
    return _head(run, "numpy", "numpy as np") + f'''

def activate(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z  # linear


def predict(points):
    xy = np.asarray(points, dtype=float).reshape(-1, 2)
    x1, x2 = xy[:, 0], xy[:, 1]
    a = np.column_stack([{features}])
    for weights, biases, name in LAYERS:
        a = activate(name, a @ np.array(weights) + np.array(biases))
    return a[:, 0] if a.shape[1] == 1 else a
''' + MAIN


def torch_script(run: Playground) -> str:
    """A PyTorch script (``torch.nn.Sequential``) that predicts what ``run``'s network does."""
    features = ", ".join(FEATURE_CODE[f].format(lib="torch") for f in run.inputs)
    return _head(run, "PyTorch", "torch") + f'''\
ACTIVATIONS = {{"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
               "softmax": lambda: torch.nn.Softmax(dim=1), "linear": torch.nn.Identity}}


def build():
    parts = []
    for weights, biases, name in LAYERS:
        linear = torch.nn.Linear(len(weights), len(biases)).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64).T)
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        parts += [linear, ACTIVATIONS[name]()]
    return torch.nn.Sequential(*parts)


MODEL = build()


def predict(points):
    xy = torch.tensor(points, dtype=torch.float64).reshape(-1, 2)
    x1, x2 = xy[:, 0], xy[:, 1]
    with torch.no_grad():
        a = MODEL(torch.stack([{features}], dim=1))
    return (a[:, 0] if a.shape[1] == 1 else a).numpy()
''' + MAIN
