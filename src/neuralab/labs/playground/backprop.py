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
4. **each weight's gradient** ``a_in * dL/dz`` (a bias's is ``dL/dz``);
5. **the optimizer's step** from that gradient ``g``, with the run's ``optimizer`` and the
   network's own optimizer state: ``sgd`` steps ``rate * g``; ``momentum`` makes the velocity
   ``v <- 0.9 v + g`` and steps ``rate * v``; ``adam`` makes ``m <- 0.9 m + 0.1 g``,
   ``s <- 0.999 s + 0.001 g²`` and, as its ``t + 1``-th update, steps
   ``rate * m̂ / (√ŝ + 1e-8)`` with ``m̂ = m / (1 - 0.9^(t+1))``, ``ŝ = s / (1 - 0.999^(t+1))``.
   An optimizer chosen since the last update starts from fresh state (zeros, ``t = 0``), as
   the update would make it;
6. **the regularization's pull** (L2: ``rate * reg_rate * w``; L1: ``rate * reg_rate *
   sign(w)``, and a weight that this would carry across zero is set to zero for good) and the
   change and new value of every weight and bias.

This is an update on **one point (a batch of 1)**. Training moves the weights by the mean
gradient of ``batch_size`` points; the rules are the same, the gradient is that of one
point. The numbers are those that ``PlaygroundNet.accumulate`` on the point followed by
``PlaygroundNet.update`` would give, to the bit, for the weights and for the optimizer's
state (the tests check both, and every gradient against finite differences). :func:`apply`
makes that update for real: weights, biases, dead weights and the optimizer's state; the
epoch count does not change (an epoch is a pass over all the training points) and gradients
waiting from a part-batch stay waiting, untouched.

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

import copy
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from neuralab.labs.playground.model import (
    ADAM_BETA1,
    ADAM_BETA2,
    ADAM_EPSILON,
    MOMENTUM,
    PlaygroundNet,
)
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
    ``grad_a`` (dL/da), ``delta`` (dL/dz), ``weight_grads``, ``bias_grads``, ``weight_steps``
    and ``bias_steps`` (the optimizer's step, subtracted), ``state`` (the optimizer's
    arithmetic: ``{"weights": {...}, "biases": {...}}`` with ``velocity`` and
    ``new_velocity`` for momentum; ``m``, ``s``, ``new_m``, ``new_s``, ``m_hat`` and ``s_hat``
    for Adam; empty for sgd), ``regularization`` (each weight's pull), ``weight_changes``,
    ``bias_changes``, ``new_weights``, ``new_biases``, ``dead`` (after the update) and
    ``killed`` (weights this update sets to zero for good). At the top, ``optimizer``,
    ``optimizer_fresh`` (momentum's or Adam's state starts afresh with this update), ``t``
    (Adam's updates so far; this one is ``t + 1``) and ``constants`` (momentum, beta1, beta2,
    epsilon).
    """
    point = check_point(run, point)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged network traces to None
        return _trace(run, point)[0]


def _state_before(net: PlaygroundNet, optimizer: str) -> tuple[list[list[np.ndarray]], int,
                                                               bool]:
    """The optimizer state the next update starts from, without touching ``net``: the net's
    own, or the fresh state :meth:`PlaygroundNet.update` would make first (a shallow copy's
    ``_optimizer_state`` only rebinds the copy's attributes). Also whether it is fresh."""
    probe = copy.copy(net)
    probe._optimizer_state(optimizer)
    return probe._moments, probe._t, probe._moments is not net._moments


def _optimizer_step(optimizer: str, g: np.ndarray, state: Sequence[np.ndarray], rate: float,
                    t: int) -> tuple[np.ndarray, list[np.ndarray], dict[str, np.ndarray]]:
    """One array's step (before regularization), its new state and the arithmetic to show,
    in the order of operations of ``PlaygroundNet._steps`` (so the numbers agree to the bit).
    ``t`` is this update's number for Adam."""
    if optimizer == "sgd":
        return g * rate, [], {}
    if optimizer == "momentum":
        (v,) = state
        v_new = v * MOMENTUM
        v_new += g
        return v_new * rate, [v_new], {"velocity": v, "new_velocity": v_new}
    m, v = state
    c1, c2 = 1 - ADAM_BETA1 ** t, 1 - ADAM_BETA2 ** t
    m_new = m * ADAM_BETA1
    m_new += (1 - ADAM_BETA1) * g
    s_new = v * ADAM_BETA2
    s_new += (1 - ADAM_BETA2) * g * g
    m_hat, s_hat = m_new / c1, s_new / c2
    denominator = np.sqrt(s_hat)
    denominator += ADAM_EPSILON
    step = m_hat / denominator
    step *= rate
    return step, [m_new, s_new], {"m": m, "s": v, "new_m": m_new, "new_s": s_new,
                                  "m_hat": m_hat, "s_hat": s_hat}


def _trace(run: Playground, point: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trace, and what :func:`apply` writes: per layer (weights, biases, dead, optimizer
    state) as arrays, and Adam's new ``t``."""
    net, s = run.net, run.settings
    rate, kind, reg = s["learning_rate"], s["regularization"], s["regularization_rate"]
    optimizer = s["optimizer"]
    moments, t_before, fresh = _state_before(net, optimizer)
    t_now = t_before + 1 if optimizer == "adam" else t_before
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
    layers, written = [], []
    for i, layer in enumerate(net.layers):
        w, b = layer.weights, layer.biases
        gw = outs[i][0][:, None] * deltas[i][None, :]
        gb = deltas[i]
        gw_used = np.where(layer.dead, 0.0, gw) if layer.any_dead else gw  # a dead weight's is 0
        # state per array as PlaygroundNet keeps it: [vw, vb], or [mw, mb, sw, sb]
        own = moments[i] if optimizer != "sgd" else []
        step, new_w_state, show_w = _optimizer_step(optimizer, gw_used, own[0::2], rate, t_now)
        step_b, new_b_state, show_b = _optimizer_step(optimizer, gb, own[1::2], rate, t_now)
        if layer.any_dead:
            step = np.where(layer.dead, 0.0, step)
        # the update's own order of operations, so the numbers are the engine's to the bit
        new_b = b - step_b
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
        new_state = [a for pair in zip(new_w_state, new_b_state, strict=True) for a in pair]
        written.append((new_w, new_b, dead, new_state))
        layers.append({
            "activation": layer.activation if layer.forward is not None else net.output,
            "weights": w.tolist(), "biases": b.tolist(),
            "z": zs[i].tolist(), "a": outs[i + 1][0].tolist(),
            "grad_a": grads_a[i].tolist(), "delta": deltas[i].tolist(),
            "weight_grads": gw.tolist(), "bias_grads": gb.tolist(),
            "weight_steps": step.tolist(), "bias_steps": step_b.tolist(),
            "state": {"weights": {k: v.tolist() for k, v in show_w.items()},
                      "biases": {k: v.tolist() for k, v in show_b.items()}},
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
        "optimizer": optimizer, "optimizer_fresh": fresh and optimizer != "sgd", "t": t_before,
        "constants": {"momentum": MOMENTUM, "beta1": ADAM_BETA1, "beta2": ADAM_BETA2,
                      "epsilon": ADAM_EPSILON},
        "layers": layers,
    }), {"layers": written, "t": t_now}


def apply(run: Playground, point: int) -> dict[str, Any]:
    """Make the update of :func:`trace` for real (the epoch stays, gradients waiting from a
    part-batch stay waiting): weights, biases, dead weights and the optimizer's state become
    what ``accumulate`` on the point and ``update`` would make them. Returns the trace."""
    point = check_point(run, point)
    with np.errstate(over="ignore", invalid="ignore"):
        t, written = _trace(run, point)
    net = run.net
    net._optimizer_state(run.settings["optimizer"])  # fresh state, as update() would make it
    for layer, moments, (new_w, new_b, dead, state) in zip(net.layers, net._moments or
                                                            [[]] * len(net.layers),
                                                            written["layers"], strict=True):
        layer.weights[:] = new_w
        layer.biases[:] = new_b
        layer.dead[:] = dead
        layer.any_dead = bool(layer.dead.any())
        for old, new in zip(moments, state, strict=True):
            old[:] = new
    net._t = written["t"]
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
