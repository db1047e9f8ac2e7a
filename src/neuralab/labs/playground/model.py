"""The playground's network and training, with TensorFlow Playground's rules, in numpy.

A fully connected network from the chosen input features to one output (or one per class),
each hidden layer with its own activation. One epoch goes over the training points in their
fixed order; the gradient of every point is added up and the weights move every
``batch_size`` points by the mean of what was added (a part-batch at the end of an epoch
joins the next epoch's first update, as in TensorFlow Playground, whose ``nn.ts`` and
``playground.ts`` this follows):

* weights start uniform in [-0.5, 0.5) and biases at 0.1;
* the loss is half the squared error with a tanh output for two classes labelled -1/+1 and
  a linear output for regression (TensorFlow Playground's only loss), or cross-entropy with
  a sigmoid (two classes) or softmax (more) output, which its users asked for;
* the optimizer turns the mean gradient ``g`` of a batch into the step (``rate`` is the
  learning rate): ``sgd`` (TensorFlow Playground's only one) steps ``rate * g``; ``momentum``
  keeps a velocity ``v = 0.9 v + g`` per weight and bias and steps ``rate * v``; ``adam``
  keeps ``m = 0.9 m + 0.1 g`` and ``s = 0.999 s + 0.001 g²`` and steps
  ``rate * m̂ / (√ŝ + 1e-8)`` with the bias-corrected ``m̂ = m / (1 - 0.9^t)``,
  ``ŝ = s / (1 - 0.999^t)`` after ``t`` updates. Choosing another optimizer starts its state
  afresh (zero velocity, zero moments, ``t = 0``); changing the rate keeps it;
* regularization moves each weight (never a bias) after its gradient step by
  ``rate * reg_rate * R'(w)``, with ``R'`` taken before the step; an L1 step that would take
  a weight across zero sets it to zero for good (the weight is "dead").

The forward pass of a batch is one matrix product per layer, the same sums as the
playground's per-point loops in another order; the activations and their derivatives are the
engine's own (:mod:`neuralab.nn.activations`).

This numpy code is the reference. At the playground's sizes (batches of 10, layers of 8) a
batch is ~100 numpy calls on tiny arrays, and the calls cost far more than the arithmetic, so
:meth:`PlaygroundNet.epoch` runs the whole epoch in one C loop (``pg_epoch`` in
``neuralab/nn/_kernels.c``) when the extension is built (not with ``NEURALAB_KERNELS=0``): the
same operations on each number in the same order, in float64, updating the same arrays
(weights, gradient sums, waiting count, optimizer state, dead links), so ``accumulate`` and
``update`` called directly still continue from it. It is not bit-identical: the BLAS sums a
matrix product in its own order (and may fuse multiply-adds), and the C library's ``tanh`` and
``exp`` may differ from numpy's in the last bit. Tests run both over several epochs for every
activation, output, loss, optimizer, regularization and batch size and hold the weights
within 1e-12 of each other (1e-10 for Adam through eight layers, whose steps on weights with
vanishing gradients are made of those roundings) and the dead links equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuralab.nn import kernels
from neuralab.nn.activations import ACTIVATIONS

HIDDEN_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid",
                      "linear": "identity"}
LOSSES = ("square", "cross_entropy")
REGULARIZATIONS = ("none", "l1", "l2")
OPTIMIZERS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9
ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.9, 0.999, 1e-8
# The codes of the C epoch (pg_epoch in neuralab/nn/_kernels.c), and the output and loss
# pairs it knows (the ones the playground builds).
_C_HIDDEN = {"relu": 0, "tanh": 1, "sigmoid": 2, "linear": 3}
_C_OUTPUT_LOSS = {("tanh", "square"): (0, 0), ("linear", "square"): (1, 0),
                  ("sigmoid", "cross_entropy"): (2, 1), ("softmax", "cross_entropy"): (3, 1)}
_C_REGULARIZATION = {"none": 0, "l1": 1, "l2": 2}
_C_OPTIMIZER = {"sgd": 0, "momentum": 1, "adam": 2}


@dataclass
class Layer:
    """One layer's weights (inputs x neurons), biases, activation and dead links."""

    weights: np.ndarray
    biases: np.ndarray
    activation: str  # a HIDDEN_ACTIVATIONS key, or "output"
    dead: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.dead = np.zeros(self.weights.shape, dtype=bool)
        self.any_dead = False  # skip the dead-link masks until L1 kills a weight
        hidden = ACTIVATIONS.get(HIDDEN_ACTIVATIONS.get(self.activation, ""))
        self.forward = hidden.forward if hidden else None  # None: the output layer
        self.backward = hidden.backward if hidden else None


CHUNK = 2048  # rows per matrix product on a grid


def _matmul(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``a @ w`` in blocks of rows: for these narrow matrices OpenBLAS starts its threads on a
    10,000-row grid and then waits for them (16 ms instead of 0.06 ms on a busy machine)."""
    if len(a) <= CHUNK:
        return a @ w
    out = np.empty((len(a), w.shape[1]), dtype=np.result_type(a, w))
    for start in range(0, len(a), CHUNK):
        np.matmul(a[start:start + CHUNK], w, out=out[start:start + CHUNK])
    return out


class PlaygroundNet:
    """The network: ``sizes`` from inputs to outputs, one activation per hidden layer.
    ``compiled`` picks how :meth:`epoch` runs: None, the C loop when it is built, else numpy;
    False, numpy; True, the C loop (an error when it is not built)."""

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], output: str,
                 loss: str, seed: int, *, compiled: bool | None = None) -> None:
        if len(activations) != len(sizes) - 2:
            raise ValueError("one activation per hidden layer")
        rng = np.random.default_rng(seed)
        self.output, self.loss = output, loss  # output: "tanh", "linear", "sigmoid", "softmax"
        self.layers = [Layer(rng.random((a, b)) - 0.5, np.full(b, 0.1),
                             act if i < len(activations) else "output")
                       for i, (a, b, act) in enumerate(zip(sizes[:-1], sizes[1:],
                                                           [*activations, "output"],
                                                           strict=True))]
        self._grads = [(np.zeros_like(layer.weights), np.zeros_like(layer.biases))
                       for layer in self.layers]
        self._count = 0  # points whose gradients wait in _grads
        self.optimizer = "sgd"
        self._moments: list[list[np.ndarray]] = []  # per layer: the optimizer's state arrays
        self._t = 0  # Adam's updates so far
        self.compiled = compiled

    def _optimizer_state(self, optimizer: str) -> None:
        """Start ``optimizer``'s state afresh when it differs from the current one."""
        if optimizer == self.optimizer and (self._moments or optimizer == "sgd"):
            return
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        self.optimizer, self._t = optimizer, 0
        kinds = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]  # velocity; or m and s
        self._moments = [[np.zeros_like(a) for _ in range(kinds)
                          for a in (layer.weights, layer.biases)] for layer in self.layers]

    def _steps(self, rate: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each layer's (weight step, bias step), made in ``_grads`` from the mean gradient."""
        if self.optimizer == "sgd":
            step = rate / self._count
            for gw, gb in self._grads:
                gw *= step
                gb *= step
            return self._grads
        for (gw, gb) in self._grads:
            gw /= self._count
            gb /= self._count
        if self.optimizer == "momentum":
            for (gw, gb), (vw, vb) in zip(self._grads, self._moments, strict=True):
                for g, v in ((gw, vw), (gb, vb)):
                    v *= MOMENTUM
                    v += g
                    np.multiply(v, rate, out=g)
            return self._grads
        self._t += 1
        c1, c2 = 1 - ADAM_BETA1 ** self._t, 1 - ADAM_BETA2 ** self._t
        for (gw, gb), (mw, mb, sw, sb) in zip(self._grads, self._moments, strict=True):
            for g, m, v in ((gw, mw, sw), (gb, mb, sb)):
                m *= ADAM_BETA1
                m += (1 - ADAM_BETA1) * g
                v *= ADAM_BETA2
                v += (1 - ADAM_BETA2) * g * g
                denominator = np.sqrt(v / c2)
                denominator += ADAM_EPSILON
                np.divide(m / c1, denominator, out=g)
                g *= rate
        return self._grads

    # ------------------------------------------------------------------ forward

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's outputs for the rows of ``X``: [X, hidden..., output]."""
        outs = [X]
        for layer in self.layers:
            z = _matmul(outs[-1], layer.weights)
            z += layer.biases
            outs.append(self._activate(layer, z))
        return outs

    def forward_grid(self, X: np.ndarray, buffers: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`forward` in float32 into ``buffers`` (one (n, width) array per layer, reused
        from frame to frame): a grid of 10,000 points only needs to be drawn, and this is
        most of a frame's work."""
        h = X
        for layer, out in zip(self.layers, buffers, strict=True):
            for start in range(0, len(h), CHUNK):
                np.matmul(h[start:start + CHUNK], layer.weights.astype(np.float32),
                          out=out[start:start + CHUNK])
            out += layer.biases.astype(np.float32)
            self._activate(layer, out)
            h = out
        return buffers

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The output for each row: (n,) for one output, (n, k) for softmax."""
        out = self.forward(X)[-1]
        return out[:, 0] if out.shape[1] == 1 else out

    def _activate(self, layer: Layer, z: np.ndarray) -> np.ndarray:
        if layer.forward is not None:
            return layer.forward(z, z)
        if self.output == "tanh":
            return np.tanh(z, out=z)
        if self.output == "sigmoid":
            return ACTIVATIONS["sigmoid"](z, out=z)
        if self.output == "softmax":
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
        return z  # linear

    # ------------------------------------------------------------------ loss

    def losses(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each point's loss (half squared error, or cross-entropy)."""
        out = self.forward(X)[-1]
        return self._losses(out, y)

    def _losses(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.loss == "square":
            return 0.5 * (out[:, 0] - y) ** 2
        eps = 1e-12
        if self.output == "softmax":
            return -np.log(np.maximum(out[np.arange(len(y)), y.astype(np.intp)], eps))
        p = np.clip(out[:, 0], eps, 1 - eps)
        t = (y > 0).astype(np.float64)
        return -(t * np.log(p) + (1 - t) * np.log(1 - p))

    def _output_delta(self, out: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dLoss/dz of the output layer for each point (not yet averaged)."""
        if self.loss == "square":
            delta = out[:, 0] - y
            if self.output == "tanh":
                delta *= 1 - out[:, 0] ** 2
            return delta[:, None]
        if self.output == "softmax":
            delta = out.copy()
            delta[np.arange(len(y)), y.astype(np.intp)] -= 1
            return delta
        return (out[:, 0] - (y > 0))[:, None]  # sigmoid with cross-entropy

    # ------------------------------------------------------------------ training

    def accumulate(self, X: np.ndarray, y: np.ndarray) -> None:
        """Add the gradients of the points ``X``, ``y`` (summed, as the playground adds)."""
        outs = self.forward(X)
        delta = self._output_delta(outs[-1], y)
        for i in range(len(self.layers) - 1, -1, -1):
            layer, (gw, gb) = self.layers[i], self._grads[i]
            gw += outs[i].T @ delta
            gb += delta.sum(axis=0)
            if i:
                delta = delta @ layer.weights.T
                below = self.layers[i - 1]
                below.backward(outs[i], delta)
        self._count += len(X)

    def update(self, rate: float, regularization: str, reg_rate: float,
               optimizer: str = "sgd") -> None:
        """Move every weight by the optimizer's step from the mean accumulated gradient, then
        regularize. A dead weight neither moves nor gathers momentum."""
        if not self._count:
            return
        self._optimizer_state(optimizer)
        for layer, (gw, _) in zip(self.layers, self._grads, strict=True):
            if layer.any_dead:
                gw[layer.dead] = 0.0
        for layer, (gw, gb) in zip(self.layers, self._steps(rate), strict=True):
            layer.biases -= gb
            w = layer.weights
            if layer.any_dead:
                gw[layer.dead] = 0.0
            if regularization == "none" or not reg_rate:
                w -= gw
            elif regularization == "l2":  # R'(w) = w, taken before the gradient step
                w *= 1 - rate * reg_rate
                w -= gw
            else:  # L1: R'(w) = sign(w) before the step; crossing zero kills the weight
                pull = np.sign(w)
                pull *= rate * reg_rate
                w -= gw
                moved = w - pull
                crossed = w * moved < 0
                w[:] = moved
                if crossed.any():
                    w[crossed] = 0.0
                    layer.dead |= crossed
                    layer.any_dead = True
                if layer.any_dead:
                    w[layer.dead] = 0.0
            gw.fill(0.0)
            gb.fill(0.0)
        self._count = 0

    def epoch(self, X: np.ndarray, y: np.ndarray, batch_size: int, rate: float,
              regularization: str, reg_rate: float, optimizer: str = "sgd") -> None:
        """One pass over the training points in order. The weights move after points
        ``batch_size``, ``2 * batch_size``, ... of the epoch; the gradients of a last part-batch
        wait and join the next epoch's first update (TensorFlow Playground counts
        ``(i + 1) % batch_size`` within each epoch). In C when it can (see the module
        docstring), else :meth:`_epoch_numpy`."""
        loop = self._loop(regularization, optimizer)
        if loop is None:
            self._epoch_numpy(X, y, batch_size, rate, regularization, reg_rate, optimizer)
            return
        if len(X) >= batch_size:  # the epoch makes an update: its optimizer state first,
            self._optimizer_state(optimizer)  # as update() does
        sizes = (self.layers[0].weights.shape[0],
                 *(layer.weights.shape[1] for layer in self.layers))
        acts = tuple(_C_HIDDEN[layer.activation] for layer in self.layers[:-1])
        states = self._moments or [[] for _ in self.layers]
        arrays = [(layer.weights, layer.biases, gw, gb, layer.dead, layer.any_dead, *state)
                  for layer, (gw, gb), state in zip(self.layers, self._grads, states,
                                                    strict=True)]
        output, loss = _C_OUTPUT_LOSS[self.output, self.loss]
        self._count, self._t, any_dead = loop(
            np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64),
            sizes, acts, arrays, output, loss, batch_size, float(rate),
            _C_REGULARIZATION[regularization], float(reg_rate), _C_OPTIMIZER[self.optimizer],
            self._count, self._t)
        for layer, dead in zip(self.layers, any_dead, strict=True):
            layer.any_dead = dead

    def _loop(self, regularization: str, optimizer: str) -> Callable[..., Any] | None:
        """The C epoch if this network and these settings may use it, else None."""
        if self.compiled is False:
            return None
        loop = kernels.loop("pg_epoch")
        fits = ((self.output, self.loss) in _C_OUTPUT_LOSS
                and (self.output == "softmax" or self.layers[-1].weights.shape[1] == 1)
                and regularization in _C_REGULARIZATION and optimizer in _C_OPTIMIZER
                and all(layer.activation in _C_HIDDEN for layer in self.layers[:-1]))
        if self.compiled and (loop is None or not fits):
            raise RuntimeError("the compiled playground epoch is not built, or does not take "
                               f"{self.output} with {self.loss}, {regularization}, {optimizer}")
        return loop if fits else None

    def _epoch_numpy(self, X: np.ndarray, y: np.ndarray, batch_size: int, rate: float,
                     regularization: str, reg_rate: float, optimizer: str = "sgd") -> None:
        """:meth:`epoch` in numpy, batch by batch: the reference the C loop follows."""
        for start in range(0, len(X), batch_size):
            stop = min(len(X), start + batch_size)
            self.accumulate(X[start:stop], y[start:stop])
            if stop - start == batch_size:
                self.update(rate, regularization, reg_rate, optimizer)

    # ------------------------------------------------------------------ reading

    def parameters(self) -> list[dict[str, list]]:
        """Each layer's weights, biases and dead links, as lists (JSON-ready)."""
        return [{"weights": layer.weights.tolist(), "biases": layer.biases.tolist(),
                 "dead": layer.dead.tolist(), "activation": layer.activation}
                for layer in self.layers]
