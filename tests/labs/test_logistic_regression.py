"""Our logistic regression minimises scikit-learn's objective and reaches its model."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from neuralab.data import load_digits
from neuralab.labs.logistic import fit_logistic_regression, lbfgs


@pytest.fixture(scope="module")
def digits():
    images, labels = load_digits()
    X = images.reshape(len(images), -1).astype(np.float32) / 16.0
    return X[:1200], labels[:1200], X[1200:], labels[1200:]


def test_agrees_with_scikit_learn(digits):
    X, y, Xv, yv = digits
    ours = fit_logistic_regression(X, y, max_iter=500, tol=1e-5)
    sk = LogisticRegression(max_iter=2000, tol=1e-8).fit(X.astype(np.float64), y)
    np.testing.assert_allclose(ours.coef, sk.coef_.T, atol=2e-2)
    np.testing.assert_allclose(ours.intercept - ours.intercept.mean(),
                               sk.intercept_ - sk.intercept_.mean(), atol=5e-2)
    agree = np.mean(ours.predict(Xv) == sk.predict(Xv))
    assert agree > 0.99
    assert ours.predict_proba(Xv).sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_all_zero_features_get_zero_weight(digits):
    X, y, _, _ = digits
    X = X.copy()
    X[:, 5] = 0.0
    model = fit_logistic_regression(X, y, max_iter=50)
    assert np.all(model.coef[5] == 0.0) and model.coef.shape == (64, 10)


def test_should_stop_ends_early(digits):
    X, y, _, _ = digits
    calls = iter(range(1000))
    model = fit_logistic_regression(X, y, max_iter=200, should_stop=lambda: next(calls) >= 3)
    assert model.n_iter <= 3


def test_lbfgs_minimises_a_quadratic():
    A = np.diag(np.arange(1.0, 11.0))
    b = np.ones(10)

    def fg(x):
        return float(0.5 * x @ A @ x - b @ x), A @ x - b

    x, n_iter = lbfgs(fg, np.zeros(10), max_iter=100, tol=1e-8)
    np.testing.assert_allclose(x, 1.0 / np.arange(1.0, 11.0), atol=1e-7)
    assert n_iter < 40


def test_rejects_bad_c(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="C must be"):
        fit_logistic_regression(X, y, C=0)
