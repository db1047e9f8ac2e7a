"""MNIST, bundled with the package (no network needed)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

N_IMAGES = 70_000
IMAGE_SHAPE = (28, 28)
SOURCES = ("bundled", "openml")


@dataclass(frozen=True)
class MNIST:
    """The 70,000 MNIST digits in OpenML ``mnist_784`` order (60k train, then 10k test).

    ``images`` is (70000, 28, 28) uint8 in 0..255 and ``labels`` is (70000,) uint8 in 0..9;
    both are read-only views shared by every caller in the process.
    """

    images: np.ndarray
    labels: np.ndarray

    @property
    def pixels(self) -> np.ndarray:
        """The images flattened to (70000, 784) uint8, as ``fetch_openml`` gives them."""
        return self.images.reshape(len(self.images), -1)

    def features(self, rows: slice | np.ndarray) -> np.ndarray:
        """Rows of :attr:`pixels` scaled to 0..1 as float32 (the lesson's ``X / 255``)."""
        return self.pixels[rows].astype(np.float32) * np.float32(1 / 255)

    def __len__(self) -> int:
        return len(self.labels)


def bundled_path() -> Path:
    """Where the bundled ``mnist.npz`` lives inside the installed package."""
    return Path(str(resources.files("neuralab.data").joinpath("mnist.npz")))


def load_mnist(source: str = "bundled") -> MNIST:
    """Load all 70,000 MNIST digits.

    ``source="bundled"`` (the default) reads the copy shipped inside the package and works
    offline. ``source="openml"`` fetches the canonical ``mnist_784`` through scikit-learn's
    ``fetch_openml`` (cached by scikit-learn after the first download) and raises
    ``ConnectionError`` with a clear message when there is no network.
    The result is cached per process.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)} (got {source!r})")
    return _load(source)


@functools.cache
def _load(source: str) -> MNIST:
    if source == "openml":
        images, labels = _from_openml()
    else:
        images, labels = _from_bundle()
    images.setflags(write=False)
    labels.setflags(write=False)
    return MNIST(images, labels)


def _from_bundle() -> tuple[np.ndarray, np.ndarray]:
    cached = cache_dir() / "mnist-images-uint8.npy"
    path = bundled_path()
    with np.load(path) as npz:
        labels = npz["labels"]
        # Decompressing 55 MB takes ~0.3 s; an uncompressed copy in the user's cache maps in
        # a few milliseconds on later runs. The cache is only a speed-up: any problem with it
        # falls back to the bundle.
        try:
            if cached.exists() and cached.stat().st_mtime >= path.stat().st_mtime:
                images = np.load(cached, mmap_mode="r")
                if images.shape == (N_IMAGES, *IMAGE_SHAPE) and images.dtype == np.uint8:
                    return np.asarray(images), labels
        except (OSError, ValueError):
            pass
        images = npz["images"]
    _write_cache(cached, images)
    return images, labels


def cache_dir() -> Path:
    """Where neuralab keeps its speed-up copy of MNIST: ``$NEURALAB_CACHE/neuralab``, else
    ``$XDG_CACHE_HOME/neuralab``, else ``~/.cache/neuralab``."""
    base = os.environ.get("NEURALAB_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "neuralab" if base else Path.home() / ".cache" / "neuralab"


def _write_cache(path: Path, images: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            np.save(f, images)
        os.replace(tmp, path)
    except OSError:
        pass


def _from_openml() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import fetch_openml

    try:
        X, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False,
                            parser="liac-arff")
    except OSError as exc:  # URLError, socket errors, HTTP errors are all OSErrors
        raise ConnectionError(
            "could not download mnist_784 from OpenML (no network?). "
            "load_mnist() without a source uses the copy bundled with neuralab and "
            f"works offline. Cause: {exc}"
        ) from exc
    images = np.asarray(X, dtype=np.uint8).reshape(-1, *IMAGE_SHAPE)
    labels = np.asarray(y).astype(np.uint8)
    return images, labels
