"""MLPClassifier: scikit-learn's estimator checks, agreement with scikit-learn, parameters."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuralab.nn import MLPClassifier
from neuralab.params import ParamError


@parametrize_with_checks([MLPClassifier()])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return X[:1200], y[:1200], X[1200:], y[1200:]


def test_similar_accuracy_to_sklearn_on_digits(digits):
    X, y, Xt, yt = digits
    kw = dict(hidden_layer_sizes=(64,), max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(X, y)
        theirs = SkMLP(**kw).fit(X, y)
    ours_acc, theirs_acc = ours.score(Xt, yt), theirs.score(Xt, yt)
    assert ours_acc > 0.9
    assert abs(ours_acc - theirs_acc) < 0.03
    assert ours.n_iter_ == len(ours.loss_curve_) <= 60
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert ours.n_layers_ == theirs.n_layers_ == 3
    assert ours.n_features_in_ == 64


def test_predict_proba_rows_sum_to_one(digits):
    X, y, Xt, _ = digits
    clf = MLPClassifier(hidden_layer_sizes=(16, 16), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    proba = clf.predict_proba(Xt)
    assert proba.shape == (len(Xt), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[proba.argmax(axis=1)])


def test_partial_fit(digits):
    X, y, Xt, yt = digits
    clf = MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:600], y[:600], classes=np.arange(10))
    for _ in range(9):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 10 and len(clf.loss_curve_) == 10
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.score(Xt, yt) > 0.85
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :10], y)
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X[:3], [0, 1, 11])


def test_fit_is_reproducible_and_pickles(digits):
    X, y, Xt, _ = digits
    kw = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b = MLPClassifier(**kw).fit(X, y), MLPClassifier(**kw).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict_proba(Xt), b.predict_proba(Xt))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict_proba(Xt), c.predict_proba(Xt))
    c.partial_fit(X, y)  # still trains, and coefs_ still show the live weights
    assert c.coefs_[0] is c.network_.weights[0]
    assert not np.array_equal(c.coefs_[0], a.coefs_[0])


def test_string_labels_and_logistic_alias():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation="logistic", learning_rate_init=0.05,
                        max_iter=20, tol=0.0, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.score(X, y) > 0.9
    assert clf.network_.activation == "sigmoid"


@pytest.mark.parametrize(("params", "name"), [
    ({"alpha": -1.0}, "alpha"),
    ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes\[1\]"),
    ({"hidden_layer_sizes": "wide"}, "hidden_layer_sizes"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": "big"}, "batch_size"),
    ({"activation": "softplus"}, "activation"),
    ({"solver": "lbfgs"}, "solver"),
    ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ({"max_iter": 0}, "max_iter"),
    ({"momentum": 1.5}, "momentum"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
])
def test_bad_parameters_name_themselves(params, name):
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=name) as info:
        MLPClassifier(**params).fit(X, y)
    assert isinstance(info.value, ParamError)
    assert "must be" in str(info.value)
