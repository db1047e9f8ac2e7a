"""The one parameter table: ranges, coercion and the error messages everyone relies on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuralab.params import TABLE, ParamError, describe, validate


def test_lesson_ranges_and_labels():
    c = TABLE["compare"]
    assert (c["mlp_width"].low, c["mlp_width"].high, c["mlp_width"].default) == (4, 64, 32)
    assert (c["mlp_depth"].low, c["mlp_depth"].high, c["mlp_depth"].default) == (1, 8, 2)
    assert (c["tree_depth"].low, c["tree_depth"].high, c["tree_depth"].default) == (1, 20, 5)
    assert (c["train_size"].low, c["train_size"].high, c["train_size"].default) == (100, 5000,
                                                                                    1000)
    assert c["train_size"].bounds("api") == (10, 68_000)
    labels = {p.label for g in TABLE.values() for p in g.values()}
    for name in ("MLP Width", "MLP Depth", "Tree Depth", "Dataset Size", "Target Function",
                 "Weight 1", "Weight 2", "Bias", "First input ON", "Second input ON"):
        assert name in labels


def test_defaults_fill_in_and_values_are_coerced():
    out = validate("compare", {"mlp_width": 16.0, "seed": np.int64(3)})
    assert out["mlp_width"] == 16 and type(out["mlp_width"]) is int
    assert out["seed"] == 3 and out["tree_depth"] == 5
    assert validate("neuron", {"target": "or", "x1": "true"})["target"] == "OR"


@pytest.mark.parametrize(
    ("lab", "values", "scope", "needle"),
    [
        ("compare", {"mlp_width": 65}, "ui", "mlp_width must be an integer from 4 to 64"),
        ("compare", {"mlp_width": 2000}, "api", "mlp_width must be an integer from 1 to 1024"),
        ("compare", {"mlp_width": 3.5}, "api", "mlp_width must be an integer"),
        ("compare", {"mlp_width": "wide"}, "api", "mlp_width must be an integer"),
        ("compare", {"mlp_width": True}, "api", "mlp_width must be an integer"),
        ("compare", {"train_size": 99}, "ui", "train_size must be an integer from 100 to 5000"),
        ("neuron", {"w1": math.nan}, "ui", "w1 must be a number from -2 to 2"),
        ("neuron", {"w1": 2.5}, "ui", "w1 must be a number from -2 to 2"),
        ("neuron", {"target": "XNOR"}, "ui", "target must be one of AND, OR, NAND, NOR, XOR"),
        ("pixels", {"red": [[0, 0], [0, 0]]}, "ui", "red must be a 3x3 array of numbers"),
        ("pixels", {"red": [[0, 0, 0], [0, 2, 0], [0, 0, 0]]}, "ui", "red[1][1] must be"),
        ("compare", {"widht": 3}, "api", "unknown parameter 'widht'"),
    ],
)
def test_errors_name_the_parameter_and_range(lab, values, scope, needle):
    with pytest.raises(ParamError) as info:
        validate(lab, values, scope=scope)
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_describe_is_json_ready_with_ui_ranges():
    spec = {p["name"]: p for p in describe("compare")}
    assert spec["train_size"]["min"] == 100 and spec["train_size"]["max"] == 5000
    assert spec["mlp_width"]["label"] == "MLP Width"
