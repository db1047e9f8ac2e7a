"""The playground's data sets against their definitions, the features, and uploads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuralab.labs.playground import data
from neuralab.params import ParamError


def test_sizes_and_planes():
    for name in data.DATASETS:
        points = data.generate(name, 0.0, seed=1)
        regression = name in ("plane", "multi_gaussian")
        assert len(points) == (1200 if regression else 500)
        assert points.xy.shape == (len(points), 2)
        assert np.abs(points.xy).max() <= 6 + 1e-9
        assert points.problem == ("regression" if regression else "classification")


def test_the_same_seed_gives_the_same_points_and_another_seed_others():
    a, b = data.generate("spiral", 0.2, seed=3), data.generate("spiral", 0.2, seed=3)
    assert np.array_equal(a.xy, b.xy) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.xy, data.generate("spiral", 0.2, seed=4).xy)


def test_circle_inside_and_ring():
    p = data.generate("circle", 0.0, seed=0)
    r = np.hypot(p.xy[:, 0], p.xy[:, 1])
    assert np.array_equal(p.labels == 1, r < 2.5)
    assert (p.labels == 1).sum() == 250
    assert np.all((r[p.labels == -1] >= 3.5) & (r[p.labels == -1] <= 5))
    noisy = data.generate("circle", 0.5, seed=0)
    r = np.hypot(noisy.xy[:, 0], noisy.xy[:, 1])
    assert 0 < np.sum((noisy.labels == 1) != (r < 2.5)) < 250  # noise blurs the boundary


def test_xor_quadrants_away_from_the_axes():
    p = data.generate("xor", 0.0, seed=0)
    assert np.array_equal(p.labels == 1, p.xy[:, 0] * p.xy[:, 1] >= 0)
    assert np.abs(p.xy).min() >= 0.3 and np.abs(p.xy).max() <= 5.3


@pytest.mark.parametrize(("noise", "variance"), [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_gaussian_clouds(noise, variance):
    p = data.generate("gaussian", noise, seed=0, n=40_000)
    plus, minus = p.xy[p.labels == 1], p.xy[p.labels == -1]
    np.testing.assert_allclose(plus.mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(minus.mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(plus.var(axis=0), [variance] * 2, rtol=0.05)


def test_spiral_arms_are_opposite():
    p = data.generate("spiral", 0.0, seed=0)
    arm_a, arm_b = p.xy[p.labels == 1], p.xy[p.labels == -1]
    np.testing.assert_allclose(arm_b, -arm_a, atol=1e-12)  # t + pi turns each point around
    r = np.hypot(arm_a[:, 0], arm_a[:, 1])
    np.testing.assert_allclose(r, np.arange(250) / 250 * 5)
    turn = np.unwrap(np.arctan2(arm_a[1:, 0], arm_a[1:, 1]))
    # 1.75 turns over the whole arm: from point 1 to point 249, 248/250 of them
    assert (turn[-1] - turn[0]) / (2 * math.pi) == pytest.approx(1.75 * 248 / 250)


def test_plane_is_the_sum_over_ten():
    p = data.generate("plane", 0.0, seed=0)
    np.testing.assert_allclose(p.labels, (p.xy[:, 0] + p.xy[:, 1]) / 10)


def test_multi_gaussian_bumps():
    p = data.generate("multi_gaussian", 0.0, seed=0, n=20_000)
    for cx, cy, sign in data.GAUSSIANS:
        near = np.hypot(p.xy[:, 0] - cx, p.xy[:, 1] - cy) < 0.1
        assert near.any() and np.all(np.sign(p.labels[near]) == sign)
        assert np.all(np.abs(p.labels[near]) > 0.9)
    far = np.min([np.hypot(p.xy[:, 0] - cx, p.xy[:, 1] - cy) for cx, cy, _ in data.GAUSSIANS],
                 axis=0) > 2
    assert np.all(p.labels[far] == 0)


@pytest.mark.parametrize(("name", "k"), [("three_spirals", 3), ("blobs", 4)])
def test_many_classes(name, k):
    p = data.generate(name, 0.1, seed=0)
    assert p.classes == k and set(np.unique(p.labels)) == set(range(k))
    counts = np.bincount(p.labels)
    assert counts.max() - counts.min() <= 1


def test_split_and_features():
    p = data.generate("circle", 0.1, seed=0)
    train, test = p.split(0.7, seed=5)
    assert (len(train), len(test)) == (350, 150)
    assert {tuple(x) for x in np.vstack([train.xy, test.xy]).round(9)} == {
        tuple(x) for x in p.xy.round(9)}
    again, _ = p.split(0.7, seed=5)
    assert np.array_equal(train.xy, again.xy)
    f = data.features(np.array([[1.0, 2.0]]), data.FEATURES)
    np.testing.assert_allclose(f, [[1, 2, 1, 4, 2, math.sin(1), math.sin(2)]])


def test_bad_names_and_noise():
    with pytest.raises(ParamError) as info:
        data.generate("moons", 0.1, seed=0)
    assert info.value.param == "dataset"
    with pytest.raises(ParamError) as info:
        data.generate("circle", 0.7, seed=0)
    assert info.value.param == "noise"


def test_csv_round_trip():
    for name in ("circle", "plane", "three_spirals"):
        p = data.generate(name, 0.1, seed=0)
        back = data.parse_csv(p.to_csv().encode(), p.problem)
        assert back.classes == p.classes and back.problem == p.problem
        np.testing.assert_allclose(back.xy, p.xy, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(back.labels, p.labels, rtol=1e-5, atol=1e-5)


def test_csv_without_header_and_with_zero_one_labels():
    p = data.parse_csv(b"1,2,0\n-1,-2,1\n\n3,3,1\n", "classification")
    assert p.classes == 2 and p.labels.tolist() == [-1, 1, 1]


@pytest.mark.parametrize(("body", "problem", "needle"), [
    (b"x1,x2,label\n1,2,1\n1,2\n", "classification", "line 3: 2 columns"),
    (b"x1,x2,label\n1,2,1\n1,two,1\n", "classification", "line 3: "),
    (b"1,2,1\nnan,2,1\n", "classification", "line 2: values must be finite"),
    (b"1,2,1\n1,2,inf\n", "classification", "line 2: values must be finite"),
    (b"1,9,1\n", "classification", "line 1: x1 and x2 must be from -6 to 6"),
    (b"1,2,0.5\n", "classification", "line 1: a label must be a class"),
    (b"1,2,0\n1,2,9\n", "classification", "classes 0 to 7 (found 0 to 9)"),
    (b"1,2,0.5\n1,2,2.5\n", "regression", "line 2: y must be from -2 to 2"),
    (b"a,b,c\n1,2,1\n", "classification", "line 1: the header must be x1,x2,label"),
    (b"", "classification", "no points"),
    (b"\xff\xfe\x00", "classification", "not text"),
    ("M\r\u00c3".encode(), "regression", "line 1: the header must be"),
    (b"1,2,1\n" * 5001, "classification", "5,001 points; at most 5,000"),
    (b"1" * 1_000_001, "classification", "at most 1,000,000"),
])
def test_bad_uploads_name_the_line_and_the_problem(body, problem, needle):
    with pytest.raises(data.UploadError) as info:
        data.parse_csv(body, problem)
    assert needle in str(info.value) and info.value.param == "file"
