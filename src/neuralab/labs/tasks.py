"""Exercises with a checked target: the teacher's tasks, defined once as data.

Each :class:`Task` names the section it belongs to, what the learner reads, and its check:
a ``kind`` (what facts the section reports) and the target (``goal``); ``preset`` is what a
teacher's link to the task sets in the section (the neuron's target for NAND). The page
checks a task from what it already shows (the same kinds in ``web/lib/tasks.js``);
:func:`check` is the same test in Python, which the server applies to what a page reports
(and, for the neuron and the comparison, to what the server itself computed from the
reported settings).

Kinds and their facts:

- ``truth_table``: ``outputs``, the neuron's (or network's) actual outputs on the input pairs
  (0,0), (0,1), (1,0), (1,1) as 0/1, and ``hidden``, whether the 2-2-1 network was used.
- ``compare``: ``val_accuracy`` (0 to 1) and ``parameters`` of the MLP of a finished comparison.
- ``playground``: ``dataset``, ``hidden_layers`` (how many) and ``test_loss`` of the newest
  epoch.
- ``descent``: ``surface`` and ``reached_at``, the step at which each optimizer first came
  within reach of the lowest loss (``{"momentum": 31, ...}``, None when it never did).
- ``pixels``: ``red``, ``green``, ``blue``, the 3x3 picture's channels.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Task:
    """One exercise: ``section`` is the view it lives in (``neuron``, ``compare``...)."""

    id: str
    section: str
    title: str
    text: str
    kind: str
    goal: dict[str, Any] = field(default_factory=dict)
    preset: dict[str, Any] = field(default_factory=dict)  # the section's settings a link sets

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """Where a learner stands on a task: ``done``, and a sentence saying how far."""

    done: bool
    progress: str


TASKS: tuple[Task, ...] = (
    Task("nand", "neuron", "Make the neuron compute NAND",
         "With the single neuron (no hidden layer), set the weights and the bias so that its "
         "output is ON for every input pair except both inputs ON.",
         "truth_table", {"outputs": [1, 1, 1, 0], "hidden": False}, {"target": "NAND"}),
    Task("xor", "neuron", "Build XOR with a hidden layer",
         "Turn on the hidden layer and set its weights so that the network is ON when exactly "
         "one input is ON.",
         "truth_table", {"outputs": [0, 1, 1, 0], "hidden": True}, {"target": "XOR"}),
    # 93% (the issue's example) is out of reach within the sliders' 5,000 images: the best
    # MLP under 5,000 weights there reads 88.9% (width 5, one layer); 87% asks for both the
    # most data and a small network, and is checked reachable in tests/labs/test_tasks.py.
    Task("small-mlp", "compare", "87% with fewer than 5,000 weights",
         "Train an MLP that reaches 87% validation accuracy with fewer than 5,000 weights "
         "(biases included).",
         "compare", {"min_accuracy": 0.87, "max_parameters": 5000}),
    Task("spiral", "playground", "Spiral: test loss under 0.1 with two hidden layers",
         "Pick the spiral data, use exactly two hidden layers, and train until the test loss "
         "is under 0.1.",
         "playground", {"dataset": "spiral", "hidden_layers": 2, "max_test_loss": 0.1}),
    Task("banana", "descent", "Down the banana in fewer than 40 steps",
         "On the banana surface, tune the learning rate and momentum so that gradient descent "
         "with momentum reaches the minimum in fewer than 40 steps.",
         "descent", {"surface": "banana", "optimizer": "momentum", "max_steps": 40},
         {"surface": "banana"}),
    Task("yellow", "pixels", "Paint the centre pixel yellow",
         "In the 3x3 picture, make the centre pixel pure yellow: red and green full, no blue.",
         "pixels", {"row": 1, "col": 1, "rgb": [1.0, 1.0, 0.0]}),
)

BY_ID: dict[str, Task] = {t.id: t for t in TASKS}

# Where each task's section sits in the lesson, as its heading reads (the page's anchor, the
# heading's number and text; tests/labs/test_tasks.py checks them against index.html).
PLACES: dict[str, tuple[str, str, str]] = {
    "pixels": ("pixels", "2", "Images are arrays of numbers"),
    "descent": ("surfaces", "3b", "Gradient descent with two weights"),
    "compare": ("mnist", "4", "Three models read handwritten digits"),
    "neuron": ("neuron", "5", "A single neuron, tuned by hand"),
    "playground": ("playground", "5b", "The playground"),
}


def place(task: Task) -> str:
    """Where ``task`` is in the lesson, for people: "5 A single neuron, tuned by hand"."""
    _, number, heading = PLACES[task.section]
    return f"{number} {heading}"


class BadFacts(ValueError):
    """Facts that do not fit the task's kind; ``param`` names the first bad one."""

    def __init__(self, param: str, expected: str) -> None:
        self.param = param
        self.expected = expected
        super().__init__(f"{param} must be {expected}")


def _number(facts: dict[str, Any], name: str) -> float:
    value = facts.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadFacts(name, "a finite number")
    return float(value)


def _matrix(facts: dict[str, Any], name: str) -> list[list[float]]:
    value = facts.get(name)
    ok = isinstance(value, list) and len(value) == 3 and all(
        isinstance(row, list) and len(row) == 3 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in row)
        for row in value)
    if not ok:
        raise BadFacts(name, "a 3x3 list of numbers")
    return value


def check(task: Task, facts: dict[str, Any]) -> Progress:
    """Whether ``facts`` (what the task's section shows) meet ``task``'s target.

    Raises :class:`BadFacts` when the facts are missing or of the wrong type.
    """
    goal = task.goal
    if task.kind == "truth_table":
        outputs = facts.get("outputs")
        if not (isinstance(outputs, list) and len(outputs) == 4
                and all(v in (0, 1) and not isinstance(v, float) for v in outputs)):
            raise BadFacts("outputs", "a list of four 0/1 outputs")
        hidden = facts.get("hidden")
        if not isinstance(hidden, bool):
            raise BadFacts("hidden", "true or false")
        right = sum(int(a) == b for a, b in zip(outputs, goal["outputs"], strict=True))
        if hidden != goal["hidden"]:
            where = "Turn the hidden layer on" if goal["hidden"] else "Turn the hidden layer off"
            return Progress(False, f"{where} for this task; {right} of 4 input pairs right.")
        return Progress(right == 4, f"{right} of 4 input pairs right.")
    if task.kind == "compare":
        accuracy = _number(facts, "val_accuracy")
        parameters = _number(facts, "parameters")
        done = accuracy >= goal["min_accuracy"] and parameters < goal["max_parameters"]
        return Progress(done, f"Last MLP: {100 * accuracy:.1f}% with "
                              f"{int(parameters):,} weights.")
    if task.kind == "playground":
        dataset = facts.get("dataset")
        if not isinstance(dataset, str):
            raise BadFacts("dataset", "a data set's name")
        layers = _number(facts, "hidden_layers")
        loss = _number(facts, "test_loss")
        if dataset != goal["dataset"]:
            return Progress(False, f"Pick the {goal['dataset']} data.")
        if layers != goal["hidden_layers"]:
            return Progress(False, f"Use {goal['hidden_layers']} hidden layers "
                                   f"(now {int(layers)}).")
        return Progress(loss < goal["max_test_loss"], f"Test loss {loss:.3f}.")
    if task.kind == "descent":
        surface = facts.get("surface")
        reached = facts.get("reached_at")
        if not isinstance(surface, str):
            raise BadFacts("surface", "a surface's name")
        if not isinstance(reached, dict):
            raise BadFacts("reached_at", "an object of steps by optimizer")
        if surface != goal["surface"]:
            return Progress(False, f"Pick the {goal['surface']} surface.")
        step = reached.get(goal["optimizer"])
        if step is None:
            return Progress(False, "Not at the minimum yet.")
        if isinstance(step, bool) or not isinstance(step, int):
            raise BadFacts("reached_at", "whole numbers of steps or null")
        return Progress(step < goal["max_steps"], f"Reached the minimum in {step} steps.")
    if task.kind == "pixels":
        channels = [_matrix(facts, c)[goal["row"]][goal["col"]] for c in ("red", "green", "blue")]
        off = sum(abs(a - b) > 1e-6 for a, b in zip(channels, goal["rgb"], strict=True))
        return Progress(off == 0, "The centre pixel is yellow." if off == 0
                        else f"{off} of 3 channels still to set.")
    raise ValueError(f"unknown kind {task.kind!r}")  # a mistake in TASKS, caught by the tests
