"""The bundled datasets: checksums, order, class counts, offline behaviour."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys

import numpy as np
import pytest

from neuralab.data import describe, load_astronaut, load_digits, load_mnist
from neuralab.data.mnist import bundled_path

IMAGES_SHA256 = "5b92582eb909c82a9bfefcd44acbe9233be3eb5b419a44cf211022ad2bf4bf96"
LABELS_SHA256 = "671ff9d70b4811116d55c3dd479efa7a981e2e62753ef7a6d5c15fea81e63d27"
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_checksums_match_the_data_readme():
    m = load_mnist()
    assert hashlib.sha256(np.ascontiguousarray(m.images).tobytes()).hexdigest() == IMAGES_SHA256
    assert hashlib.sha256(np.ascontiguousarray(m.labels).tobytes()).hexdigest() == LABELS_SHA256


def test_shape_order_and_class_counts():
    m = load_mnist()
    assert m.images.shape == (70_000, 28, 28) and m.images.dtype == np.uint8
    assert m.labels.shape == (70_000,) and m.labels.dtype == np.uint8
    assert m.pixels.shape == (70_000, 784)
    assert list(m.labels[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(m.labels[:60_000], minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(m.labels[60_000:], minlength=10).tolist() == TEST_COUNTS


def test_cached_per_process_and_read_only():
    assert load_mnist() is load_mnist()
    m = load_mnist()
    with pytest.raises(ValueError):
        m.labels[0] = 3
    with pytest.raises(ValueError):
        m.images[0, 0, 0] = 3


def test_features_are_the_lessons_scaling():
    m = load_mnist()
    X = m.features(slice(0, 5))
    assert X.dtype == np.float32 and X.shape == (5, 784)
    np.testing.assert_allclose(X, m.pixels[:5] / 255.0, rtol=1e-6)
    assert X.min() >= 0.0 and X.max() <= 1.0


def test_bundle_is_package_data_with_a_notice():
    path = bundled_path()
    assert path.exists() and path.name == "mnist.npz"
    notice = (path.parent / "NOTICE").read_text()
    assert "CC BY-SA 3.0" in notice and "LeCun" in notice


def test_load_from_a_fresh_cache_dir_matches(tmp_path):
    """The first load writes the decompressed cache; the second maps it; both agree."""
    code = (
        "import hashlib, numpy as np; from neuralab.data import load_mnist; "
        "print(hashlib.sha256(np.ascontiguousarray(load_mnist().images).tobytes()).hexdigest())"
    )
    env = {"NEURALAB_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == IMAGES_SHA256
    assert (tmp_path / "neuralab" / "mnist-images-uint8.npy").exists()


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ValueError, match="source must be one of bundled, openml"):
        load_mnist(source="internet")


@pytest.mark.filterwarnings("ignore:A network error occurred:UserWarning")  # its retries
def test_openml_without_network_says_so(monkeypatch, tmp_path):
    """With every connection refused, the OpenML source fails with a clear message."""
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    from neuralab.data import mnist

    mnist._load.cache_clear()
    with pytest.raises(ConnectionError, match="bundled with neuralab and works offline"):
        load_mnist(source="openml")
    mnist._load.cache_clear()


def test_digits_and_astronaut_are_bundled():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.max() == 16 and set(np.unique(labels)) == set(range(10))
    astro = load_astronaut()
    assert astro.shape == (512, 512, 3) and astro.dtype == np.uint8


def test_describe_lists_the_three_sets():
    names = [d["name"] for d in describe()]
    assert names == ["mnist", "digits", "astronaut"]
    assert describe()[0]["shape"] == [70_000, 28, 28]
