"""MLPClassifier and MLPRegressor: scikit-learn's checks, and the same numbers as scikit-learn.

Given the same ``random_state`` both draw the same initial weights, shuffles and validation
split, so where the maths is the same the fitted numbers agree to rounding.
"""

from __future__ import annotations

import os
import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuralab.nn import MLPClassifier, MLPRegressor
from neuralab.params import ParamError


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(300, 8, n_targets=2, noise=5.0, random_state=0)
    return X / 4, y / 100


def _pair(kind, **kw):
    """The same settings for neuralab's estimator and scikit-learn's."""
    ours = {"classifier": MLPClassifier, "regressor": MLPRegressor}[kind]
    theirs = {"classifier": sk.MLPClassifier, "regressor": sk.MLPRegressor}[kind]
    return ours(**kw), theirs(**kw)


def _fit_both(kind, X, y, fit_kw=None, **kw):
    ours, theirs = _pair(kind, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y, **(fit_kw or {}))
        theirs.fit(X, y, **(fit_kw or {}))
    return ours, theirs


def _assert_same_model(ours, theirs, rtol=1e-7, atol=1e-10):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.n_layers_ == theirs.n_layers_ and ours.n_outputs_ == theirs.n_outputs_
    assert ours.out_activation_ == theirs.out_activation_
    assert ours.t_ == theirs.t_
    if hasattr(theirs, "loss_curve_"):
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=rtol)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=rtol * 100, atol=atol)


# ------------------------------------------------------------------------- the same numbers
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("target", ["multiclass", "binary", "multilabel"])
def test_classifier_fits_like_sklearn(digits, solver, target):
    X, y = digits
    if target == "binary":
        y = y >= 5
    elif target == "multilabel":
        X, y = make_multilabel_classification(300, 12, n_classes=4, random_state=0)
        X = X / X.max()
    ours, theirs = _fit_both("classifier", X, y, hidden_layer_sizes=(16, 8), max_iter=12,
                             solver=solver, random_state=0, learning_rate_init=0.01)
    _assert_same_model(ours, theirs, rtol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)


def test_binary_targets_get_one_logistic_output(digits):
    X, y = digits
    labels = np.where(y >= 5, "big", "small")
    clf, _ = _fit_both("classifier", X, labels, hidden_layer_sizes=(8,), max_iter=5,
                       random_state=0)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    assert clf.coefs_[-1].shape == (8, 1)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(proba[:, 1] > 0.5).astype(int)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_multilabel_targets_get_logistic_outputs():
    X, Y = make_multilabel_classification(200, 10, n_classes=3, random_state=1)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    pred = clf.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    assert clf.score(X, Y) > 0.5  # subset accuracy
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and not np.allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_fits_like_sklearn(regression, solver, loss):
    X, y = regression
    if loss == "poisson":
        y = np.random.default_rng(0).poisson(np.exp(X[:, :2] / 2))
    ours, theirs = _fit_both("regressor", X, y, loss=loss, hidden_layer_sizes=(16,),
                             max_iter=10, solver=solver, random_state=0,
                             learning_rate_init=0.003)
    _assert_same_model(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-9)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-6)


def test_the_same_coefs_after_one_epoch_from_the_same_weights(digits):
    X, y = digits
    for kw in ({"solver": "adam"}, {"solver": "sgd", "nesterovs_momentum": True},
               {"solver": "sgd", "nesterovs_momentum": False, "momentum": 0.5},
               {"solver": "sgd", "momentum": 0.0}):
        ours, theirs = _pair("classifier", hidden_layer_sizes=(20,), random_state=3,
                             learning_rate_init=0.05, **kw)
        ours.partial_fit(X, y, classes=np.arange(10))
        theirs.partial_fit(X, y, classes=np.arange(10))
        _assert_same_model(ours, theirs)


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_learning_rate_schedules_like_sklearn(digits, schedule):
    X, y = digits
    # tol is large so that the adaptive schedule divides its rate several times
    ours, theirs = _fit_both("classifier", X, y, solver="sgd", learning_rate=schedule,
                             learning_rate_init=0.2, power_t=0.3, hidden_layer_sizes=(12,),
                             tol=0.05, n_iter_no_change=2, max_iter=40, random_state=1)
    _assert_same_model(ours, theirs, rtol=1e-6)
    assert ours.n_iter_ < 40 or schedule == "adaptive"


def test_stopping_epoch_and_loss_curve_like_sklearn(digits):
    X, y = digits
    ours, theirs = _fit_both("classifier", X, y, hidden_layer_sizes=(16,), tol=1e-2,
                             n_iter_no_change=3, max_iter=200, random_state=5,
                             learning_rate_init=0.02)
    assert ours.n_iter_ < 200
    _assert_same_model(ours, theirs, rtol=1e-6)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-6)


def test_early_stopping_like_sklearn(digits):
    X, y = digits
    y = y >= 5  # scikit-learn 1.9 stratifies the split of binary targets
    kw = dict(hidden_layer_sizes=(16,), early_stopping=True, validation_fraction=0.2,
              n_iter_no_change=4, max_iter=200, random_state=2, learning_rate_init=0.02)
    ours, theirs = _fit_both("classifier", X, y, **kw)
    assert ours.n_iter_ < 200
    _assert_same_model(ours, theirs, rtol=1e-6)
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_)
    assert ours.best_validation_score_ == theirs.best_validation_score_
    assert ours.best_loss_ is None and theirs.best_loss_ is None
    # the weights are the best epoch's, not the last one's
    assert ours.validation_scores_[-1] <= ours.best_validation_score_
    Xr, yr = make_regression(200, 5, noise=1.0, random_state=0)
    ours, theirs = _fit_both("regressor", Xr / 3, yr / 50, **kw)
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_, rel=1e-6)


def test_early_stopping_split_is_stratified_for_several_classes(digits):
    X, y = digits
    y = y.copy()
    y[0] = 10  # a class with one member cannot be split in proportion
    clf = MLPClassifier(early_stopping=True, max_iter=3, random_state=0)
    with pytest.raises(ValueError, match="least populated class"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X[:40], y[1:41])


def test_warm_start_like_sklearn(digits):
    X, y = digits
    ours, theirs = _pair("classifier", hidden_layer_sizes=(10,), warm_start=True, max_iter=3,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (ours, theirs):
            est.fit(X, y)
            est.fit(X[::-1], y[::-1])
    _assert_same_model(ours, theirs, rtol=1e-6)
    assert len(ours.loss_curve_) == 6
    with pytest.raises(ValueError, match="warm_start can only be used"):
        ours.fit(X[y < 5], y[y < 5])


def test_partial_fit_like_sklearn(digits):
    X, y = digits
    ours, theirs = _pair("classifier", hidden_layer_sizes=(10,), random_state=0)
    for est in (ours, theirs):
        est.partial_fit(X[:300], y[:300], classes=np.arange(10))
        est.partial_fit(X[300:], y[300:])
    _assert_same_model(ours, theirs)
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="not in `self.classes_`"):
        ours.partial_fit(X[:3], [0, 1, 11])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        ours.partial_fit(X, y, classes=np.arange(11))
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, y, classes=np.arange(10))
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")


def test_sample_weight_like_sklearn(digits, regression):
    X, y = digits
    w = np.random.default_rng(0).uniform(0, 3, len(X))
    for solver in ("adam", "lbfgs"):
        ours, theirs = _fit_both("classifier", X, y, {"sample_weight": w}, solver=solver,
                                 hidden_layer_sizes=(10,), max_iter=8, random_state=0)
        _assert_same_model(ours, theirs, rtol=1e-6)
    Xr, yr = regression
    ours, theirs = _fit_both("regressor", Xr, yr, {"sample_weight": w[:300]},
                             hidden_layer_sizes=(10,), max_iter=8, random_state=0)
    _assert_same_model(ours, theirs, rtol=1e-6)


def test_integer_sample_weights_are_repeated_rows(digits):
    X, y = digits
    X, y = X[:200], y[:200]
    w = np.random.default_rng(1).integers(0, 3, len(X))
    rows = np.repeat(np.arange(len(X)), w)
    kw = dict(solver="lbfgs", hidden_layer_sizes=(6,), max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = MLPClassifier(**kw).fit(X, y, sample_weight=w)
        repeated = MLPClassifier(**kw).fit(X[rows], y[rows])
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-6)
    for a, b in zip(weighted.coefs_, repeated.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_fits_like_dense(digits, fmt):
    X, y = digits
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    for kw in ({"solver": "adam"}, {"solver": "lbfgs"}, {"early_stopping": True}):
        dense = MLPClassifier(hidden_layer_sizes=(8,), max_iter=4, random_state=0, **kw)
        sparse = MLPClassifier(hidden_layer_sizes=(8,), max_iter=4, random_state=0, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            dense.fit(X, y)
            sparse.fit(Xs, y)
        np.testing.assert_allclose(sparse.loss_, dense.loss_, rtol=1e-10)
        np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(X),
                                   rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_as_sklearn_keeps_it(digits, regression, dtype):
    X, y = digits
    ours, theirs = _fit_both("classifier", X.astype(dtype), y, hidden_layer_sizes=(8,),
                             max_iter=3, random_state=0)
    assert ours.coefs_[0].dtype == theirs.coefs_[0].dtype == dtype
    assert ours.predict_proba(X.astype(dtype)).dtype == dtype
    rtol = 1e-4 if dtype == np.float32 else 1e-7
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol * 10, atol=rtol / 10)
    Xr, yr = regression
    ours, theirs = _fit_both("regressor", Xr.astype(dtype), yr, hidden_layer_sizes=(8,),
                             max_iter=3, random_state=0)
    assert ours.coefs_[0].dtype == theirs.coefs_[0].dtype == dtype
    # lbfgs works in float64 whatever the input, as scikit-learn's does
    ours, theirs = _fit_both("classifier", X.astype(dtype), y, solver="lbfgs", max_iter=3,
                             hidden_layer_sizes=(8,), random_state=0)
    assert ours.coefs_[0].dtype == theirs.coefs_[0].dtype


def test_n_iter_no_change_inf_runs_every_epoch_and_warns(digits):
    X, y = digits
    ours, theirs = _pair("classifier", hidden_layer_sizes=(8,), max_iter=6, tol=1e3,
                         n_iter_no_change=np.inf, random_state=0)
    with pytest.warns(ConvergenceWarning) as ours_warnings:
        ours.fit(X, y)
    with pytest.warns(ConvergenceWarning) as theirs_warnings:
        theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 6
    assert str(ours_warnings[0].message) == str(theirs_warnings[0].message)


@pytest.mark.parametrize("kw", [
    {"solver": "adam"},
    {"solver": "adam", "early_stopping": True},
    {"solver": "sgd", "learning_rate": "adaptive", "tol": 0.1, "n_iter_no_change": 1},
])
def test_verbose_prints_what_sklearn_prints(digits, capsys, kw):
    X, y = digits
    y = y >= 5  # (the split of several classes is stratified here, not in scikit-learn 1.9)
    outputs = []
    for est in _pair("classifier", hidden_layer_sizes=(8,), max_iter=6, random_state=0,
                     verbose=True, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "Iteration 1, loss = " in outputs[0]


def test_lbfgs_stops_at_max_fun_with_a_convergence_warning(digits):
    X, y = digits
    clf = MLPClassifier(solver="lbfgs", max_fun=5, max_iter=100, random_state=0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf.fit(X, y)
    assert clf.n_iter_ <= 5 and not hasattr(clf, "loss_curve_")
    reg = MLPRegressor(solver="lbfgs", max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        reg.fit(X, y.astype(float))
    assert reg.n_iter_ == 3


def test_pickling_keeps_predictions_and_training_state(digits):
    X, y = digits
    for est in (MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=42),
                MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=42)):
        target = y if isinstance(est, MLPClassifier) else y / 10
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, target)
        copy = pickle.loads(pickle.dumps(est))
        np.testing.assert_array_equal(copy.predict(X), est.predict(X))
        est.partial_fit(X, target)
        copy.partial_fit(X, target)  # the optimizer state came along
        np.testing.assert_array_equal(copy.coefs_[0], est.coefs_[0])
        assert copy.coefs_[0] is copy.network_.weights[0]


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("params", "name"), [
    ({"alpha": -1.0}, "alpha"),
    ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": "wide"}, "hidden_layer_sizes"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": "big"}, "batch_size"),
    ({"activation": "sigmoid"}, "activation"),
    ({"solver": "newton"}, "solver"),
    ({"learning_rate": "cosine"}, "learning_rate"),
    ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ({"max_iter": 0}, "max_iter"),
    ({"momentum": 1.5}, "momentum"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"beta_2": 1.0}, "beta_2"),
    ({"epsilon": 0.0}, "epsilon"),
    ({"verbose": -1}, "verbose"),
    ({"random_state": -3}, "random_state"),
    ({"max_fun": 0}, "max_fun"),
])
def test_bad_parameters_raise_what_sklearn_raises(params, name):
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError) as theirs:  # InvalidParameterError, but for a width of 0
        sk.MLPClassifier(**params).fit(X, y)
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter") as ours:
        MLPClassifier(**params).fit(X, y)
    assert isinstance(ours.value, ParamError) and ours.value.param == name
    assert isinstance(ours.value, type(theirs.value))
    assert re.search(r"must be .* Got .* instead\.", str(ours.value))


def test_regressor_loss_parameter():
    X, y = np.ones((4, 2)), np.arange(4.0)
    with pytest.raises(InvalidParameterError, match="'loss' parameter of MLPRegressor"):
        MLPRegressor(loss="absolute_error").fit(X, y)
    with pytest.raises(ValueError, match="negative"):
        MLPRegressor("poisson").fit(X, y - 2)
    assert MLPRegressor("poisson", (3,), "tanh").get_params()["hidden_layer_sizes"] == (3,)


def test_constructor_matches_sklearn_signature():
    for ours, theirs in ((MLPClassifier(), sk.MLPClassifier()),
                         (MLPRegressor(), sk.MLPRegressor())):
        assert ours.get_params() == theirs.get_params()
        assert set(type(ours)._parameter_constraints) == set(ours.get_params())


@pytest.mark.parametrize("where", ["X", "y", "sample_weight"])
def test_non_finite_input_is_refused_before_training(digits, where):
    X, y = digits
    X, y, w = X.copy(), y.astype(float), np.ones(len(y))
    {"X": X, "y": y, "sample_weight": w}[where][3] = np.nan
    for est in (MLPRegressor(max_iter=2), sk.MLPRegressor(max_iter=2)):
        with pytest.raises(ValueError, match="NaN"):
            est.fit(X, y, sample_weight=w)
        assert not hasattr(est, "coefs_")


def test_a_diverging_fit_stops_with_a_clear_error(regression):
    X, y = regression
    reg = MLPRegressor(solver="sgd", learning_rate_init=50.0, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="diverged"), np.errstate(all="ignore"):
        reg.fit(X * 100, y * 1e6)
    assert reg.n_iter_ < 50  # it stopped at the first non-finite epoch


def test_mostly_zero_float32_input_fits_like_sklearn():
    # MNIST-like pixels (most are 0): the fused backend keeps them as SparseRows
    X, y = load_digits(return_X_y=True)
    X = np.where(X > 8, X / 16, 0).astype(np.float32)[:500]
    assert np.count_nonzero(X) < 0.3 * X.size
    ours, theirs = _fit_both("classifier", X, y[:500], hidden_layer_sizes=(32,), max_iter=5,
                             random_state=0)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-4)
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


def test_ctrl_c_ends_the_fit_early_and_keeps_the_model(digits, monkeypatch):
    from neuralab.nn.network import Network

    X, y = digits
    steps = {"n": 0}
    real_step = Network.train_step

    def interrupted(self, *args, **kwargs):
        steps["n"] += 1
        if steps["n"] == 7:  # during the third epoch (3 batches per epoch)
            raise KeyboardInterrupt
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(Network, "train_step", interrupted)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.fit(X, y)
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2
    assert clf.predict(X).shape == y.shape


def test_early_stopping_with_sample_weight_like_sklearn(digits):
    X, y = digits
    y = y >= 5
    w = np.random.default_rng(3).uniform(0.5, 2, len(X))
    ours, theirs = _fit_both("classifier", X, y, {"sample_weight": w}, early_stopping=True,
                             hidden_layer_sizes=(12,), max_iter=30, random_state=4,
                             learning_rate_init=0.01)
    _assert_same_model(ours, theirs, rtol=1e-6)
    assert ours.validation_scores_ == pytest.approx(theirs.validation_scores_)


@pytest.mark.parametrize(("hidden", "dense_input", "blas_during_fit"), [
    ((16, 16), False, 1),  # small products: BLAS keeps to one thread
    ((1024,), True, 2),    # 200 x 784 x 1024 multiply-adds: both threads
])
def test_blas_keeps_to_one_thread_only_for_small_products(monkeypatch, hidden, dense_input,
                                                         blas_during_fit):
    from threadpoolctl import threadpool_limits

    from neuralab import blas
    from neuralab.nn.network import Network, SparseRows

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: nothing to limit")
    rng = np.random.default_rng(0)
    X = rng.random((400, 784)).astype(np.float32)
    if not dense_input:
        X[X < 0.85] = 0  # mostly zeros, like MNIST: the first layer goes sparse
    y = rng.integers(0, 3, 400)
    seen: list[tuple[int, int | None]] = []
    real = Network.train_step

    def spy(self, xb, *args, **kwargs):
        split = xb.threads if isinstance(xb, SparseRows) else None
        seen.append((blas.threads(), split))
        return real(self, xb, *args, **kwargs)

    monkeypatch.setattr(Network, "train_step", spy)
    with threadpool_limits(2, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(hidden_layer_sizes=hidden, max_iter=1, random_state=0).fit(X, y)
    assert {threads for threads, _ in seen} == {blas_during_fit}
    if not dense_input:  # the sparse products still split over both cores
        assert {split for _, split in seen} == {2}
