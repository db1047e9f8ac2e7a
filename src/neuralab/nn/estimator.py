"""``MLPClassifier`` and ``MLPRegressor``: drop-ins for scikit-learn's, on neuralab's engine.

Both take exactly scikit-learn 1.9's constructor parameters (declared once, in the ``"mlp"``
group of :mod:`neuralab.params`, from which ``_parameter_constraints`` is derived) and behave as
scikit-learn documents: the same output layers (softmax for several classes, one logistic unit
for two, logistic units for multilabel targets, identity or exp for regression), the same
losses as reported in ``loss_curve_``, the same stopping rule, learning-rate schedules, early
stopping, warm starts, ``partial_fit``, sample weights, sparse input and float32/float64 handling.
Given the same ``random_state`` they draw the same initial weights, shuffles and validation
split as scikit-learn (its use of one ``RandomState``), so the two can be compared number for
number. One difference, on purpose: the early-stopping split of several classes is stratified,
as scikit-learn's documentation says; scikit-learn 1.9's code stratifies two classes only.

The training itself is :meth:`~neuralab.nn.network.Network.train_step` on a float32 or float64
:class:`~neuralab.nn.network.Network` (``network_``; ``coefs_`` and ``intercepts_`` are views of
its parameters), and ``lbfgs`` is scipy's L-BFGS-B on the network's flat parameters.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from neuralab import blas
from neuralab.nn.network import Network
from neuralab.nn.optimizers import SGD, Adam, Optimizer
from neuralab.params import TABLE, Param, ParamError, validate

__all__ = ["MLPClassifier", "MLPRegressor"]

_ENGINE_ACTIVATION = {"logistic": "sigmoid"}  # scikit-learn's name -> the engine's
_STOCHASTIC = ("sgd", "adam")
# Multiply-adds of the largest dense product of a batch below which numpy's BLAS keeps to one
# thread during a fit: OpenBLAS's second thread costs more than it gives on such products
# (784-64-64-10 on MNIST, batch 200, 2 cores: 19.5 ms per epoch on two threads, 16.6 ms with
# BLAS on one and the sparse first layer split over both). Results do not change.
SMALL_PRODUCT = 1 << 22


class MLPParameterError(ParamError, InvalidParameterError):
    """A bad constructor parameter: neuralab's :class:`~neuralab.params.ParamError` (with
    ``param`` and ``expected``) that is also scikit-learn's ``InvalidParameterError``, with its
    message ("The 'alpha' parameter of MLPClassifier must be ... Got ... instead.")."""

    def __init__(self, error: ParamError, estimator: str, got: Any):
        super().__init__(error.param, error.expected, got, message=(
            f"The {error.param!r} parameter of {estimator} must be {error.expected}. "
            f"Got {got!r} instead."))


def _constraint(param: Param) -> list[Any]:
    """A table entry as scikit-learn's parameter constraints (for its estimator checks)."""
    if param.name == "random_state":
        return ["random_state"]
    if param.kind is bool:
        return ["boolean"]
    if param.kind is str:
        return [StrOptions(set(param.choices))]
    left = param.low is not None and not param.low_open
    right = param.high is not None and not param.high_open
    closed = {(True, True): "both", (True, False): "left", (False, True): "right",
              (False, False): "neither"}[(left, right)]
    out: list[Any] = ["array-like"] if param.sequence else []
    out.append(Interval(Integral if param.kind is int else Real, param.low, param.high,
                        closed=closed))
    for literal in param.also:
        if isinstance(literal, str):
            out.append(StrOptions({literal}))
        elif isinstance(literal, bool):
            out.append("verbose" if param.name == "verbose" else "boolean")
        else:
            out.append(Options(Real, {literal}))
    return list(dict.fromkeys(out))


def _constraints(names: list[str]) -> dict[str, list[Any]]:
    return {name: _constraint(TABLE["mlp"][name]) for name in names}


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, the two solvers, fitting."""

    # ----------------------------------------------------------------------------- parameters
    def _checked(self) -> dict[str, Any]:
        """Every parameter, validated against the ``"mlp"`` table."""
        values = self.get_params(deep=False)
        state = values.pop("random_state")
        if state is not None and not isinstance(state, np.random.RandomState):
            values["random_state"] = state
        try:
            params = validate("mlp", values)
        except ParamError as error:
            raise MLPParameterError(error, type(self).__name__, values[error.param]) from None
        params["random_state"] = state
        return params

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC:
            raise AttributeError(f"partial_fit is only available for stochastic optimizers. "
                                 f"{self.solver} is not stochastic.")
        return True

    # ----------------------------------------------------------------------------- fitting
    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> _BaseMLP:
        p = self._checked()
        first = not hasattr(self, "coefs_") or (not p["warm_start"] and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        rng = check_random_state(p["random_state"])
        layer_units = [X.shape[1], *p["hidden_layer_sizes"], Y.shape[1]]
        if first:
            self._initialize(Y, layer_units, X.dtype, p, rng)
        elif [c.shape[0] for c in self.coefs_] + [self.coefs_[-1].shape[1]] != layer_units:
            raise ValueError(f"the network has layers {self._layer_units()}, but these "
                             f"parameters and data need {layer_units}; fit it anew")
        if p["solver"] == "lbfgs":
            self._fit_lbfgs(X, Y, sample_weight, p)
        else:
            self._fit_stochastic(X, Y, sample_weight, p, rng, incremental)
        if not np.isfinite(self.network_.params).all():
            raise ValueError("Solver produced non-finite parameter weights. The input data may "
                             "contain large values and need to be preprocessed.")
        return self

    def _layer_units(self) -> list[int]:
        return list(self.network_.layer_sizes)

    def _initialize(self, Y: np.ndarray, layer_units: list[int], dtype: Any,
                    p: dict[str, Any], rng: np.random.RandomState) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation(p)
        # lbfgs works in float64 whatever the input (scipy's L-BFGS-B does), as scikit-learn's
        net_dtype = np.float64 if p["solver"] == "lbfgs" else dtype
        self.network_ = Network(layer_units, activation=_ENGINE_ACTIVATION.get(
            p["activation"], p["activation"]), output=self.out_activation_, seed=None,
            dtype=net_dtype)
        # Glorot uniform, drawn from one RandomState in scikit-learn's order (weights, then
        # biases, layer by layer), so the same random_state starts from the same weights.
        factor = 2.0 if p["activation"] == "logistic" else 6.0
        weights, biases = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
            bound = math.sqrt(factor / (fan_in + fan_out))
            weights.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
            biases.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
        self.network_.set_weights(weights, biases)
        self.coefs_ = self.network_.weights
        self.intercepts_ = self.network_.biases
        self._optimizer: Optimizer | None = None
        self._best_params = self.network_.params.copy()
        if p["solver"] in _STOCHASTIC:
            self.loss_curve_: list[float] = []
            self._no_improvement_count = 0
            if p["early_stopping"]:
                self.validation_scores_: list[float] | None = []
                self.best_validation_score_: float | None = -np.inf
                self.best_loss_: float | None = None
            else:
                self.validation_scores_ = None
                self.best_validation_score_ = None
                self.best_loss_ = np.inf

    def _make_optimizer(self, p: dict[str, Any]) -> Optimizer:
        params = self.network_.parameters()
        if p["solver"] == "sgd":
            return SGD(params, p["learning_rate_init"], momentum=p["momentum"],
                       nesterov=p["nesterovs_momentum"])
        return Adam(params, p["learning_rate_init"], p["beta_1"], p["beta_2"], p["epsilon"],
                    epsilon_hat=True, fused=self.network_.backend == "fused")

    def _fit_stochastic(self, X: Any, Y: np.ndarray, sample_weight: np.ndarray | None,
                        p: dict[str, Any], rng: np.random.RandomState,
                        incremental: bool) -> None:
        net = self.network_
        if not incremental or self._optimizer is None:
            self._optimizer = self._make_optimizer(p)
        opt = self._optimizer
        if p["early_stopping"] and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X_val = Y_val = w_val = None
        if p["early_stopping"]:
            X, X_val, Y, Y_val, sample_weight, w_val = self._split(X, Y, sample_weight, p, rng)
        targets = self._engine_targets(Y)
        n = X.shape[0]
        if p["batch_size"] == "auto":
            batch = min(200, n)
        else:
            if p["batch_size"] > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                              "going to be clipped", stacklevel=3)
            batch = min(p["batch_size"], n)
        batches = _Batches(net, X, targets, sample_weight, batch)  # takes the thread count
        products = list(zip(net.layer_sizes[:-1], net.layer_sizes[1:], strict=True))
        dense = products if batches.dense else products[1:]  # sparse: its own split loops
        quiet = contextlib.ExitStack()
        if batch * max((a * b for a, b in dense), default=0) <= SMALL_PRODUCT:
            quiet.enter_context(blas.limited(1))
        order = np.arange(n)
        scale = self._reported_scale()
        self.n_iter_ = 0
        try:  # Ctrl+C ends the fit early and keeps the model, as scikit-learn's does
            for _ in range(p["max_iter"]):
                if p["shuffle"]:  # permute the previous order, as scikit-learn's shuffle() does
                    draw = np.arange(n)
                    rng.shuffle(draw)
                    order = order[draw]
                total = 0.0
                for xb, yb, wb in batches.epoch(order if p["shuffle"] else None):
                    step = net.train_step(xb, yb, opt, p["alpha"], wb)
                    total += (step.loss * scale + step.penalty) * xb.shape[0]
                self.n_iter_ += 1
                self.loss_ = total / n
                if not math.isfinite(self.loss_):
                    raise ValueError(f"The loss is {self.loss_} after epoch {self.n_iter_}: the "
                                     f"fit diverged. Lower learning_rate_init (now "
                                     f"{p['learning_rate_init']}) or scale the input.")
                self.t_ += n
                self.loss_curve_.append(self.loss_)
                if p["verbose"]:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                self._count_no_improvement(p, X_val, Y_val, w_val)
                if p["solver"] == "sgd" and p["learning_rate"] == "invscaling":
                    opt.learning_rate = p["learning_rate_init"] / (self.t_ + 1) ** p["power_t"]
                if self._no_improvement_count > p["n_iter_no_change"]:
                    what = "Validation score" if p["early_stopping"] else "Training loss"
                    message = (f"{what} did not improve more than tol={p['tol']:f} for "
                               f"{p['n_iter_no_change']} consecutive epochs.")
                    if self._stop_or_slow_down(opt, message, p):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == p["max_iter"]:
                    warnings.warn(f"Stochastic Optimizer: Maximum iterations ({p['max_iter']}) "
                                  "reached and the optimization hasn't converged yet.",
                                  ConvergenceWarning, stacklevel=3)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        finally:
            quiet.close()
        if p["early_stopping"]:
            net.params[...] = self._best_params

    def _split(self, X: Any, Y: np.ndarray, w: np.ndarray | None, p: dict[str, Any],
               rng: np.random.RandomState) -> tuple[Any, ...]:
        """The training rows and the held-out ``validation_fraction`` (stratified for
        classes, not for multilabel targets)."""
        stratify = self._stratify(Y)
        parts = [X, Y] if w is None else [X, Y, w]
        split = train_test_split(*parts, random_state=rng, test_size=p["validation_fraction"],
                                 stratify=stratify)
        X_train, X_val, Y_train, Y_val = split[:4]
        w_train, w_val = (None, None) if w is None else split[4:]
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        return X_train, X_val, Y_train, self._val_targets(Y_val), w_train, w_val

    def _count_no_improvement(self, p: dict[str, Any], X_val: Any, y_val: Any,
                              w_val: np.ndarray | None) -> None:
        """scikit-learn's stopping rule: count epochs that improved by less than ``tol``."""
        tol = p["tol"]
        if p["early_stopping"]:
            score = self._validation_score(X_val, y_val, w_val)
            self.validation_scores_.append(score)
            if p["verbose"]:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_params = self.network_.params.copy()
        else:
            loss = self.loss_curve_[-1]
            if loss > self.best_loss_ - tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, loss)

    @staticmethod
    def _stop_or_slow_down(opt: Optimizer, message: str, p: dict[str, Any]) -> bool:
        """After too many epochs without progress: stop, or (sgd, adaptive) divide the
        learning rate by 5 and go on while it is above 1e-6."""
        if p["solver"] == "adam" or p["learning_rate"] != "adaptive":
            if p["verbose"]:
                print(message + " Stopping.")
            return True
        if opt.learning_rate <= 1e-6:
            if p["verbose"]:
                print(message + " Learning rate too small. Stopping.")
            return True
        opt.learning_rate /= 5.0
        if p["verbose"]:
            print(message + f" Setting learning rate to {opt.learning_rate:f}")
        return False

    def _fit_lbfgs(self, X: Any, Y: np.ndarray, sample_weight: np.ndarray | None,
                   p: dict[str, Any]) -> None:
        import scipy.optimize

        net = self.network_
        targets = self._engine_targets(Y)
        X = net.as_input(X)
        scale = self._reported_scale()
        calls = iterations = 0

        def loss_and_gradient(flat: np.ndarray) -> tuple[float, np.ndarray]:
            nonlocal calls
            calls += 1
            net.params[...] = flat
            step = net.compute_gradients(X, targets, p["alpha"], sample_weight)
            return step.loss * scale + step.penalty, net.grads.astype(np.float64)

        def report(result: Any) -> None:
            nonlocal iterations
            iterations += 1
            print(f"Iteration {iterations}, loss = {result.fun:.8f}")

        result = scipy.optimize.minimize(
            loss_and_gradient, net.params.astype(np.float64), method="L-BFGS-B", jac=True,
            options={"maxfun": p["max_fun"], "maxiter": p["max_iter"], "gtol": p["tol"]},
            callback=report if p["verbose"] else None)
        net.params[...] = result.x
        self.n_iter_ = min(int(result.nit), p["max_iter"])
        self.loss_ = float(result.fun)
        if not math.isfinite(self.loss_):
            raise ValueError(f"The loss is {self.loss_}: the lbfgs fit diverged. Scale the "
                             "input or raise alpha.")
        if result.status != 0:
            message = result.message.decode() if isinstance(result.message, bytes) \
                else str(result.message)
            warnings.warn(f"lbfgs failed to converge after {self.n_iter_} iteration(s) and "
                          f"{calls} loss evaluations (status={result.status}): {message}. "
                          "Increase max_iter or max_fun, or scale the data.",
                          ConvergenceWarning, stacklevel=3)

    # ----------------------------------------------------------------------------- predicting
    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False,
                          dtype=(np.float64, np.float32))
        return self.network_.forward(X)

    def _validation_score(self, X: Any, y: Any, w: np.ndarray | None) -> float:
        pred = self._predict_values(self.network_.forward(X))
        if np.issubdtype(np.asarray(pred).dtype, np.floating) and not np.isfinite(pred).all():
            return np.nan
        return float(self._score_function(y, pred, sample_weight=w))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer perceptron classifier: scikit-learn's ``MLPClassifier`` on neuralab's engine.

    The parameters, attributes and methods are scikit-learn 1.9's, with its defaults; see
    :class:`sklearn.neural_network.MLPClassifier` for each. The output layer is a softmax over
    the classes, one logistic unit for two classes, and a logistic unit per label for multilabel
    targets (a 0/1 indicator matrix).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
    activation : {"identity", "logistic", "tanh", "relu"}, default "relu"
    solver : {"lbfgs", "sgd", "adam"}, default "adam"
    alpha : float, default 1e-4
        L2 penalty, ``alpha/(2n) * sum ||W||**2`` per batch of ``n`` rows (or weight).
    batch_size : int or "auto", default "auto"
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
    learning_rate_init, power_t : float, default 1e-3, 0.5
    max_iter : int, default 200
    shuffle : bool, default True
    random_state : int, RandomState or None, default None
    tol : float, default 1e-4
    verbose : bool or int, default False
    warm_start : bool, default False
    momentum : float, default 0.9
    nesterovs_momentum : bool, default True
    early_stopping : bool, default False
    validation_fraction : float, default 0.1
    beta_1, beta_2, epsilon : float, default 0.9, 0.999, 1e-8
    n_iter_no_change : int or inf, default 10
    max_fun : int, default 15000

    Attributes
    ----------
    classes_, loss_, best_loss_, loss_curve_, validation_scores_, best_validation_score_, t_,
    coefs_, intercepts_, n_features_in_, feature_names_in_, n_iter_, n_layers_, n_outputs_,
    out_activation_ : as in scikit-learn (``coefs_`` and ``intercepts_`` are views of
    ``network_``'s parameters, float32 for float32 input).
    network_ : Network
        The engine network (for the visualisations: ``network_.activations(X)``).
    """

    _parameter_constraints: dict = _constraints(
        [n for n in TABLE["mlp"] if n != "loss"])

    def __init__(
        self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
        solver: str = "adam", alpha: float = 1e-4, batch_size: int | str = "auto",
        learning_rate: str = "constant", learning_rate_init: float = 1e-3,
        power_t: float = 0.5, max_iter: int = 200, shuffle: bool = True,
        random_state: Any = None, tol: float = 1e-4, verbose: bool | int = False,
        warm_start: bool = False, momentum: float = 0.9, nesterovs_momentum: bool = True,
        early_stopping: bool = False, validation_fraction: float = 0.1, beta_1: float = 0.9,
        beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: float = 10,
        max_fun: int = 15000,
    ) -> None:
        _store(self, locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on ``(X, y)``: labels, or a 0/1 indicator matrix for multilabel targets."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None,
                    classes: Any = None) -> MLPClassifier:
        """One epoch on ``(X, y)`` from the current weights; ``classes`` on the first call."""
        if getattr(self, "classes_", None) is None:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._label_binarizer = LabelBinarizer()
            multilabel = type_of_target(y).startswith("multilabel")
            self._label_binarizer.fit(y if multilabel else classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"`classes={classes!r}` is not the same as on last call to "
                             f"partial_fit, was: {self.classes_!r}")
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[Any, np.ndarray]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same "
                                     "classes as in the previous call to fit. Previously got "
                                     f"{self.classes_}, `y` has {classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(bool)

    def _output_activation(self, p: dict[str, Any]) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _reported_scale(self) -> float:
        return 1.0

    def _engine_targets(self, Y: np.ndarray) -> np.ndarray:
        """Class codes for a softmax network (the fused loss reads labels), else 0/1 floats."""
        if self.out_activation_ == "softmax":
            return Y.argmax(axis=1).astype(np.int64)
        return Y.astype(self.network_.dtype)

    def _stratify(self, Y: np.ndarray) -> np.ndarray | None:
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return None
        return Y.argmax(axis=1) if Y.shape[1] > 1 else Y[:, 0]

    def _val_targets(self, Y_val: np.ndarray) -> np.ndarray:
        return self._label_binarizer.inverse_transform(Y_val)

    def _score_function(self, y: Any, pred: Any, sample_weight: Any = None) -> float:
        return accuracy_score(y, pred, sample_weight=sample_weight)

    def _predict_values(self, out: np.ndarray) -> np.ndarray:
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    def predict(self, X: Any) -> np.ndarray:
        """The predicted class of each row (indicator rows for multilabel targets)."""
        return self._predict_values(self._forward(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class, shape (n_samples, n_classes), in ``classes_`` order."""
        out = self._forward(X)
        if self.n_outputs_ == 1:
            p = out.ravel()
            return np.column_stack([1 - p, p])
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """The log of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer perceptron regressor: scikit-learn's ``MLPRegressor`` on neuralab's engine.

    The parameters, attributes and methods are scikit-learn 1.9's, with its defaults; see
    :class:`sklearn.neural_network.MLPRegressor` and :class:`MLPClassifier` here. ``loss`` is
    ``"squared_error"`` (identity output; ``loss_`` is half the squared error, averaged over
    rows and outputs) or ``"poisson"`` (exp output, for counts ``y >= 0``; half the Poisson
    deviance summed over outputs).
    """

    _parameter_constraints: dict = _constraints(list(TABLE["mlp"]))

    def __init__(
        self, loss: str = "squared_error", hidden_layer_sizes: Any = (100,),
        activation: str = "relu", *, solver: str = "adam", alpha: float = 1e-4,
        batch_size: int | str = "auto", learning_rate: str = "constant",
        learning_rate_init: float = 1e-3, power_t: float = 0.5, max_iter: int = 200,
        shuffle: bool = True, random_state: Any = None, tol: float = 1e-4,
        verbose: bool | int = False, warm_start: bool = False, momentum: float = 0.9,
        nesterovs_momentum: bool = True, early_stopping: bool = False,
        validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
        epsilon: float = 1e-8, n_iter_no_change: float = 10, max_fun: int = 15000,
    ) -> None:
        _store(self, locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on ``(X, y)``, ``y`` of shape (n,) or (n, n_outputs)."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch on ``(X, y)`` from the current weights."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[Any, np.ndarray]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("Some value(s) of y are negative which is not allowed for "
                             "Poisson regression.")
        return X, y.reshape(-1, 1) if y.ndim == 1 else y

    def _output_activation(self, p: dict[str, Any]) -> str:
        return "exp" if p["loss"] == "poisson" else "identity"

    def _reported_scale(self) -> float:
        # scikit-learn's squared error is averaged over the outputs (its gradient is not)
        return 1.0 / self.n_outputs_ if self.out_activation_ == "identity" else 1.0

    def _engine_targets(self, Y: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(Y, dtype=self.network_.dtype)

    def _stratify(self, Y: np.ndarray) -> None:
        return None

    def _val_targets(self, Y_val: np.ndarray) -> np.ndarray:
        return Y_val[:, 0] if Y_val.shape[1] == 1 else Y_val

    def _score_function(self, y: Any, pred: Any, sample_weight: Any = None) -> float:
        return r2_score(y, pred, sample_weight=sample_weight)

    def _predict_values(self, out: np.ndarray) -> np.ndarray:
        return out.ravel() if out.shape[1] == 1 else out

    def predict(self, X: Any) -> np.ndarray:
        """The predicted values, shape (n,) for one output, else (n, n_outputs)."""
        return self._predict_values(self._forward(X))


class _Batches:
    """The minibatches of one epoch: rows gathered into buffers allocated once per fit, or
    picked from :class:`~neuralab.nn.network.SparseRows` without a copy."""

    def __init__(self, net: Network, X: Any, y: np.ndarray, w: np.ndarray | None,
                 size: int) -> None:
        self.X, self.y, self.w, self.size = net.training_input(X), np.ascontiguousarray(y), w, size
        self.dense = isinstance(self.X, np.ndarray)
        if self.dense:
            self.xbuf = np.empty((size, self.X.shape[1]), self.X.dtype)
        self.ybuf = np.empty((size, *y.shape[1:]), y.dtype)

    def epoch(self, order: np.ndarray | None) -> Any:
        """Yield ``(X, y, weights)`` per batch, in ``order`` (None: as stored)."""
        n = self.y.shape[0]
        for start in range(0, n, self.size):
            if order is None:
                rows: Any = slice(start, start + self.size)
                xb = self.X[rows]
                yb = self.y[rows]
            else:
                rows = order[start:start + self.size]
                m = len(rows)
                if self.dense:  # mode="clip" skips bounds checks: about 3x faster
                    xb = np.take(self.X, rows, axis=0, out=self.xbuf[:m], mode="clip")
                else:
                    xb = self.X[rows]
                yb = np.take(self.y, rows, axis=0, out=self.ybuf[:m], mode="clip")
            yield xb, yb, None if self.w is None else self.w[rows]


def _store(estimator: BaseEstimator, values: dict[str, Any]) -> None:
    """``__init__``'s only job: keep every parameter as given (scikit-learn's convention)."""
    for name in inspect.signature(type(estimator).__init__).parameters:
        if name != "self":
            setattr(estimator, name, values[name])
