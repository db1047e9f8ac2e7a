"""The parameter table and the code agree: each lab's registry has exactly the table's
choices, and every function's defaults are the table's defaults."""

from __future__ import annotations

import inspect

import pytest

from neuralab.params import TABLE


def _defaults(fn) -> dict:
    return {name: p.default for name, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty}


def test_compare_models_defaults_are_the_tables():
    from neuralab.labs.compare import compare_models

    defaults = _defaults(compare_models)
    for name, param in TABLE["compare"].items():
        assert defaults[name] == param.default, name


@pytest.mark.parametrize(("lab", "param", "registry"), [
    ("descent", "curve", "neuralab.labs.descent:CURVES"),
    ("neuron", "target", "neuralab.labs.neuron:TARGETS"),
    ("functions", "exercise", "neuralab.labs.functions:EXERCISES"),
    ("inside", "model", "neuralab.labs.compare:MODELS"),
])
def test_every_registry_offers_exactly_the_tables_choices(lab, param, registry):
    import importlib

    module, name = registry.split(":")
    keys = getattr(importlib.import_module(module), name)
    assert set(TABLE[lab][param].choices) == set(keys)


def test_every_exercise_has_its_system():
    from neuralab.labs.functions import EXERCISES, SYSTEMS

    assert set(EXERCISES) <= set(SYSTEMS)
