"""Network API and the training loop: seeds, callbacks, schedules, stopping."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from neuralab.nn import EpochStats, Network, evaluate, train


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3, size=(3, 10))
    y = rng.integers(0, 3, 600)
    X = (centres[y] + rng.normal(size=(600, 10))).astype(np.float32)
    return X[:450], y[:450], X[450:], y[450:]


def test_init_like_sklearn():
    net = Network((300, 100, 10), activation="relu", seed=0)
    bound = np.sqrt(6 / 400)
    assert net.weights[0].shape == (300, 100) and net.biases[0].shape == (100,)
    assert np.abs(net.weights[0]).max() <= bound
    assert np.abs(net.weights[0]).max() > 0.95 * bound
    sig = Network((300, 100, 10), activation="sigmoid", seed=0)
    assert np.abs(sig.weights[0]).max() <= np.sqrt(2 / 400)
    assert net.weights[0].dtype == np.float32


def test_forward_and_activations(blobs):
    X = blobs[0][:5]
    net = Network((10, 7, 4, 3), activation="tanh")
    acts = net.activations(X)
    assert [a.shape for a in acts] == [(5, 10), (5, 7), (5, 4), (5, 3)]
    np.testing.assert_array_equal(acts[0], X)
    np.testing.assert_allclose(acts[-1].sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(net.forward(X), acts[-1])
    manual = np.tanh(X @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(acts[1], manual, rtol=1e-5)
    assert all(a.dtype == np.float32 for a in acts)


def test_float32_stays_float32(blobs):
    X, y = blobs[0][:20], blobs[1][:20]
    net = Network((10, 8, 3))
    _, gw, gb = net.loss_and_gradients(X.astype(np.float64), y, alpha=0.1)
    assert all(g.dtype == np.float32 for g in gw + gb)
    assert net.params.dtype == np.float32


def test_set_weights(blobs):
    net = Network((10, 8, 3))
    new_w = [np.ones((10, 8)), np.zeros((8, 3))]
    new_b = [np.zeros(8), np.arange(3.0)]
    net.set_weights(new_w, new_b)
    np.testing.assert_array_equal(net.weights[0], 1)
    np.testing.assert_array_equal(net.biases[1], [0, 1, 2])
    assert net.weights[0].base is net.params  # still views into the flat array
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(8, 3\)"):
        net.set_weights([np.ones((10, 8)), np.ones((3, 8))], new_b)
    with pytest.raises(ValueError, match=r"biases\[0\]"):
        net.set_weights(new_w, [np.zeros(9), np.zeros(3)])
    with pytest.raises(ValueError, match="expected 2"):
        net.set_weights(new_w[:1], new_b[:1])
    np.testing.assert_array_equal(net.weights[0], 1)  # a rejected call changes nothing


def test_bad_network_arguments():
    with pytest.raises(ValueError, match="layer_sizes"):
        Network((10,))
    with pytest.raises(ValueError, match="activation"):
        Network((2, 2), activation="swish")
    with pytest.raises(ValueError, match="output"):
        Network((2, 2), output="sigmoid")
    with pytest.raises(ValueError, match="shape"):
        Network((3, 2)).forward(np.zeros((4, 5)))


def test_step_takes_one_step(blobs):
    X, y = blobs[0][:32], blobs[1][:32]
    net = Network((10, 8, 3))
    opt = net.make_optimizer("sgd", 0.1, momentum=0.0)
    loss, gw, _ = net.loss_and_gradients(X, y)
    before = net.weights[0].copy()
    assert net.step(X, y, opt) == pytest.approx(loss)
    np.testing.assert_allclose(net.weights[0], before - 0.1 * gw[0], rtol=1e-5, atol=1e-7)
    assert net.loss_and_gradients(X, y)[0] < loss
    # an optimizer on weights + biases (not the flat array) works too
    opt2 = net.make_optimizer("adam")
    opt3 = type(opt2)(net.weights + net.biases)
    net.step(X, y, opt3)
    with pytest.raises(ValueError, match="optimizer"):
        net.step(X, y, type(opt2)([np.zeros(3)]))


def test_train_learns_with_validation(blobs):
    X, y, Xv, yv = blobs
    net = Network((10, 16, 3), seed=1)
    seen: list[EpochStats] = []
    h = train(net, X, y, learning_rate=0.01, batch_size=64, max_epochs=15, X_val=Xv, y_val=yv,
              callback=seen.append)
    assert h.n_epochs == len(seen) == len(h.loss_curve) == len(h.val_accuracy_curve)
    assert [s.epoch for s in seen] == list(range(1, h.n_epochs + 1))
    assert h.val_accuracy_curve[-1] > 0.95
    assert seen[-1].train_accuracy > 0.9 and seen[-1].val_loss < seen[0].val_loss
    assert all(0 < s.seconds < 60 for s in seen)  # each epoch's own time, measured
    loss, acc = evaluate(net, Xv, yv)
    assert acc == h.val_accuracy_curve[-1] and loss == pytest.approx(h.val_loss_curve[-1])


def test_no_validation_gives_none(blobs):
    X, y = blobs[0], blobs[1]
    seen: list[EpochStats] = []
    train(Network((10, 4, 3)), X, y, max_epochs=2, callback=seen.append)
    assert seen[0].val_loss is None and seen[0].val_accuracy is None


def test_same_seed_is_bit_identical(blobs):
    X, y = blobs[0], blobs[1]
    runs = []
    for _ in range(2):
        net = Network((10, 12, 12, 3), seed=5)
        h = train(net, X, y, batch_size=50, max_epochs=4, seed=9)
        runs.append((net.params.copy(), h.loss_curve))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    other = Network((10, 12, 12, 3), seed=5)
    train(other, X, y, batch_size=50, max_epochs=4, seed=10)
    assert not np.array_equal(other.params, runs[0][0])


def test_callback_stops_training(blobs):
    X, y = blobs[0], blobs[1]
    h = train(Network((10, 4, 3)), X, y, max_epochs=50, callback=lambda s: s.epoch == 3)
    assert h.n_epochs == 3 and h.stopped_by_callback and not h.converged


def test_early_stopping_like_sklearn(blobs):
    X, y = blobs[0], blobs[1]
    # a huge tol means no epoch after the first counts as progress: stop once more than
    # n_iter_no_change epochs in a row made none
    h = train(Network((10, 4, 3)), X, y, max_epochs=50, tol=1e3, n_iter_no_change=2)
    assert h.converged and h.n_epochs == 4
    h = train(Network((10, 4, 3)), X, y, max_epochs=5, tol=1e3, n_iter_no_change=None)
    assert not h.converged and h.n_epochs == 5


def test_learning_rate_schedule(blobs):
    X, y = blobs[0], blobs[1]
    net = Network((10, 8, 3))
    frozen = {}

    def remember(stats: EpochStats) -> None:
        frozen[stats.epoch] = net.params.copy()

    h = train(net, X, y, learning_rate=lambda epoch: 0.01 if epoch < 2 else 0.0,
              max_epochs=4, n_iter_no_change=None, callback=remember)
    assert [s.learning_rate for s in h.epochs] == [0.01, 0.01, 0.0, 0.0]
    assert not np.array_equal(frozen[1], frozen[2])
    np.testing.assert_array_equal(frozen[2], frozen[4])  # a zero rate changes nothing


def test_identity_output_regression():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(300, 2))
    y = X[:, 0] * 2 - X[:, 1]
    net = Network((2, 16, 1), activation="tanh", output="identity")
    h = train(net, X, y, learning_rate=0.01, batch_size=30, max_epochs=60, alpha=0.0)
    assert h.loss_curve[-1] < 0.01 * h.loss_curve[0]
    assert h.train_accuracy_curve == [] and h.epochs[0].train_accuracy is None


def test_train_validates_inputs(blobs):
    net = Network((10, 4, 3))
    with pytest.raises(ValueError, match="same"):
        train(net, blobs[0], blobs[1][:10])
    with pytest.raises(ValueError, match="batch_size"):
        train(net, blobs[0], blobs[1], batch_size=0)
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(all="ignore"):
        train(Network((10, 4, 1), output="identity"), blobs[0] * 1e3, blobs[1] * 1e3,
              solver="sgd", learning_rate=10.0, max_epochs=5)


def test_import_is_cheap():
    code = ("import sys, neuralab.nn; "
            "print(any(m.split('.')[0] in ('sklearn', 'scipy', 'torch') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_blas_threads_gives_the_same_numbers(blobs):
    pytest.importorskip("threadpoolctl")
    X, y = blobs[0], blobs[1]
    a, b = Network((10, 8, 3)), Network((10, 8, 3))
    train(a, X, y, max_epochs=2)
    train(b, X, y, max_epochs=2, blas_threads=1)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-5, atol=1e-6)


def test_blas_limits_nest_and_restore():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from neuralab.blas import limited, single_threaded

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]

    before = blas_threads()
    with limited(2):
        assert all(t <= 2 for t in blas_threads())
        with single_threaded():
            assert all(t == 1 for t in blas_threads())
        assert all(t <= 2 for t in blas_threads())
    assert blas_threads() == before
    with pytest.raises(ValueError, match="threads"), limited(0):
        pass


def test_training_uses_only_the_networks_public_api():
    import inspect
    import re

    from neuralab.nn import training

    assert not re.findall(r"network\._\w+", inspect.getsource(training))
