"""A quick end-to-end check that the engine learns."""

import numpy as np

from neuralab.nn import Network, train


def test_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = Network((5, 16, 2), seed=1)
    history = train(net, X, y, learning_rate=0.01, batch_size=50, max_epochs=50)
    assert history.loss_curve[-1] < history.loss_curve[0]
    assert (net.predict(X) == y).mean() > 0.95
