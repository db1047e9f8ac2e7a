"""``MLPClassifier``: the engine behind scikit-learn's estimator interface.

It takes scikit-learn's parameter names and defaults and trains a float32
:class:`~neuralab.nn.network.Network` with :func:`~neuralab.nn.training.train`. Differences
from ``sklearn.neural_network.MLPClassifier``: the output is always a softmax over the classes
(also for two classes, where scikit-learn uses one logistic unit, so ``n_outputs_`` is the
number of classes), Adam follows ``torch.optim.Adam``'s form of the update, and there is no
lbfgs solver, ``early_stopping`` or ``sample_weight``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from neuralab.nn.network import Network
from neuralab.nn.optimizers import Optimizer
from neuralab.nn.training import History, train
from neuralab.params import TABLE, ParamError, validate

__all__ = ["MLPClassifier"]

_SCALARS = ("activation", "solver", "alpha", "learning_rate_init", "max_iter", "tol",
            "n_iter_no_change", "momentum")
_ACTIVATION_NAMES = {"logistic": "sigmoid"}  # scikit-learn's name -> the engine's


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A multilayer perceptron classifier trained by neuralab's numpy engine.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default (100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "sigmoid", "identity"}, default "relu"
        Hidden activation ("logistic" and "sigmoid" are the same function).
    solver : {"adam", "sgd"}, default "adam"
        The optimizer (sgd uses ``momentum``, not Nesterov's).
    alpha : float, default 1e-4
        L2 penalty: ``alpha/(2n) * sum ||W||**2`` per batch of ``n`` rows.
    batch_size : int or "auto", default "auto"
        Rows per step; "auto" is ``min(200, n_samples)``.
    learning_rate_init : float, default 1e-3
        The (constant) step size.
    max_iter : int, default 200
        Maximum number of epochs for :meth:`fit`.
    tol, n_iter_no_change : float, int
        :meth:`fit` stops when the training loss has not improved by ``tol`` for more than
        ``n_iter_no_change`` epochs.
    momentum : float, default 0.9
        Momentum of the sgd solver.
    random_state : int, RandomState or None
        Seeds the initial weights and the shuffles; an int makes :meth:`fit` reproducible.

    Attributes
    ----------
    classes_, coefs_, intercepts_, loss_curve_, loss_, best_loss_, n_iter_, n_features_in_,
    n_layers_, n_outputs_, out_activation_ : as in scikit-learn. ``coefs_`` and
    ``intercepts_`` are float32 views of the network's parameters.
    network_ : Network
        The trained engine network (for the visualisations: ``network_.activations(X)``).
    """

    def __init__(
        self,
        *,
        hidden_layer_sizes: Sequence[int] = (100,),
        activation: str = "relu",
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        tol: float = 1e-4,
        n_iter_no_change: int = 10,
        momentum: float = 0.9,
        random_state: Any = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.random_state = random_state

    # ----------------------------------------------------------------------------- parameters
    def _checked_params(self) -> dict[str, Any]:
        """The parameters, validated against the ``"mlp"`` group of the parameter table."""
        params = validate("mlp", {name: getattr(self, name) for name in _SCALARS})
        table = TABLE["mlp"]
        sizes = self.hidden_layer_sizes
        spec = table["hidden_layer_sizes"]
        if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
            raise ParamError("hidden_layer_sizes",
                             f"a sequence of integers from {spec.low:g} to {spec.high:g}", sizes)
        if len(sizes) > spec.extra["max_layers"]:
            raise ParamError("hidden_layer_sizes",
                             f"at most {spec.extra['max_layers']} layers", sizes)
        params["hidden_layer_sizes"] = tuple(
            spec._check_scalar(s, "api", f"[{i}]") for i, s in enumerate(sizes))
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            params["batch_size"] = "auto"
        else:
            spec = table["batch_size"]
            try:
                params["batch_size"] = spec.check(self.batch_size)
            except ParamError:
                raise ParamError("batch_size", f'"auto" or {spec.expected()}',
                                 self.batch_size) from None
        params["activation"] = _ACTIVATION_NAMES.get(params["activation"], params["activation"])
        return params

    # ----------------------------------------------------------------------------- fitting
    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train a new network on ``(X, y)`` for up to ``max_iter`` epochs."""
        params = self._checked_params()
        X, y = validate_data(self, X, y, reset=True, dtype=(np.float32, np.float64))
        y = self._set_classes(y, None)
        self._initialise(params)
        return self._fit_epochs(X, y, params, params["max_iter"], stop_early=True)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch on ``(X, y)``, continuing from the current weights and optimizer state.

        ``classes`` (every label that will ever appear) is required on the first call.
        """
        first = not hasattr(self, "classes_")
        params = self._checked_params()
        X, y = validate_data(self, X, y, reset=first, dtype=(np.float32, np.float64))
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            y = self._set_classes(y, classes)
            self._initialise(params)
        else:
            if classes is not None and not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(f"classes={classes!r} is not the same as on the first call "
                                 f"to partial_fit ({self.classes_!r})")
            y = self._encode(y)
        return self._fit_epochs(X, y, params, 1, stop_early=False)

    def _set_classes(self, y: np.ndarray, classes: Any) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
        return self._encode(y)

    def _encode(self, y: np.ndarray) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[codes], y):
            unknown = np.setdiff1d(y, self.classes_)
            raise ValueError(f"y contains labels not in classes_: {unknown[:5]!r}")
        return codes

    def _initialise(self, params: dict[str, Any]) -> None:
        self._rng = check_random_state(self.random_state)
        sizes = (self.n_features_in_, *params["hidden_layer_sizes"], len(self.classes_))
        self.network_ = Network(sizes, activation=params["activation"], output="softmax",
                                seed=self._next_seed(), dtype=np.float32)
        self._optimizer: Optimizer | None = None
        self.n_layers_ = len(sizes)
        self.n_outputs_ = len(self.classes_)
        self.out_activation_ = "softmax"
        self.coefs_ = self.network_.weights
        self.intercepts_ = self.network_.biases
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self.t_ = 0
        self.best_loss_ = np.inf
        self._no_improvement = 0

    def _next_seed(self) -> int:
        return int(self._rng.randint(np.iinfo(np.int32).max))

    def _fit_epochs(
        self, X: np.ndarray, y: np.ndarray, params: dict[str, Any], epochs: int, stop_early: bool
    ) -> MLPClassifier:
        net = self.network_
        if self._optimizer is None:
            self._optimizer = net.make_optimizer(params["solver"], params["learning_rate_init"],
                                                 params["momentum"])
        self._optimizer.learning_rate = params["learning_rate_init"]
        n = len(X)
        batch = min(200, n) if params["batch_size"] == "auto" else min(params["batch_size"], n)
        history: History = train(
            net, X, y, optimizer=self._optimizer, learning_rate=params["learning_rate_init"],
            batch_size=batch, max_epochs=epochs, alpha=params["alpha"], tol=params["tol"],
            n_iter_no_change=params["n_iter_no_change"] if stop_early else None,
            seed=self._next_seed(),
        )
        self.loss_curve_.extend(history.loss_curve)
        self.n_iter_ += history.n_epochs
        self.t_ += n * history.n_epochs
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.best_loss_, *history.loss_curve)
        if stop_early and not history.converged:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({epochs}) reached and "
                          "the optimization hasn't converged yet.", ConvergenceWarning,
                          stacklevel=3)
        return self

    # ----------------------------------------------------------------------------- predicting
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), in the order of ``classes_``."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=(np.float32, np.float64))
        return self.network_.forward(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        proba = self.predict_proba(X)  # checks fitted first
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags
