"""The "mlp" group of the parameter table: sequences, literals beside a range, open bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuralab.params import TABLE, ParamError, describe, validate

MLP = TABLE["mlp"]


def test_sequences_check_every_item_and_take_a_bare_value():
    sizes = MLP["hidden_layer_sizes"]
    assert sizes.check((64, 32)) == (64, 32)
    assert sizes.check(np.array([5, 6])) == (5, 6)
    assert sizes.check(7) == (7,)
    assert sizes.check([]) == ()
    for bad in ((10, 0), "wide", [[3]], (2.5,), (True,)):
        with pytest.raises(ParamError, match="hidden_layer_sizes must be a sequence of "
                                             "integers >= 1"):
            sizes.check(bad)


def test_literals_beside_a_range():
    assert MLP["batch_size"].check("auto") == "auto"
    assert MLP["batch_size"].check(32) == 32
    with pytest.raises(ParamError, match='an integer >= 1 or "auto"'):
        MLP["batch_size"].check("big")
    assert MLP["n_iter_no_change"].check(math.inf) == math.inf
    assert MLP["n_iter_no_change"].check(np.float64(np.inf)) == math.inf
    with pytest.raises(ParamError, match="or inf"):
        MLP["n_iter_no_change"].check(-math.inf)
    assert MLP["verbose"].check(True) is True and MLP["verbose"].check(np.True_) is True
    assert MLP["verbose"].check(2) == 2
    with pytest.raises(ParamError):
        MLP["verbose"].check(-1)


def test_open_bounds_exclude_their_end():
    assert MLP["learning_rate_init"].check(1e-300) == 1e-300
    with pytest.raises(ParamError, match="learning_rate_init must be a number > 0"):
        MLP["learning_rate_init"].check(0.0)
    assert MLP["validation_fraction"].check(0.0) == 0.0
    with pytest.raises(ParamError, match="a number >= 0 and < 1"):
        MLP["validation_fraction"].check(1.0)


def test_defaults_are_scikit_learns():
    from sklearn.neural_network import MLPRegressor

    defaults = validate("mlp", {})
    assert defaults == {**MLPRegressor().get_params(), "random_state": None}
    described = {d["name"]: d for d in describe("mlp", "api")}
    assert described["hidden_layer_sizes"]["sequence"] is True
    assert described["batch_size"]["also"] == ['"auto"']
    assert described["epsilon"]["open"] == [True, False]
