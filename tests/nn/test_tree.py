"""neuralab's CART tree against scikit-learn's DecisionTreeClassifier, and its two paths."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from neuralab.data import load_mnist
from neuralab.nn import kernels
from neuralab.nn.tree import DecisionTree

LEVELS = (np.arange(256).astype(np.float32) * np.float32(1 / 255)).astype(np.float64)
PATHS = [False, pytest.param(True, marks=pytest.mark.skipif(
    kernels.compiled is None or not hasattr(kernels.compiled, "tree_grow"),
    reason="the C extension is not built"))]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def _subset(mnist, n: int, seed: int):
    rows = np.random.default_rng(seed).choice(len(mnist), n, replace=False)
    return mnist.pixels[rows], mnist.labels[rows], mnist.features(rows)


def _proxy(left: np.ndarray, right: np.ndarray) -> float:
    """scikit-learn's gini proxy of a split with these children's class counts."""
    nl, nr = float(left.sum()), float(right.sum())
    gl = 1.0 - float((left.astype(float) ** 2).sum()) / (nl * nl)
    gr = 1.0 - float((right.astype(float) ** 2).sum()) / (nr * nr)
    return -nr * gr - nl * gl


def _walk(ours, theirs) -> dict[str, int]:
    """Walk both trees from the root: equal class counts at every node they share, equal
    splits except where both splits score exactly the same (a tie that scikit-learn's
    random feature order breaks its own way; below it the trees may differ)."""
    a, b = ours.tree_, theirs.tree_
    b_counts = np.rint(b.value[:, 0] * b.weighted_n_node_samples[:, None]).astype(np.int64)
    seen = {"same": 0, "tie": 0}
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        np.testing.assert_array_equal(a.counts[i], b_counts[j])
        a_leaf, b_leaf = a.children_left[i] == -1, b.children_left[j] == -1
        assert a_leaf == b_leaf, f"node {i} (ours) vs {j}: one is a leaf"
        if a_leaf:
            seen["same"] += 1
        elif a.feature[i] == b.feature[j] and a.threshold[i] == b.threshold[j]:
            seen["same"] += 1
            stack += [(a.children_left[i], b.children_left[j]),
                      (a.children_right[i], b.children_right[j])]
        else:
            ours_score = _proxy(a.counts[a.children_left[i]], a.counts[a.children_right[i]])
            their_score = _proxy(b_counts[b.children_left[j]], b_counts[b.children_right[j]])
            assert ours_score == their_score, (
                f"node {i}: pixel {a.feature[i]} <= {a.threshold[i]} scores {ours_score}, "
                f"scikit-learn's pixel {b.feature[j]} <= {b.threshold[j]} {their_score}")
            seen["tie"] += 1
    return seen


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize(("depth", "seed"), [(1, 0), (3, 1), (6, 2), (12, 3), (20, 4)])
def test_same_splits_as_scikit_learn(mnist, compiled, depth, seed):
    n = 300 if compiled is False and depth > 6 else 1000
    codes, y, X = _subset(mnist, n, seed)
    ours = DecisionTree(depth, compiled=compiled).fit(codes, y, LEVELS)
    theirs = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X, y)
    seen = _walk(ours, theirs)
    assert seen["same"] > seen["tie"]
    if seen["tie"] == 0:  # no tie anywhere: the very same tree, node for node
        for name in ("children_left", "children_right", "feature", "threshold"):
            np.testing.assert_array_equal(getattr(ours.tree_, name),
                                          getattr(theirs.tree_, name))
    X_val, y_val = mnist.features(slice(-2000, None)), mnist.labels[-2000:]
    if seen["tie"] == 0:
        np.testing.assert_array_equal(ours.predict(X_val), theirs.predict(X_val))
    # Ties make scikit-learn's own accuracy depend on its random_state: ours lies within
    # 0.01 of the range its random states give.
    ours_acc = float(np.mean(ours.predict(X_val) == y_val))
    theirs_acc = [DecisionTreeClassifier(max_depth=depth, random_state=s).fit(X, y)
                  .score(X_val, y_val) for s in range(5)]
    assert min(theirs_acc) - 0.01 <= ours_acc <= max(theirs_acc) + 0.01


def test_shallow_trees_are_scikit_learns_exactly(mnist):
    codes, y, X = _subset(mnist, 1000, 7)
    for depth in (1, 2):
        ours = DecisionTree(depth).fit(codes, y, LEVELS)
        theirs = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
        np.testing.assert_array_equal(ours.tree_.feature, theirs.tree_.feature)
        np.testing.assert_array_equal(ours.tree_.threshold, theirs.tree_.threshold)
        np.testing.assert_allclose(ours.tree_.value, theirs.tree_.value, rtol=1e-12)
        np.testing.assert_allclose(ours.tree_.impurity, theirs.tree_.impurity, rtol=1e-12)
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.skipif(kernels.compiled is None or not hasattr(kernels.compiled, "tree_grow"),
                    reason="the C extension is not built")
@pytest.mark.parametrize("seed", [0, 1])
def test_compiled_loop_grows_the_numpy_tree(mnist, seed):
    codes, y, _ = _subset(mnist, 400, seed)
    a = DecisionTree(20, compiled=False).fit(codes, y, LEVELS).tree_
    b = DecisionTree(20, compiled=True).fit(codes, y, LEVELS).tree_
    for name in ("children_left", "children_right", "feature", "threshold", "counts",
                 "depth"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_a_cut_tree_is_the_tree_grown_that_deep(mnist):
    codes, y, X = _subset(mnist, 800, 5)
    deep = DecisionTree(20).fit(codes, y, LEVELS)
    assert deep.get_depth() > 8
    for depth in (1, 4, 8):
        shallow = DecisionTree(depth).fit(codes, y, LEVELS)
        np.testing.assert_array_equal(deep.predict(X, depth), shallow.predict(X))
        assert deep.nodes(depth) == shallow.tree_.node_count
        leaves = deep.apply(X, depth)
        assert np.all((deep.tree_.depth[leaves] == depth)
                      | (deep.tree_.children_left[leaves] == -1))
    # grown to its full depth every training image reaches a pure leaf or depth 20
    leaves = deep.apply(X)
    pure = (deep.tree_.counts[leaves] > 0).sum(axis=1) == 1
    assert np.all(pure | (deep.tree_.depth[leaves] == 20))


@pytest.mark.parametrize("compiled", PATHS)
def test_ties_constant_features_and_thresholds(compiled):
    # features 1 and 2 split the classes equally well: the lower index wins; feature 0
    # never varies; the threshold is the midpoint of the two levels around the split
    codes = np.array([[7, 10, 10], [7, 10, 10], [7, 30, 30], [7, 30, 30]], dtype=np.uint8)
    y = np.array([3, 3, 8, 8])
    tree = DecisionTree(5, compiled=compiled).fit(codes, y, LEVELS)
    t = tree.tree_
    assert t.node_count == 3 and t.feature[0] == 1
    assert t.threshold[0] == LEVELS[10] / 2 + LEVELS[30] / 2
    assert list(t.children_left) == [1, -1, -1] and list(t.children_right) == [2, -1, -1]
    np.testing.assert_array_equal(t.counts, [[2, 2], [2, 0], [0, 2]])
    np.testing.assert_array_equal(tree.classes_, [3, 8])
    np.testing.assert_array_equal(tree.predict(LEVELS[codes]), y)
    # nothing varies: a single leaf holding every class
    flat = DecisionTree(5, compiled=compiled).fit(np.full((4, 3), 9, np.uint8), y, LEVELS)
    assert flat.tree_.node_count == 1 and flat.get_depth() == 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="max_depth"):
        DecisionTree(0)
    with pytest.raises(ValueError, match="levels"):
        DecisionTree(3).fit(np.zeros((2, 2), np.uint8), [0, 1], np.zeros(256))
    with pytest.raises(ValueError, match="codes"):
        DecisionTree(3).fit(np.zeros((2, 2), np.uint8), [0], LEVELS)
