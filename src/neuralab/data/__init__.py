"""Datasets that ship with neuralab and load without a network."""

from neuralab.data.images import load_astronaut, load_digits
from neuralab.data.mnist import MNIST, load_mnist

__all__ = ["MNIST", "describe", "load_astronaut", "load_digits", "load_mnist"]


def describe() -> list[dict]:
    """One entry per bundled dataset: name, shape, dtype, value range, source, licence."""
    mnist = load_mnist()
    digits, _ = load_digits()
    astronaut = load_astronaut()
    return [
        {"name": "mnist", "shape": list(mnist.images.shape), "dtype": "uint8",
         "values": "0..255", "labels": "0..9",
         "source": "MNIST (LeCun, Cortes, Burges), OpenML mnist_784 order",
         "licence": "CC BY-SA 3.0"},
        {"name": "digits", "shape": list(digits.shape), "dtype": "uint8", "values": "0..16",
         "labels": "0..9", "source": "scikit-learn load_digits (UCI)", "licence": "CC BY 4.0"},
        {"name": "astronaut", "shape": list(astronaut.shape), "dtype": "uint8",
         "values": "0..255", "labels": "-", "source": "scikit-image data.astronaut (NASA)",
         "licence": "public domain"},
    ]
