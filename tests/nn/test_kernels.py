"""The fused C loops (neuralab.nn._kernels) against the numpy reference code they replace."""

from __future__ import annotations

import os

import numpy as np
import pytest

from neuralab.nn import Adam, Network, evaluate, kernels, train

# With NEURALAB_KERNELS=0 the whole engine runs on numpy (the other tests cover that path), and
# the compiled module is deliberately not loaded; where no C compiler built the optional
# extension it is absent too. Either way there is nothing here to compare; test_kernels_built.py
# fails where the extension should be built and is not, so this skip never hides a lost build.
pytestmark = pytest.mark.skipif(
    os.environ.get("NEURALAB_KERNELS") == "0" or kernels.compiled is None,
    reason="fused loops switched off by NEURALAB_KERNELS=0, or not built (no C compiler)")
K = kernels.compiled


@pytest.fixture
def numpy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "ENABLED", False)


def _data(n: int = 300, d: int = 20, k: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, :k].argmax(axis=1) + (X[:, -1] > 1.5)) % k
    return X, y.astype(np.int64)


def _pair(*args: object, **kwargs: object) -> tuple[Network, Network]:
    """The same network twice: on the fused backend and on the numpy reference."""
    return (Network(*args, backend="fused", **kwargs),
            Network(*args, backend="numpy", **kwargs))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_one_step_matches_numpy(activation: str) -> None:
    X, y = _data()
    fused_net, numpy_net = _pair((20, 16, 12, 5), activation=activation, seed=1)
    fused = fused_net.loss_and_gradients(X, y, alpha=0.3)
    reference = numpy_net.loss_and_gradients(X, y, alpha=0.3)
    assert fused[0] == pytest.approx(reference[0], rel=1e-6)
    for got, want in zip(fused[1] + fused[2], reference[1] + reference[2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("output", ["identity", "logistic", "exp"])
@pytest.mark.parametrize("weighted", [False, True])
def test_other_outputs_and_sample_weights_match_numpy(output: str, weighted: bool) -> None:
    X, labels = _data()
    y = (np.eye(5)[labels] if output == "logistic" else
         np.abs(X[:, :5]) if output == "exp" else X[:, :5] * 2)
    weights = np.random.default_rng(1).uniform(0, 3, len(X)) if weighted else None
    fused_net, numpy_net = _pair((20, 16, 5), output=output, seed=3)
    fused = fused_net.loss_and_gradients(X, y, alpha=0.3, sample_weight=weights)
    reference = numpy_net.loss_and_gradients(X, y, alpha=0.3, sample_weight=weights)
    assert fused[0] == pytest.approx(reference[0], rel=1e-6)
    for got, want in zip(fused[1] + fused[2], reference[1] + reference[2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_weighted_softmax_matches_numpy() -> None:
    X, y = _data()
    weights = np.random.default_rng(2).uniform(0, 2, len(X))
    fused_net, numpy_net = _pair((20, 16, 5), seed=4)
    fused = fused_net.loss_and_gradients(X, y, alpha=0.1, sample_weight=weights)
    reference = numpy_net.loss_and_gradients(X, y, alpha=0.1, sample_weight=weights)
    assert fused[0] == pytest.approx(reference[0], rel=1e-6)
    for got, want in zip(fused[1] + fused[2], reference[1] + reference[2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_sparse_input_matches_dense_on_both_backends() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    X, y = _data()
    X[np.abs(X) < 1] = 0
    for net in _pair((20, 8, 5), seed=5):
        dense = net.loss_and_gradients(X, y, alpha=0.2)
        for fmt in (sparse.csr_matrix, sparse.csc_matrix):
            got = net.loss_and_gradients(fmt(X), y, alpha=0.2)
            assert got[0] == pytest.approx(dense[0], rel=1e-6)
            for a, b in zip(got[1] + got[2], dense[1] + dense[2], strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(net.forward(sparse.csr_matrix(X)), net.forward(X), rtol=1e-6)


def test_train_accuracy_counts_the_same_rows() -> None:
    X, y = _data(n=400)
    fused_net, numpy_net = _pair((20, 32, 5), seed=2)
    fused = fused_net.compute_gradients(X, y)
    assert numpy_net.compute_gradients(X, y).correct == fused.correct > 0


@pytest.mark.parametrize("epsilon_hat", [False, True])
def test_adam_is_bit_identical_to_the_numpy_update(epsilon_hat: bool) -> None:
    rng = np.random.default_rng(3)
    p0 = rng.normal(size=1001).astype(np.float32)
    fused = Adam([p0.copy()], 0.01, epsilon_hat=epsilon_hat, fused=True)
    reference = Adam([p0.copy()], 0.01, epsilon_hat=epsilon_hat, fused=False)
    assert fused.fused and not reference.fused
    for _ in range(5):
        g = rng.normal(size=1001).astype(np.float32)
        fused.step([g])
        reference.step([g])
    for a, b in [(fused.params, reference.params), (fused.m, reference.m),
                 (fused.v, reference.v)]:
        np.testing.assert_array_equal(a[0], b[0])


def test_l2_gradient_is_bit_identical_and_sums_squares() -> None:
    rng = np.random.default_rng(4)
    w = rng.normal(size=1037).astype(np.float32)  # not a multiple of the 16 lanes
    g = rng.normal(size=1037).astype(np.float32)
    want = g + w * np.float32(0.25)
    got = g.copy()
    squares = K.l2_gradient(got, w, 0.25, w.size)
    np.testing.assert_array_equal(got, want)
    assert squares == pytest.approx(float(np.dot(w.astype(np.float64), w)), rel=1e-6)


def test_softmax_xent_matches_the_numpy_loss() -> None:
    from neuralab.nn.losses import cross_entropy

    rng = np.random.default_rng(5)
    z = (rng.normal(size=(64, 7)) * 30).astype(np.float32)  # confident rows: large margins
    z[0] = 1e4  # a tie between every class, and a huge logit
    y = rng.integers(0, 7, 64)
    loss, grad = cross_entropy(z.copy(), y)
    work, sums = z.copy(), np.empty(7, np.float32)
    total, correct = K.softmax_xent(work, y, sums, 64, 7)
    assert np.isfinite(total)
    assert total / 64 == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(work, grad, atol=1e-7)
    np.testing.assert_allclose(sums, grad.sum(axis=0), atol=1e-6)
    assert correct == int(np.count_nonzero(z.argmax(axis=1) == y))


def test_training_matches_numpy_and_is_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _data(n=600)

    def run() -> tuple[Network, list[float]]:
        net = Network((20, 24, 24, 5), seed=0)
        history = train(net, X, y, max_epochs=4, batch_size=50, seed=7,
                        n_iter_no_change=None, X_val=X[:100], y_val=y[:100])
        return net, history.loss_curve + history.val_accuracy_curve

    (net_a, curve_a), (net_b, curve_b) = run(), run()
    np.testing.assert_array_equal(net_a.params, net_b.params)
    assert curve_a == curve_b
    monkeypatch.setattr(kernels, "ENABLED", False)
    net_np, curve_np = run()
    np.testing.assert_allclose(net_a.params, net_np.params, atol=1e-4)
    np.testing.assert_allclose(curve_a, curve_np, atol=1e-4)
    assert evaluate(net_np, X, y)[1] == pytest.approx(evaluate(net_a, X, y)[1], abs=0.01)


@pytest.mark.parametrize("fused", [True, False])
def test_labels_out_of_range_are_an_error(fused: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "ENABLED", fused)
    X, y = _data(n=40)
    y[3] = 5
    with pytest.raises(IndexError):
        Network((20, 8, 5)).loss_and_gradients(X, y)


def test_bad_buffers_are_refused_not_overrun() -> None:
    z = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="bytes"):
        K.bias_act(z, np.zeros(2, np.float32), 4, 3, True)  # bias too short
    with pytest.raises(ValueError, match="bytes"):
        K.adam(*(np.zeros(8, np.float32),) * 3, np.zeros(7, np.float32), .9, .9, .1, 1e-8, 8)
    for n, k in ((2**62, 1), (-1, -12), (4, -3)):  # overflowing or negative sizes
        with pytest.raises(ValueError, match="shape"):
            K.bias_act(z, np.zeros(3, np.float32), n, k, True)
    with pytest.raises(ValueError, match="contiguous"):
        K.relu_backward(np.zeros((3, 4), np.float32).T, z, np.zeros(3, np.float32), 4, 3)
    frozen = np.zeros(4, np.float32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        K.l2_gradient(frozen, np.zeros(4, np.float32), 1.0, 4)
    with pytest.raises(TypeError):
        K.l2_gradient(np.zeros(4, np.float32), [0.0] * 4, 1.0, 4)


def test_the_backend_is_chosen_once_per_network(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Network((3, 4, 2), dtype=np.float64).backend == "numpy"
    assert not kernels.fast(np.zeros(3))
    net = Network((3, 4, 2))
    assert net.backend == "fused" and net.make_optimizer("adam").fused
    with pytest.raises(ValueError, match="fused backend"):
        Network((3, 4, 2), dtype=np.float64, backend="fused")
    monkeypatch.setattr(kernels, "ENABLED", False)  # e.g. NEURALAB_KERNELS=0
    assert Network((3, 4, 2)).backend == "numpy"
    assert net.backend == "fused"  # made before: keeps its choice


def _mostly_zeros(n: int = 300, d: int = 40, seed: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    X[rng.random((n, d)) < 0.8] = 0
    X[3] = 0  # an empty row
    return X


# blocks of 64 and 32 columns, and the columns left one at a time
@pytest.mark.parametrize("k", [64, 5, 37, 32, 101])
def test_csr_products_match_the_dense_ones(k: int) -> None:
    from neuralab.nn.network import SparseRows

    X = _mostly_zeros()
    S = SparseRows.from_matrix(X, np.float32)
    rows = np.random.default_rng(7).permutation(len(X))[:97]
    batch = S.take(rows)
    np.testing.assert_array_equal(batch.dense(), X[rows])
    rng = np.random.default_rng(8)
    w = rng.normal(size=(X.shape[1], k)).astype(np.float32)
    out = np.empty((len(rows), k), np.float32)
    K.csr_matmul(batch.data, batch.indices, batch.indptr, batch.rows, w, out, *batch.shape, k)
    np.testing.assert_allclose(out, X[rows] @ w, rtol=1e-5, atol=1e-5)
    d = rng.normal(size=(len(rows), k)).astype(np.float32)
    g = np.full((X.shape[1], k), np.nan, np.float32)  # every entry must be written
    K.csr_t_matmul(batch.data, batch.indices, batch.indptr, batch.rows, d, g, *batch.shape, k)
    np.testing.assert_allclose(g, X[rows].T @ d, rtol=1e-5, atol=1e-5)


def test_csr_products_sum_each_entry_alike_in_any_column_block() -> None:
    """Column j is the same sum whether it falls in a 64- or a 32-column block (the last
    k % 32 columns are summed one at a time, in order: the same maths, other roundings)."""
    from neuralab.nn.network import SparseRows

    X = _mostly_zeros(d=60)
    batch = SparseRows.from_matrix(X, np.float32).take(np.arange(len(X)))
    rng = np.random.default_rng(9)
    w = rng.normal(size=(X.shape[1], 101)).astype(np.float32)
    d = rng.normal(size=(len(X), 101)).astype(np.float32)
    args = (batch.data, batch.indices, batch.indptr, batch.rows)

    def products(k: int) -> tuple[np.ndarray, np.ndarray]:
        out = np.empty((len(X), k), np.float32)
        g = np.empty((X.shape[1], k), np.float32)
        K.csr_matmul(*args, np.ascontiguousarray(w[:, :k]), out, *batch.shape, k)
        K.csr_t_matmul(*args, np.ascontiguousarray(d[:, :k]), g, *batch.shape, k)
        return out, g

    out, g = products(101)  # columns 0-63 in a 64-block, 64-95 in a 32-block, 96-100 alone
    small_out, small_g = products(32)  # the first 32 columns in a 32-block
    np.testing.assert_array_equal(out[:, :32], small_out)
    np.testing.assert_array_equal(g[:, :32], small_g)
    rest_out, rest_g = products(5)  # one at a time
    np.testing.assert_allclose(out[:, :5], rest_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(g[:, :5], rest_g, rtol=1e-5, atol=1e-5)


def test_csr_products_refuse_bad_indices() -> None:
    from neuralab.nn.network import SparseRows

    S = SparseRows.from_matrix(_mostly_zeros(n=10, d=6), np.float32)
    w, out = np.zeros((6, 4), np.float32), np.zeros((2, 4), np.float32)
    with pytest.raises(IndexError, match="out of range"):
        K.csr_matmul(S.data, S.indices, S.indptr, np.array([0, 10]), w, out, 2, 6, 4)
    for wrong in (6, -1, 2**31 - 1):  # past the end, negative, far past it
        bad = S.indices.copy()
        bad[0] = wrong
        with pytest.raises(IndexError, match="out of range"):
            K.csr_t_matmul(S.data, bad, S.indptr, np.array([0, 1]), out, w, 2, 6, 4)
        with pytest.raises(IndexError, match="out of range"):
            K.csr_matmul(S.data, bad, S.indptr, np.array([1, 0]), w, out, 2, 6, 4)
    with pytest.raises(ValueError, match="bytes"):
        K.csr_matmul(S.data, S.indices[:-1], S.indptr, np.array([0, 1]), w, out, 2, 6, 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])  # C counts, or numpy counts
def test_sparse_rows_refuse_dense_arrays_from_the_count(dtype) -> None:
    from neuralab.nn.network import SparseRows

    X = np.zeros((10, 10), dtype)
    X[:3] = 1.0  # 30 of 100 entries
    assert SparseRows.from_matrix(X, dtype, max_density=0.3) is None
    rows = SparseRows.from_matrix(X, dtype, max_density=0.31)
    assert rows is not None and rows.density() == 0.3
    np.testing.assert_array_equal(rows.dense(), X)


def test_sparse_rows_train_like_the_dense_reference() -> None:
    from neuralab.nn.network import SparseRows

    X = _mostly_zeros()
    y = (X[:, :5].argmax(axis=1)).astype(np.int64)
    fused_net, numpy_net = _pair((40, 16, 5), seed=9)
    fused_input = fused_net.training_input(X)
    assert isinstance(fused_input, SparseRows) and fused_input.density() < 0.3
    assert isinstance(numpy_net.training_input(X), np.ndarray)  # numpy keeps it dense
    assert isinstance(fused_net.training_input(np.ones((4, 40))), np.ndarray)  # dense data
    rows = np.arange(0, 300, 3)
    fused = fused_net.loss_and_gradients(fused_input[rows], y[rows], alpha=0.2)
    reference = numpy_net.loss_and_gradients(X[rows], y[rows], alpha=0.2)
    assert fused[0] == pytest.approx(reference[0], rel=1e-5)
    for got, want in zip(fused[1] + fused[2], reference[1] + reference[2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fused_net.forward(fused_input[rows]), fused_net.forward(X[rows]),
                               rtol=1e-5, atol=1e-7)
    # the numpy backend takes SparseRows too, through their dense form
    assert numpy_net.evaluate(fused_input, y)[0] == pytest.approx(
        numpy_net.evaluate(X, y)[0], rel=1e-6)


def test_sparse_rows_from_scipy_matrices() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    from neuralab.nn.network import SparseRows

    X = _mostly_zeros(n=50, d=12)
    for matrix in (sparse.csr_matrix(X), sparse.csc_matrix(X)):
        np.testing.assert_array_equal(SparseRows.from_matrix(matrix, np.float32).dense(), X)
    assert isinstance(Network((12, 4, 2)).training_input(sparse.csr_matrix(X)), SparseRows)


def test_csr_fill_matches_the_numpy_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    from neuralab.nn.network import SparseRows

    X = _mostly_zeros(n=80, d=30)
    X[5, 7] = -0.0  # a negative zero is a zero
    fused = SparseRows.from_matrix(X, np.float32)
    monkeypatch.setattr(kernels, "ENABLED", False)
    reference = SparseRows.from_matrix(X, np.float32)
    for a, b in ((fused.data, reference.data), (fused.indices, reference.indices),
                 (fused.indptr, reference.indptr)):
        np.testing.assert_array_equal(a, b)
    for change in (3, -1):  # a row's count, and the total
        wrong = fused.indptr.copy()
        wrong[change] += 1
        with pytest.raises(ValueError, match="indptr does not match"):
            K.csr_fill(X, wrong, np.empty(wrong[-1] + 1, np.float32),
                       np.empty(wrong[-1] + 1, np.int32), *X.shape)
    with pytest.raises(ValueError, match="spare|indptr"):
        K.csr_fill(X, fused.indptr, np.empty(len(fused.data), np.float32),
                   np.empty(len(fused.data), np.int32), *X.shape)


@pytest.mark.parametrize("k", [64, 37])
def test_csr_products_are_bit_identical_on_any_number_of_threads(k: int) -> None:
    from neuralab.nn.network import SparseRows

    rng = np.random.default_rng(11)
    X = rng.normal(size=(1600, 300)).astype(np.float32)
    X[rng.random(X.shape) < 0.7] = 0  # ~135,000 picked nonzeros: both products split
    X[:, 5] = 0  # an empty column, and empty rows, at a part's edge or not
    X[10:20] = 0
    batch = SparseRows.from_matrix(X, np.float32).take(rng.permutation(len(X))[:1500])
    w = rng.normal(size=(X.shape[1], k)).astype(np.float32)
    d = rng.normal(size=(len(batch.rows), k)).astype(np.float32)
    outs, grads = [], []
    for threads in (1, 2, 3, 4, 7, 64, 1000):
        out = np.full((len(batch.rows), k), np.nan, np.float32)  # every entry must be written
        g = np.full((X.shape[1], k), np.nan, np.float32)
        args = (batch.data, batch.indices, batch.indptr, batch.rows)
        K.csr_matmul(*args, w, out, *batch.shape, k, threads)
        K.csr_t_matmul(*args, d, g, *batch.shape, k, threads)
        outs.append(out)
        grads.append(g)
    # float32 sums of ~90 (a row) and ~450 (a column) products: rounding reaches ~2e-5
    np.testing.assert_allclose(outs[0], batch.dense() @ w, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(grads[0], batch.dense().T @ d, rtol=1e-4, atol=1e-4)
    for out, g in zip(outs[1:], grads[1:], strict=True):
        np.testing.assert_array_equal(out, outs[0])
        np.testing.assert_array_equal(g, grads[0])
    with pytest.raises(ValueError, match="threads"):
        K.csr_matmul(*args, w, outs[0], *batch.shape, k, 0)


def test_training_on_two_threads_gives_the_same_weights() -> None:
    from neuralab.blas import limited

    X = _mostly_zeros(n=2000, d=120, seed=12)
    y = (X[:, :4].argmax(axis=1)).astype(np.int64)
    weights = []
    for threads in (1, 2, 4):
        net = Network((120, 32, 4), backend="fused", seed=3)
        with limited(1):  # the BLAS's own rounding stays the same; only the C loops split
            inputs = net.training_input(X)
            inputs.threads = threads
            train(net, inputs, y, batch_size=1000, max_epochs=3, n_iter_no_change=None)
        weights.append(net.params.copy())
    for other in weights[1:]:
        np.testing.assert_array_equal(other, weights[0])


def test_training_input_takes_the_blas_thread_limit() -> None:
    from neuralab.blas import limited

    net = Network((40, 8, 5), backend="fused")
    X = _mostly_zeros()
    with limited(1):
        assert net.training_input(X).threads == 1
    with limited(2):
        assert net.training_input(X).threads == min(2, os.cpu_count() or 1)
        assert net.training_input(X).take(np.arange(5)).threads == min(2, os.cpu_count() or 1)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):  # a limit set with threadpoolctl directly
        assert net.training_input(X).threads == 1
    assert net.training_input(np.ones((4, 40))).__class__ is np.ndarray  # dense: no threads
