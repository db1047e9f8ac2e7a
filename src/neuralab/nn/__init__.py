"""The numpy MLP engine: activations, losses, optimizers, a network and its training loop.

``import neuralab.nn`` needs only numpy; :class:`MLPClassifier` and :class:`MLPRegressor` (the
scikit-learn drop-ins) load scikit-learn on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neuralab.nn.activations import (
    ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Activation,
    derivative,
    softmax,
)
from neuralab.nn.losses import LOSSES, Loss, cross_entropy, squared_error
from neuralab.nn.network import OUTPUTS, Network, Step
from neuralab.nn.optimizers import SGD, Adam, Optimizer, make_optimizer
from neuralab.nn.training import EpochStats, History, evaluate, train

if TYPE_CHECKING:
    from neuralab.nn.estimator import MLPClassifier, MLPRegressor

__all__ = [
    "ACTIVATIONS", "LOSSES", "OUTPUTS", "OUTPUT_ACTIVATIONS", "SGD", "Activation", "Adam",
    "EpochStats", "History", "Loss", "MLPClassifier", "MLPRegressor", "Network", "Optimizer",
    "Step", "cross_entropy", "derivative", "evaluate", "make_optimizer", "softmax",
    "squared_error", "train",
]


def __getattr__(name: str) -> Any:
    if name in ("MLPClassifier", "MLPRegressor"):
        from neuralab.nn import estimator

        return getattr(estimator, name)
    raise AttributeError(f"module 'neuralab.nn' has no attribute {name!r}")
