"""Small bundled datasets: scikit-learn's 8x8 digits and scikit-image's astronaut."""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def load_astronaut() -> np.ndarray:
    """The astronaut picture, (512, 512, 3) uint8 RGB, from scikit-image (no network)."""
    from skimage import data

    image = data.astronaut()
    image.setflags(write=False)
    return image


@functools.cache
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits: images (1797, 8, 8) in 0..16 and labels (1797,)."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.uint8)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels
