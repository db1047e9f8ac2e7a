"""One update, slowly: backpropagation on one training point, as data to walk through.

:func:`trace` takes a :class:`~neuralab.labs.playground.Playground` and the index of one of
its training points and works out, without touching the network, everything one update on
that point does:

1. **forward**, layer by layer: each neuron's weighted sum ``z = sum(w * a_in) + b`` and its
   activation ``a = f(z)`` (the run's own activations; the output is tanh, linear, sigmoid
   or softmax);
2. **the loss** of the output against the target: half the squared error, or cross-entropy;
3. **backward**, from the output to the first hidden layer: each neuron's ``dL/da`` (the
   deltas of the layer above, weighed by the weights that join them) and ``dL/dz``
   (``dL/da * f'(z)``; at the output the loss and its activation are taken together);
4. **each weight's gradient** ``a_in * dL/dz`` (a bias's is ``dL/dz``), the pull of the
   regularization (L2: ``rate * reg_rate * w``; L1: ``rate * reg_rate * sign(w)``, and a
   weight that this would carry across zero is set to zero for good) and the change and new
   value of every weight and bias.

This is an update on **one point (a batch of 1)**. Training moves the weights by the mean
gradient of ``batch_size`` points; the rules are the same, the gradient is that of one
point. The numbers are those that ``PlaygroundNet.accumulate`` on the point followed by
``PlaygroundNet.update`` would give (the tests check it, and every gradient against finite
differences). :func:`apply` writes them into the network as a real update; the epoch count
does not change (an epoch is a pass over all the training points) and gradients waiting
from a part-batch stay waiting. The step shown is plain gradient descent (the ``sgd``
optimizer's) whatever the run's ``optimizer``; the trace names that optimizer so the page can
say that momentum or Adam would turn the same gradient into another step.

>>> from neuralab.labs.playground import Playground
>>> run = Playground(layers="2", seed=1)
>>> t = run.trace(0)
>>> len(t["layers"]), t["batch_size"]
(2, 1)
>>> out = t["layers"][-1]
>>> bool(abs(out["bias_grads"][0] - out["delta"][0]) < 1e-15)  # a bias's gradient is its delta
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from neuralab.params import ParamError

if TYPE_CHECKING:
    from neuralab.labs.playground.session import Playground

__all__ = ["apply", "check_point", "trace"]


def check_point(run: Playground, point: Any) -> int:
    """``point`` as the index of a training point of ``run``, or a :class:`ParamError`."""
    n = len(run.y_train)
    expected = f"a training point from 0 to {n - 1}" if n else "a training point (there are none)"
    if isinstance(point, bool) or not isinstance(point, (int, np.integer)) \
            or not 0 <= point < n:
        raise ParamError("point", expected, point)
    return int(point)


def _output_grad(output: str, loss: str, a: np.ndarray, y: float) -> np.ndarray:
    """dL/da of the output layer (before its activation is taken into account)."""
    if loss == "square":
        return a - y
    if output == "softmax":
        grad = np.zeros_like(a)
        grad[int(y)] = -1.0 / max(a[int(y)], 1e-12)
        return grad
    t = float(y > 0)
    p = min(max(a[0], 1e-12), 1 - 1e-12)
    return np.array([-t / p + (1 - t) / (1 - p)])


def trace(run: Playground, point: int) -> dict[str, Any]:
    """Everything one update on training point ``point`` does (see the module docstring).

    JSON-ready: ``layers[k]`` is the layer from layer ``k`` (0 = the inputs) into layer
    ``k + 1``, with ``weights`` (inputs x neurons), ``biases``, the neurons' ``z``, ``a``,
    ``grad_a`` (dL/da), ``delta`` (dL/dz), ``weight_grads``, ``bias_grads``,
    ``regularization`` (each weight's pull), ``weight_changes``, ``bias_changes``,
    ``new_weights``, ``new_biases``, ``dead`` (after the update) and ``killed`` (weights this
    update sets to zero for good).
    """
    point = check_point(run, point)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged network traces to None
        return _trace(run, point)


def _trace(run: Playground, point: int) -> dict[str, Any]:
    net, s = run.net, run.settings
    rate, kind, reg = s["learning_rate"], s["regularization"], s["regularization_rate"]
    x = run.X_train[point:point + 1]
    y = run.y_train[point:point + 1]
    # forward, the engine's activations one layer after the other
    zs, outs = [], [x]
    for layer in net.layers:
        z = outs[-1] @ layer.weights + layer.biases
        zs.append(z[0].copy())
        outs.append(net._activate(layer, z))
    loss = float(net._losses(outs[-1], y)[0])
    # backward: dL/dz at the output, then down layer by layer
    deltas: list[np.ndarray] = [np.empty(0)] * len(net.layers)
    grads_a: list[np.ndarray] = [np.empty(0)] * len(net.layers)
    delta = net._output_delta(outs[-1], y)
    grads_a[-1] = _output_grad(net.output, net.loss, outs[-1][0], float(y[0]))
    for i in range(len(net.layers) - 1, -1, -1):
        deltas[i] = delta[0].copy()
        if i:
            delta = delta @ net.layers[i].weights.T
            grads_a[i - 1] = delta[0].copy()
            net.layers[i - 1].backward(outs[i], delta)
    layers = []
    for i, layer in enumerate(net.layers):
        w, b = layer.weights, layer.biases
        gw = outs[i][0][:, None] * deltas[i][None, :]
        gb = deltas[i]
        gw_used = np.where(layer.dead, 0.0, gw) if layer.any_dead else gw
        # the update's own order of operations, so the numbers are the engine's to the bit
        new_b = b - gb * rate
        step = gw_used * rate
        dead = layer.dead.copy()
        if kind == "none" or not reg:
            pull = np.zeros_like(w)
            new_w = w - step
        elif kind == "l2":
            pull = w * (rate * reg)
            new_w = w * (1 - rate * reg) - step
        else:
            pull = np.sign(w) * (rate * reg)
            moved = (w - step) - pull
            crossed = (w - step) * moved < 0
            new_w = np.where(crossed, 0.0, moved)
            dead |= crossed
            new_w[dead] = 0.0
        layers.append({
            "activation": layer.activation if layer.forward is not None else net.output,
            "weights": w.tolist(), "biases": b.tolist(),
            "z": zs[i].tolist(), "a": outs[i + 1][0].tolist(),
            "grad_a": grads_a[i].tolist(), "delta": deltas[i].tolist(),
            "weight_grads": gw.tolist(), "bias_grads": gb.tolist(),
            "regularization": pull.tolist(),
            "weight_changes": (new_w - w).tolist(), "bias_changes": (new_b - b).tolist(),
            "new_weights": new_w.tolist(), "new_biases": new_b.tolist(),
            "dead": dead.tolist(), "killed": (dead & ~layer.dead).tolist(),
        })
    y0 = float(y[0])
    if net.output == "softmax":
        target: Any = [float(k == int(y0)) for k in range(len(outs[-1][0]))]
    elif net.output == "sigmoid":
        target = [float(y0 > 0)]
    else:
        target = [y0]
    return finite({
        "point": point, "xy": run.train_points.xy[point].tolist(), "label": y0,
        "inputs": list(run.inputs), "features": x[0].tolist(),
        "output_kind": net.output, "loss_kind": net.loss,
        "output": outs[-1][0].tolist(), "target": target, "loss": loss,
        "learning_rate": rate, "regularization": kind, "regularization_rate": reg,
        "batch_size": 1, "training_batch_size": s["batch_size"], "epoch": run.epoch,
        "optimizer": s["optimizer"],  # the step shown is plain gradient descent whatever it is
        "layers": layers,
    })


def apply(run: Playground, point: int) -> dict[str, Any]:
    """Make the update of :func:`trace` for real (the epoch stays); returns the trace."""
    t = trace(run, point)
    for layer, step in zip(run.net.layers, t["layers"], strict=True):
        layer.weights[:] = np.array(step["new_weights"], dtype=float)
        layer.biases[:] = np.array(step["new_biases"], dtype=float)
        layer.dead[:] = np.array(step["dead"], dtype=bool)
        layer.any_dead = bool(layer.dead.any())
    return t


def finite(value: Any) -> Any:
    """NaN and infinities as None (JSON has neither), in nested lists and dicts."""
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
