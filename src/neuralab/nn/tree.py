"""A CART decision tree for features with at most 256 levels (MNIST's grey pixels).

The comparison lab grows one tree and cuts it at the depth the learner asks for. This module
grows it without scikit-learn, and finds the splits scikit-learn's
``DecisionTreeClassifier(criterion="gini", splitter="best")`` finds:

* a node's best question is ``x[f] <= t`` over every feature ``f`` and every threshold ``t``
  between two levels present in the node, scored by scikit-learn's gini "proxy" (the same
  float64 arithmetic, so equal splits tie exactly as they do there);
* ties go to the lowest threshold within a feature and to the lowest feature index across
  features (scikit-learn visits features in a random order, so where two features split
  equally well, it may pick the other one; the trees then differ below that node);
* the threshold is the midpoint of the two levels, as scikit-learn computes it;
* a node stays a leaf at ``max_depth``, with fewer than two samples, when it is pure, or
  when no feature varies in it; nodes are numbered in scikit-learn's depth-first order.

Because each feature has at most 256 levels, a node's candidate splits come from a
histogram of (level, class) counts per feature instead of sorting its samples. The numpy
code here is the reference; the compiled loop ``tree_grow`` in ``_kernels.c`` does the same
arithmetic, node for node, and is used when it is built (tests compare the two).

A fitted :class:`DecisionTree` exposes what scikit-learn's ``tree_`` does
(``children_left``, ``children_right``, ``feature``, ``threshold``, ``value``,
``n_node_samples``, ``impurity``, ``node_count``) plus integer class ``counts``, and
predicts with the tree cut at any depth: a node keeps its class counts, so the node where
a row stops is the leaf of the tree grown with that ``max_depth``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DecisionTree", "TreeArrays"]

EPSILON = float(np.finfo(np.float64).eps)  # scikit-learn's "pure node" tolerance
LEAF = -1


@dataclass(frozen=True)
class TreeArrays:
    """A grown tree's nodes, in the layout of scikit-learn's ``tree_``."""

    children_left: np.ndarray  # (nodes,) int64, -1 for a leaf
    children_right: np.ndarray
    feature: np.ndarray  # (nodes,) int64, -2 for a leaf (as scikit-learn)
    threshold: np.ndarray  # (nodes,) float64, -2.0 for a leaf
    counts: np.ndarray  # (nodes, classes) int64 training samples of each class
    depth: np.ndarray  # (nodes,) int64 depth of each node (root 0)

    @property
    def node_count(self) -> int:
        return len(self.feature)

    @property
    def n_node_samples(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    @property
    def weighted_n_node_samples(self) -> np.ndarray:
        return self.n_node_samples.astype(np.float64)

    @property
    def value(self) -> np.ndarray:
        """(nodes, 1, classes) class fractions, as scikit-learn >= 1.4 keeps them."""
        n = self.n_node_samples[:, None].astype(np.float64)
        return (self.counts / n)[:, None, :]

    @property
    def impurity(self) -> np.ndarray:
        n = self.n_node_samples.astype(np.float64)
        return 1.0 - (self.counts.astype(np.float64) ** 2).sum(axis=1) / (n * n)

    @property
    def max_depth(self) -> int:
        return int(self.depth.max())


class DecisionTree:
    """A gini CART classifier grown on level codes (uint8) of features.

    ``fit(codes, y, levels)``: ``codes`` is (n, features) uint8 and ``levels`` the (256,)
    increasing feature value of each code (for MNIST, ``code * float32(1/255)``), so a
    threshold is a value between two levels and :meth:`predict` takes float features.
    """

    def __init__(self, max_depth: int = 20, *, compiled: bool | None = None) -> None:
        if max_depth < 1:
            raise ValueError(f"max_depth must be an integer >= 1, got {max_depth}")
        self.max_depth = max_depth
        self.compiled = compiled  # None: the C loop when built, else numpy

    def fit(self, codes: np.ndarray, y: np.ndarray, levels: np.ndarray) -> DecisionTree:
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        levels = np.asarray(levels, dtype=np.float64)
        if codes.ndim != 2 or len(codes) != len(y) or len(codes) == 0:
            raise ValueError("codes must be (n, features) with n >= 1 labels in y")
        if levels.shape != (256,) or np.any(np.diff(levels) <= 0):
            raise ValueError("levels must be 256 increasing values")
        self.classes_, y_index = np.unique(np.asarray(y), return_inverse=True)
        grow = _grow_numpy
        if self.compiled is not False:
            from neuralab.nn.kernels import compiled

            if compiled is not None and hasattr(compiled, "tree_grow"):
                grow = _grow_compiled
            elif self.compiled:
                raise RuntimeError("the compiled tree loop is not built")
        self.tree_ = grow(codes, y_index.astype(np.uint8), levels, len(self.classes_),
                          self.max_depth)
        self.n_features_in_ = codes.shape[1]
        return self

    def get_depth(self) -> int:
        return self.tree_.max_depth

    def apply(self, X: np.ndarray, depth: int | None = None) -> np.ndarray:
        """The node each row of ``X`` (feature values) reaches in the tree cut at ``depth``."""
        t = self.tree_
        node = np.zeros(len(X), dtype=np.intp)
        rows = np.arange(len(X))
        for _ in range(self.max_depth if depth is None else depth):
            inner = t.children_left[node] != LEAF
            if not inner.any():
                break
            f = np.where(inner, t.feature[node], 0)
            go_left = X[rows, f] <= t.threshold[node]
            node = np.where(inner, np.where(go_left, t.children_left[node],
                                            t.children_right[node]), node)
        return node

    def predict(self, X: np.ndarray, depth: int | None = None) -> np.ndarray:
        """The majority class of each row's node in the tree cut at ``depth``."""
        return self.classes_[self.tree_.counts[self.apply(X, depth)].argmax(axis=1)]

    def nodes(self, depth: int) -> int:
        """How many nodes (questions and leaves) the tree keeps when cut at ``depth``."""
        return int(np.count_nonzero(self.tree_.depth <= depth))


# ---------------------------------------------------------------------------- numpy


def _best_split(codes: np.ndarray, y: np.ndarray, n_classes: int
                ) -> tuple[int, int, int] | None:
    """(feature, code, next code) of a node's best question ``code(x[f]) <= code``.

    ``codes`` and ``y`` are the node's samples. None when no feature varies. Every
    candidate is a cut between two neighbouring levels present in the node, with the class
    counts on its left; those come from a histogram of the 256 levels when the node has
    many samples, and from sorting its few samples otherwise (the same candidates).
    """
    m = len(codes)
    varies = np.flatnonzero(codes.min(axis=0) != codes.max(axis=0))
    if varies.size == 0:
        return None
    sub = codes[:, varies]
    ones = np.ones(n_classes)  # sums over classes as products: numpy's sum over a short
    # last axis is slow; these sums are of whole numbers, so they are exact either way
    if m >= 256:
        # hist[j, g, c]: samples of class c whose feature varies[j] has level g
        key = (np.arange(varies.size) * 256 + sub) * n_classes + y[:, None]
        hist = np.bincount(key.ravel(), minlength=varies.size * 256 * n_classes)
        hist = hist.reshape(varies.size, 256, n_classes).astype(np.float64)
        left = np.cumsum(hist, axis=1)  # class counts of x <= g
        present = hist @ ones > 0  # (features, 256) levels present in the node
        # a cut after level g leads to the next present level above it
        above = np.where(present, np.arange(256), 256)
        high = np.minimum.accumulate(above[:, ::-1], axis=1)[:, ::-1]
        high = np.concatenate([high[:, 1:], np.full((varies.size, 1), 256)], axis=1)
        low = np.broadcast_to(np.arange(256), high.shape)
        valid = present & (high < 256)
    else:
        # the node's samples sorted by each feature: a cut after every position i where
        # the level changes between sorted positions i and i + 1
        order = np.argsort(sub, axis=0, kind="stable")
        ordered = np.take_along_axis(sub, order, axis=0).T.astype(np.intp)  # (features, m)
        onehot = np.eye(n_classes)[y]
        left = np.cumsum(onehot[order], axis=0).transpose(1, 0, 2)  # (features, m, classes)
        low = ordered
        high = np.concatenate([ordered[:, 1:], ordered[:, -1:]], axis=1)
        valid = high > low
    right = left[:, -1:, :] - left
    n_left, n_right = left @ ones, right @ ones
    # scikit-learn's Gini.proxy_impurity_improvement, with its operations in its order
    with np.errstate(divide="ignore", invalid="ignore"):
        gini_left = 1.0 - ((left * left) @ ones) / (n_left * n_left)
        gini_right = 1.0 - ((right * right) @ ones) / (n_right * n_right)
        proxy = -n_right * gini_right - n_left * gini_left
    proxy = np.where(valid, proxy, -np.inf)
    best = int(np.argmax(proxy))  # the first maximum: lowest feature, then lowest level
    j, i = divmod(best, proxy.shape[1])
    if proxy[j, i] == -np.inf:
        return None
    return int(varies[j]), int(low[j, i]), int(high[j, i])


def _threshold(levels: np.ndarray, low: int, high: int) -> float:
    """scikit-learn's midpoint between two present levels (the lower one if it rounds up)."""
    t = levels[low] / 2.0 + levels[high] / 2.0
    return float(levels[low] if t == levels[high] or not np.isfinite(t) else t)


def _grow_numpy(codes: np.ndarray, y: np.ndarray, levels: np.ndarray, n_classes: int,
                max_depth: int) -> TreeArrays:
    """Grow depth first (left before right), numbering nodes as scikit-learn does."""
    left_of: list[int] = []
    right_of: list[int] = []
    feature: list[int] = []
    threshold: list[float] = []
    counts: list[np.ndarray] = []
    depth_of: list[int] = []
    stack: list[tuple[np.ndarray, int, int, bool]] = [(np.arange(len(y)), 0, LEAF, True)]
    while stack:
        rows, depth, parent, is_left = stack.pop()
        node = len(feature)
        if parent != LEAF:
            (left_of if is_left else right_of)[parent] = node
        c = np.bincount(y[rows], minlength=n_classes)
        m = float(len(rows))
        impurity = 1.0 - float((c.astype(np.float64) ** 2).sum()) / (m * m)
        split = None
        if depth < max_depth and len(rows) >= 2 and impurity > EPSILON:
            split = _best_split(codes[rows], y[rows], n_classes)
        left_of.append(LEAF)
        right_of.append(LEAF)
        counts.append(c)
        depth_of.append(depth)
        if split is None:
            feature.append(-2)
            threshold.append(-2.0)
            continue
        f, low, high = split
        feature.append(f)
        threshold.append(_threshold(levels, low, high))
        goes_left = codes[rows, f] <= low
        stack.append((rows[~goes_left], depth + 1, node, False))
        stack.append((rows[goes_left], depth + 1, node, True))
    return TreeArrays(np.array(left_of, dtype=np.int64), np.array(right_of, dtype=np.int64),
                      np.array(feature, dtype=np.int64), np.array(threshold),
                      np.array(counts, dtype=np.int64).reshape(-1, n_classes),
                      np.array(depth_of, dtype=np.int64))


# ---------------------------------------------------------------------------- compiled


def _grow_compiled(codes: np.ndarray, y: np.ndarray, levels: np.ndarray, n_classes: int,
                   max_depth: int) -> TreeArrays:
    """The same tree from the C loop ``_kernels.tree_grow`` (it releases the GIL)."""
    from neuralab.nn.kernels import compiled

    n, n_features = codes.shape
    columns = np.ascontiguousarray(codes.T)  # feature-major: one feature's codes together
    cap = 2 * n - 1  # a binary tree with at most n leaves
    left = np.empty(cap, dtype=np.int64)
    right = np.empty(cap, dtype=np.int64)
    feature = np.empty(cap, dtype=np.int64)
    threshold = np.empty(cap, dtype=np.float64)
    counts = np.empty((cap, n_classes), dtype=np.int64)
    depth = np.empty(cap, dtype=np.int64)
    assert compiled is not None
    count = compiled.tree_grow(columns, np.ascontiguousarray(y), levels, left, right, feature,
                               threshold, counts, depth, n, n_features, n_classes, max_depth)
    return TreeArrays(left[:count].copy(), right[:count].copy(), feature[:count].copy(),
                      threshold[:count].copy(), counts[:count].copy(), depth[:count].copy())
