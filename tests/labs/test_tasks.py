"""The tasks' checks: each target met, missed, and bad facts named."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from neuralab.labs import neuron
from neuralab.labs.tasks import BY_ID, PLACES, TASKS, BadFacts, check, place


def test_every_task_is_complete_and_unique():
    assert len(BY_ID) == len(TASKS) >= 5
    assert {"nand", "small-mlp", "spiral"} <= set(BY_ID)
    for task in TASKS:
        assert task.text and task.title and task.section
        assert set(task.to_dict()) == {"id", "section", "title", "text", "kind", "goal", "preset"}


def test_every_task_says_where_it_is_as_the_page_heads_that_section():
    page = resources.files("neuralab.web").joinpath("index.html").read_text()
    for task in TASKS:
        anchor, number, heading = PLACES[task.section]
        found = re.search(rf'<section id="{anchor}" data-view="{task.section}"[^>]*>\s*'
                          rf'<h2[^>]*><span class="num">([^<]+)</span> ([^<]+)</h2>', page)
        assert found, f"no section #{anchor} of view {task.section} in index.html"
        assert found.groups() == (number, heading)
        assert place(task) == f"{number} {heading}"


def test_nand_from_the_neurons_own_outputs():
    nand = BY_ID["nand"]
    result = neuron.evaluate(w1=-1.0, w2=-1.0, bias=1.5, activation="step")
    outputs = [int(row.actual) for row in result.table]
    assert check(nand, {"outputs": outputs, "hidden": False}).done
    result = neuron.evaluate(w1=-1.0, w2=-1.0, bias=0.5, activation="step")
    outputs = [int(row.actual) for row in result.table]
    progress = check(nand, {"outputs": outputs, "hidden": False})
    assert not progress.done and progress.progress == "2 of 4 input pairs right."
    # NAND's outputs from the 2-2-1 network do not count: the task is for one neuron
    assert not check(nand, {"outputs": [1, 1, 1, 0], "hidden": True}).done


@pytest.mark.parametrize(("facts", "done"), [
    ({"val_accuracy": 0.871, "parameters": 4786}, True),
    ({"val_accuracy": 0.869, "parameters": 4786}, False),
    ({"val_accuracy": 0.95, "parameters": 5000}, False),
])
def test_the_small_mlp_needs_both_accuracy_and_few_weights(facts, done):
    assert check(BY_ID["small-mlp"], facts).done is done


def test_the_small_mlp_target_can_be_reached_with_the_sliders():
    """Within the page's ranges (at most 5,000 images): one layer of 5 neurons does it."""
    from neuralab import compare_models
    from neuralab.params import group

    assert group("compare")["train_size"].high == 5000
    result = compare_models(mlp_width=5, mlp_depth=1, train_size=5000)
    mlp = result.models["mlp"]
    facts = {"val_accuracy": mlp.accuracy, "parameters": mlp.details["parameters"]}
    assert check(BY_ID["small-mlp"], facts).done, facts


def test_the_spiral_needs_its_data_two_layers_and_a_low_test_loss():
    spiral = BY_ID["spiral"]
    assert check(spiral, {"dataset": "spiral", "hidden_layers": 2, "test_loss": 0.09}).done
    assert not check(spiral, {"dataset": "spiral", "hidden_layers": 3, "test_loss": 0.01}).done
    assert not check(spiral, {"dataset": "circle", "hidden_layers": 2, "test_loss": 0.01}).done
    assert not check(spiral, {"dataset": "spiral", "hidden_layers": 2, "test_loss": 0.1}).done


def test_the_banana_task_is_reachable_and_not_met_by_the_defaults():
    from neuralab.labs.descent.optimizers import descend_surface

    banana = BY_ID["banana"]

    def facts(**settings):
        run = descend_surface("banana", **settings).to_dict()
        return {"surface": "banana", "reached_at": {
            name: p["reached_at"] for name, p in run["paths"].items()}}

    assert not check(banana, facts()).done  # the page's defaults: momentum takes 56 steps
    assert check(banana, facts(rate=0.12, beta=0.7)).done


def test_the_yellow_pixel():
    yellow = BY_ID["yellow"]
    zero = [[0.0] * 3 for _ in range(3)]
    red = [row[:] for row in zero]
    green = [row[:] for row in zero]
    red[1][1] = green[1][1] = 1.0
    assert check(yellow, {"red": red, "green": green, "blue": zero}).done
    assert check(yellow, {"red": red, "green": zero, "blue": zero}).progress == \
        "1 of 3 channels still to set."


@pytest.mark.parametrize(("task", "facts", "param"), [
    ("nand", {"outputs": [1, 1, 1], "hidden": False}, "outputs"),
    ("nand", {"outputs": [1, 1, 1, 0]}, "hidden"),
    ("small-mlp", {"val_accuracy": "high", "parameters": 10}, "val_accuracy"),
    ("small-mlp", {"val_accuracy": 0.9, "parameters": True}, "parameters"),
    ("spiral", {"dataset": "spiral", "hidden_layers": 2, "test_loss": float("nan")}, "test_loss"),
    ("banana", {"surface": "banana", "reached_at": []}, "reached_at"),
    ("yellow", {"red": [[1]], "green": [], "blue": []}, "red"),
])
def test_bad_facts_name_the_fact(task, facts, param):
    with pytest.raises(BadFacts) as bad:
        check(BY_ID[task], facts)
    assert bad.value.param == param
