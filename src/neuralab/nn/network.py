"""A fully connected network: forward pass, backpropagation and one training step.

Layer ``i`` computes ``a[i+1] = f(a[i] @ W[i] + b[i])``, with ``W[i]`` of shape (n_in, n_out),
``f`` the hidden activation and, on the last layer, one of :data:`OUTPUTS`: softmax (paired with
cross-entropy), the identity (squared error), logistic (binary cross-entropy per output, for
two classes and multilabel targets) or exp (the Poisson deviance). The input may be a scipy
sparse matrix (CSR or CSC) or :class:`SparseRows` (rows of a CSR matrix, picked without a copy):
only the first layer's products see it.

For speed every weight and bias is a *view* into one flat array, :attr:`Network.params` (all
weights, then all biases), and the gradients likewise into :attr:`Network.grads`. An optimizer
built on ``network.parameters()`` then updates everything with a few vector operations.
Change weights through :meth:`Network.set_weights` (or in place), never by rebinding
``network.weights[i]``. The buffers a batch needs are allocated once per batch size and reused.

The public training step is :meth:`Network.train_step` (gradients, then an optimizer step) and
evaluation is :meth:`Network.evaluate`; :mod:`neuralab.nn.training` builds its loop on them.

Each network picks its backend once, when it is made: ``"fused"`` on float32 networks when the
C loops of :mod:`neuralab.nn.kernels` are built (the elementwise work of a step: bias + relu,
the softmax cross-entropy, relu derivatives, bias gradients, L2), else ``"numpy"``. The numpy
code here is what the fused loops compute, and the reference they are tested against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from neuralab import blas
from neuralab.nn import kernels
from neuralab.nn.activations import ACTIVATIONS
from neuralab.nn.losses import LOSSES, Loss
from neuralab.nn.optimizers import Optimizer, make_optimizer

__all__ = ["BACKENDS", "OUTPUTS", "Network", "SparseRows", "Step"]

OUTPUTS: dict[str, str] = {"softmax": "cross_entropy", "identity": "squared_error",
                           "logistic": "binary_cross_entropy", "exp": "poisson"}
"""Output activation -> the loss it is trained with."""

BACKENDS = ("fused", "numpy")


SPARSE_DENSITY = 0.3
"""Below this share of nonzeros, :meth:`Network.training_input` stores the inputs as
:class:`SparseRows`: the fused sparse products then cost less than a dense matmul (measured
for a 784-64 first layer and batches of 200: 0.6x the dense time at 20% nonzeros, even at
about 35%, 1.5x at 50%)."""


class SparseRows:
    """Rows ``rows`` of a CSR matrix ``(data, indices, indptr)``, picked without a copy.

    ``indices`` (the columns) are int32, ``indptr`` and ``rows`` int64.

    The training loops keep a mostly-zero input in this form (see
    :meth:`Network.training_input`) and take a batch with :meth:`take`. The fused backend reads
    the picked rows' nonzeros directly (``kernels.csr_matmul``); the numpy backend multiplies
    their dense form, :meth:`dense`, which is the reference.

    ``threads`` is how many threads the fused products may split their output across (by rows
    of it, so the results are bit-identical for any count); batches inherit it.
    """

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 n_features: int, rows: np.ndarray | None = None, threads: int = 1) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.n_features = int(n_features)
        self.threads = max(1, int(threads))
        self.rows = np.arange(len(indptr) - 1) if rows is None else rows
        self.shape = (len(self.rows), self.n_features)
        self.ndim = 2
        self.dtype = data.dtype

    @classmethod
    def from_matrix(cls, X: Any, dtype: Any, max_density: float | None = None
                    ) -> SparseRows | None:
        """All rows of a dense array or a scipy sparse matrix, as float ``dtype`` CSR; None
        if a dense array has ``max_density`` or more of nonzeros (counted on the way)."""
        if _is_sparse(X):
            X = X.tocsr()
            X.sum_duplicates()
            return cls(np.ascontiguousarray(X.data, dtype), X.indices.astype(np.int32),
                       X.indptr.astype(np.int64), X.shape[1])
        X = np.ascontiguousarray(X)
        indptr = np.empty(X.shape[0] + 1, np.int64)
        too_dense = max_density is not None and X.size
        if kernels.ENABLED and X.dtype == np.float32 and np.dtype(dtype) == np.float32:
            nnz = kernels.compiled.csr_count(X, indptr, *X.shape)  # two passes over X in C
            if too_dense and nnz >= max_density * X.size:
                return None
            data, indices = np.empty(nnz + 1, np.float32), np.empty(nnz + 1, np.int32)
            kernels.compiled.csr_fill(X, indptr, data, indices, *X.shape)  # + a spare slot
            return cls(data[:nnz], indices[:nnz], indptr, X.shape[1])
        indptr[0] = 0
        np.cumsum(np.count_nonzero(X, axis=1), out=indptr[1:])
        if too_dense and indptr[-1] >= max_density * X.size:
            return None
        nonzero = X != 0
        flat = np.flatnonzero(nonzero)  # row by row, columns ascending: CSR's order
        return cls(np.ascontiguousarray(X[nonzero], dtype),
                   (flat % X.shape[1]).astype(np.int32), indptr, X.shape[1])

    def take(self, rows: np.ndarray) -> SparseRows:
        """The rows ``rows`` of these rows (positions in this batch, as for an array)."""
        return SparseRows(self.data, self.indices, self.indptr, self.n_features,
                          np.ascontiguousarray(self.rows[rows], np.int64), self.threads)

    def __getitem__(self, rows: Any) -> SparseRows:
        return self.take(rows)

    def dense(self) -> np.ndarray:
        """The picked rows as a dense array (the numpy backend's input, and the reference)."""
        starts, ends = self.indptr[self.rows], self.indptr[self.rows + 1]
        lengths = ends - starts
        out = np.zeros(self.shape, self.dtype)
        row_of = np.repeat(np.arange(len(self.rows)), lengths)
        # position of every picked nonzero in data: its row's start plus its rank in the row
        rank = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        at = np.repeat(starts, lengths) + rank
        out[row_of, self.indices[at]] = self.data[at]
        return out

    def density(self) -> float:
        """The share of nonzeros among all the entries of the whole matrix."""
        total = (len(self.indptr) - 1) * self.n_features
        return len(self.data) / total if total else 1.0


class Step(NamedTuple):
    """What one forward and backward pass measured on a batch (before any update).

    ``loss`` is the mean data loss, ``penalty`` the L2 term ``alpha/(2n) * sum ||W||**2``
    (``n`` the batch's row count, or its total sample weight), and ``correct`` how many rows a
    softmax network with integer labels classified right (else 0).
    """

    loss: float
    penalty: float
    correct: int

    @property
    def total(self) -> float:
        """The minimised objective: ``loss + penalty``."""
        return self.loss + self.penalty

_MAX_WORKSPACES = 6
SMALL_TRANSPOSE = 64 * 64  # weights up to this size are copied transposed for the backward pass
_Workspace = tuple[list[np.ndarray], list[np.ndarray], np.ndarray]
"""(layer outputs, hidden-layer deltas, a row of ones) for one batch size."""


class Network:
    """A multilayer perceptron on numpy arrays.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first and output last, e.g. ``(784, 64, 64, 10)``.
    activation : str
        Hidden activation, a key of :data:`~neuralab.nn.activations.ACTIVATIONS`.
    output : {"softmax", "identity", "logistic", "exp"}
        Output activation; it fixes the loss (see :data:`OUTPUTS`).
    seed : int
        Seeds :func:`numpy.random.default_rng` for the initial weights.
    dtype : numpy dtype
        float32 (fast, the default) or float64 (for gradient checks).
    backend : {"fused", "numpy"}, optional
        Force a backend; by default ``"fused"`` where it can run (float32, loops built).

    Weights start as in scikit-learn: Glorot uniform, ``U(-r, r)`` with
    ``r = sqrt(factor / (n_in + n_out))``, factor 2 for sigmoid and 6 otherwise, and the biases
    drawn the same way.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        output: str = "softmax",
        seed: int | None = 0,
        dtype: Any = np.float32,
        backend: str | None = None,
    ) -> None:
        sizes = tuple(int(s) for s in layer_sizes)
        if len(sizes) < 2 or any(s < 1 for s in sizes):
            raise ValueError(
                f"layer_sizes must be at least two positive integers (got {tuple(layer_sizes)})")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)} "
                             f"(got {activation!r})")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)} (got {output!r})")
        self.layer_sizes = sizes
        self.activation = activation
        self.output = output
        self.loss: Loss = LOSSES[OUTPUTS[output]]
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating type (got {self.dtype})")
        self._act = ACTIVATIONS[activation]
        can_fuse = kernels.ENABLED and self.dtype == np.float32
        if backend is None:
            backend = "fused" if can_fuse else "numpy"
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)} (got {backend!r})")
        if backend == "fused" and not can_fuse:
            raise ValueError("the fused backend needs float32 and the compiled loops "
                             "(neuralab.nn._kernels)")
        self.backend = backend
        self._fused = backend == "fused"

        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        n_params = sum(a * b for a, b in shapes) + sum(sizes[1:])
        self.params = np.zeros(n_params, dtype=self.dtype)
        self.grads = np.zeros_like(self.params)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.grad_weights: list[np.ndarray] = []
        self.grad_biases: list[np.ndarray] = []
        self._link()
        self._work: dict[int, _Workspace] = {}

        rng = np.random.default_rng(seed)
        for (n_in, n_out), w, b in zip(shapes, self.weights, self.biases, strict=True):
            bound = np.sqrt(self._act.init_factor / (n_in + n_out))
            w[...] = rng.uniform(-bound, bound, (n_in, n_out))
            b[...] = rng.uniform(-bound, bound, n_out)

    def _link(self) -> None:
        """(Re)make the weight, bias and gradient lists views into the flat arrays."""
        sizes = self.layer_sizes
        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        n_w = sum(a * b for a, b in shapes)
        biases = [(b,) for _, b in shapes]
        # Fill the existing lists in place, so references to them (coefs_) stay valid.
        self.weights[:] = _views(self.params, shapes)
        self.grad_weights[:] = _views(self.grads, shapes)
        self.biases[:] = _views(self.params[n_w:], biases)
        self.grad_biases[:] = _views(self.grads[n_w:], biases)
        self._flat_w, self._flat_gw = self.params[:n_w], self.grads[:n_w]
        self._scratch_w = np.empty_like(self._flat_w)
        # The backward pass multiplies deltas by each small layer's weights transposed; OpenBLAS
        # does that faster from a contiguous copy than from the transposed view, copy included
        # (64 x 64: 11 + 1 us instead of 15 us).
        self._transposed = [np.empty((b, a), self.dtype) if a * b <= SMALL_TRANSPOSE else None
                            for a, b in shapes]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in ("_work", "_scratch_w", "_flat_w", "_flat_gw", "_transposed"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._fused and not kernels.ENABLED:  # unpickled where the loops are not built
            self.backend, self._fused = "numpy", False
        self._work = {}
        self._link()  # pickling copied the views; make them views again

    # ----------------------------------------------------------------------------- inspection
    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.weights)

    def parameters(self) -> list[np.ndarray]:
        """``[params]``: the one flat array to build an optimizer on."""
        return [self.params]

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.layer_sizes))
        return (f"Network({sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"dtype={self.dtype.name}, backend={self.backend!r})")

    def set_weights(self, weights: Sequence[Any], biases: Sequence[Any]) -> None:
        """Copy new weights and biases in (shapes must match; values are cast to ``dtype``)."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} weight matrices and bias vectors "
                             f"(got {len(weights)} and {len(biases)})")
        new_w = [np.asarray(w) for w in weights]
        new_b = [np.asarray(b) for b in biases]
        for i, (w, b) in enumerate(zip(new_w, new_b, strict=True)):
            if w.shape != self.weights[i].shape:
                raise ValueError(f"weights[{i}] must have shape {self.weights[i].shape} "
                                 f"(got {w.shape})")
            if b.shape != self.biases[i].shape:
                raise ValueError(f"biases[{i}] must have shape {self.biases[i].shape} "
                                 f"(got {b.shape})")
        for dst, src in zip(self.weights + self.biases, new_w + new_b, strict=True):
            np.copyto(dst, src, casting="unsafe")

    # ----------------------------------------------------------------------------- inputs
    def as_input(self, X: Any) -> Any:
        """``X`` as this network takes it: a C-contiguous array of ``dtype``, or a CSR matrix.

        Raises ValueError unless ``X`` has shape (n, n_inputs).
        """
        if type(X) is np.ndarray and X.dtype == self.dtype and X.flags.c_contiguous:
            pass  # the training loop's case: nothing to do
        elif isinstance(X, SparseRows):
            if X.dtype != self.dtype:
                raise ValueError(f"SparseRows must hold {self.dtype} values (got {X.dtype})")
        elif _is_sparse(X):
            X = X.tocsr().astype(self.dtype, copy=False)
        else:
            X = np.ascontiguousarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (n, {self.layer_sizes[0]}) (got {X.shape})")
        return X

    def training_input(self, X: Any) -> Any:
        """``X`` as a training loop should keep it, converted once: :meth:`as_input`, except
        that the fused backend takes mostly-zero inputs (density below
        :data:`SPARSE_DENSITY`, or any scipy sparse matrix) as :class:`SparseRows`, whose
        products skip the zeros, on as many threads as the BLAS may use now
        (:func:`neuralab.blas.threads`). Batches are then ``X[rows]``."""
        if not self._fused or isinstance(X, SparseRows):
            return self.as_input(X)
        if _is_sparse(X):
            rows = self.as_input(SparseRows.from_matrix(X, self.dtype))
        else:
            X = self.as_input(X)
            if not X.size:
                return X
            rows = SparseRows.from_matrix(X, self.dtype, max_density=SPARSE_DENSITY)
            if rows is None:
                return X
        rows.threads = blas.threads()
        return rows

    def as_targets(self, y: Any) -> np.ndarray:
        """``y`` as the loss takes it: integer labels (softmax) or a 2-D array of ``dtype``."""
        y = np.asarray(y)
        if self.output == "softmax" and y.ndim == 1:
            return y.astype(np.intp, copy=False)
        y = np.ascontiguousarray(y, dtype=self.dtype)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _workspace(self, n: int) -> _Workspace:
        """Per-layer output buffers and hidden-layer delta buffers for a batch of ``n`` rows."""
        work = self._work.get(n)
        if work is None:
            if len(self._work) >= _MAX_WORKSPACES:
                self._work.pop(next(iter(self._work)))
            outs = [np.empty((n, s), self.dtype) for s in self.layer_sizes[1:]]
            if not self._fused:  # Fortran order makes numpy's row-wise max and sum ~10x faster
                outs[-1] = np.empty((n, self.layer_sizes[-1]), self.dtype, order="F")
            deltas = [np.empty((n, s), self.dtype) for s in self.layer_sizes[1:-1]]
            work = self._work[n] = (outs, deltas, np.ones(n, self.dtype))
        return work

    # ----------------------------------------------------------------------------- forward
    def _forward(self, X: Any, outs: list[np.ndarray]) -> None:
        """Fill ``outs`` with every layer's output; the last one is left as logits ``z``."""
        a = X
        last = self.n_layers - 1
        f = self._act.forward
        fused = self._fused
        relu = self.activation == "relu"
        for i, (w, b, z) in enumerate(zip(self.weights, self.biases, outs, strict=True)):
            if i == 0 and isinstance(a, SparseRows):  # the fused backend's (see compute_...)
                kernels.compiled.csr_matmul(a.data, a.indices, a.indptr, a.rows, w, z,
                                            *a.shape, z.shape[1], a.threads)
            elif i == 0 and _is_sparse(a):
                np.copyto(z, a @ w)
            else:
                np.matmul(a, w, out=z)
            if fused:  # z += b, and relu in the same pass
                kernels.compiled.bias_act(z, b, *z.shape, relu and i < last)
                if i < last and not relu:
                    f(z, out=z)
            else:
                z += b
                if i < last:
                    f(z, out=z)
            a = z

    def activations(self, X: Any) -> list[np.ndarray]:
        """Every layer's output for inputs ``X``: ``[X, hidden 1, ..., output]`` (new arrays).

        The output is probabilities for a softmax or logistic network, and means for exp.
        """
        X = self.as_input(X)
        if isinstance(X, SparseRows) and not self._fused:
            X = X.dense()
        outs = [np.empty((X.shape[0], s), self.dtype) for s in self.layer_sizes[1:]]
        self._forward(X, outs)
        self.loss.output_fn(outs[-1], out=outs[-1])
        return [X, *outs]

    def forward(self, X: Any) -> np.ndarray:
        """The network's output for ``X`` (probabilities, values or means; see OUTPUTS)."""
        return self.activations(X)[-1]

    __call__ = forward

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class per row (softmax networks)."""
        return self.forward(X).argmax(axis=1)

    # ----------------------------------------------------------------------------- backward
    def compute_gradients(
        self, X: Any, y: Any, alpha: float = 0.0, sample_weight: Any = None
    ) -> Step:
        """Forward and backward on one batch; fills :attr:`grads` and returns its :class:`Step`.

        ``alpha`` is the L2 penalty ``alpha/(2n) * sum ||W||**2`` (biases are not penalised);
        with ``sample_weight`` every mean, the penalty's ``n`` included, is over the weights.
        """
        X, y = self.as_input(X), self.as_targets(y)
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X and y must have the same number of rows "
                             f"(got {X.shape[0]} and {y.shape[0]})")
        if isinstance(X, SparseRows) and not self._fused:
            X = X.dense()  # the reference: a dense product of the same rows
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)
        n = X.shape[0]
        outs, deltas, ones = self._workspace(n)
        self._forward(X, outs)
        z = outs[-1]
        last = self.n_layers - 1
        # The fused loops also sum each delta's columns (the bias gradient) as they write it.
        loss, correct, summed = self._output_loss(z, y, self.grad_biases[last], sample_weight)
        delta = z  # now dL/dz
        relu = self._fused and self.activation == "relu"
        backward = self._act.backward
        for i in range(last, -1, -1):
            a_prev = outs[i - 1] if i > 0 else X
            if i == 0 and isinstance(X, SparseRows):
                kernels.compiled.csr_t_matmul(X.data, X.indices, X.indptr, X.rows, delta,
                                              self.grad_weights[0], *X.shape, delta.shape[1],
                                              X.threads)
            elif i == 0 and _is_sparse(X):
                np.copyto(self.grad_weights[0], X.T @ delta)
            else:
                np.matmul(a_prev.T, delta, out=self.grad_weights[i])
            if not summed:
                np.matmul(ones, delta, out=self.grad_biases[i])  # 4x faster than sum(axis=0)
            summed = False
            if i > 0:  # no gradient for the input layer
                wt = self._transposed[i]
                if wt is not None:
                    np.copyto(wt, self.weights[i].T)
                np.matmul(delta, self.weights[i].T if wt is None else wt, out=deltas[i - 1])
                delta = deltas[i - 1]
                if relu:
                    kernels.compiled.relu_backward(delta, a_prev, self.grad_biases[i - 1],
                                                  *delta.shape)
                    summed = True
                else:
                    backward(a_prev, delta)
        penalty = 0.0
        if alpha:
            # L2: penalty = alpha/(2n) * sum(W**2), grad += alpha/n * W
            norm = n if sample_weight is None else float(np.sum(sample_weight,
                                                                 dtype=np.float64))
            c = float(alpha) / norm
            if self._fused:
                squares = kernels.compiled.l2_gradient(self._flat_gw, self._flat_w, c,
                                                      self._flat_w.size)
            else:
                squares = float(np.dot(self._flat_w, self._flat_w))
                np.multiply(self._flat_w, c, out=self._scratch_w)
                self._flat_gw += self._scratch_w
            penalty = 0.5 * c * squares
        return Step(loss, penalty, correct)

    def _output_loss(
        self, z: np.ndarray, y: np.ndarray, sums: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> tuple[float, int, bool]:
        """The mean loss of logits ``z`` against ``y``; overwrites ``z`` with dL/dz.

        Also returns how many rows are classified right (softmax with integer labels; else 0)
        and whether the column sums of dL/dz were written to ``sums`` (fused loops only).
        """
        labels = self.output == "softmax" and y.ndim == 1
        if (labels and self._fused and sample_weight is None and y.dtype == np.int64
                and y.flags.c_contiguous and z.flags.c_contiguous):
            if sums is None:
                sums = np.empty(z.shape[1], z.dtype)
            total, correct = kernels.compiled.softmax_xent(z, y, sums, *z.shape)
            return total / z.shape[0], correct, True
        correct = int(np.count_nonzero(z.argmax(axis=1) == y)) if labels else 0
        loss, _ = self.loss.value_and_grad(z, y, out=z, sample_weight=sample_weight)
        return loss, correct, False

    def loss_and_gradients(
        self, X: Any, Y: Any, alpha: float = 0.0, sample_weight: Any = None
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The mean loss on ``(X, Y)`` plus ``alpha/(2n) * sum ||W||**2``, and its gradients.

        ``Y`` holds integer labels (or target probabilities) for softmax, values for identity,
        0/1 for logistic and counts for exp. Returns ``(loss, grad_weights, grad_biases)`` as
        new arrays shaped like the parameters.
        """
        step = self.compute_gradients(X, Y, alpha, sample_weight)
        return (step.total, [g.copy() for g in self.grad_weights],
                [g.copy() for g in self.grad_biases])

    def evaluate(self, X: Any, y: Any, batch_size: int = 4096) -> tuple[float, int]:
        """The mean loss (no L2 term) on ``(X, y)`` and the rows classified right.

        The count is 0 unless this is a softmax network given integer labels.
        """
        X, y = self.as_input(X), self.as_targets(y)
        if isinstance(X, SparseRows) and not self._fused:
            X = X.dense()
        n = X.shape[0]
        total, correct = 0.0, 0
        for start in range(0, n, batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            outs = self._workspace(xb.shape[0])[0]
            self._forward(xb, outs)
            loss, right, _ = self._output_loss(outs[-1], yb)
            correct += right
            total += loss * xb.shape[0]
        return total / n, correct

    # ----------------------------------------------------------------------------- training
    def make_optimizer(
        self, solver: str = "adam", learning_rate: float = 1e-3, momentum: float = 0.9,
        nesterov: bool = False,
    ) -> Optimizer:
        """An optimizer (``"adam"`` or ``"sgd"``) over this network's parameters."""
        return make_optimizer(solver, self.parameters(), learning_rate, momentum, nesterov,
                              fused=self._fused)

    def _grads_for(self, optimizer: Optimizer) -> list[np.ndarray]:
        ps = optimizer.params
        if len(ps) == 1 and ps[0] is self.params:
            return [self.grads]
        if len(ps) == 2 * self.n_layers and all(
            p is q for p, q in zip(ps, self.weights + self.biases, strict=True)
        ):
            return self.grad_weights + self.grad_biases
        raise ValueError("the optimizer must be built on network.parameters() "
                         "(or on network.weights + network.biases)")

    def train_step(
        self, X: Any, y: Any, optimizer: Optimizer, alpha: float = 0.0,
        sample_weight: Any = None,
    ) -> Step:
        """One training step on the batch ``(X, y)``: :meth:`compute_gradients`, then
        ``optimizer.step``. Returns the batch's :class:`Step`, measured before the update."""
        grads = self._grads_for(optimizer)
        step = self.compute_gradients(X, y, alpha, sample_weight)
        optimizer.step(grads)
        return step

    def step(self, X: Any, y: Any, optimizer: Optimizer, alpha: float = 0.0) -> float:
        """One training step on the batch ``(X, y)``; returns the batch loss before the step."""
        return self.train_step(X, y, optimizer, alpha).total


def _is_sparse(X: Any) -> bool:
    """A scipy sparse matrix or array (checked without importing scipy)."""
    return not isinstance(X, np.ndarray) and hasattr(X, "tocsr") and hasattr(X, "nnz")


def _views(flat: np.ndarray, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    out, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(flat[start:start + size].reshape(shape))
        start += size
    return out
