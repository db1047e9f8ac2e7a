"""The lesson's three questions answered with evidence: plots from sweeps bundled with neuralab.

The lesson asks what width and depth do, whether more data always helps, and which model
learns most from few examples. One slider move shows one noisy point; these answers come from
two sweeps over fixed seeds, made by the commands in :data:`COMMANDS` and shipped in
``neuralab/data/sweeps/``:

* ``width-depth.csv``: MLP width 4-64 by depth 1-8 on the lesson's 1,000 images;
* ``learning-curve.csv``: the lesson's three models on 100 to 60,000 images.

:func:`answers` turns them into plot-ready series (means, with the lowest and highest seed as
a band); :data:`FINDINGS` says in words what each plot shows, and the tests check each claim
against the bundled numbers.
"""

from __future__ import annotations

import functools
import statistics
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from neuralab.labs.compare import MODELS, TITLES
from neuralab.labs.sweep import Record, load_records

BUNDLE = Path(str(resources.files("neuralab").joinpath("data", "sweeps")))
COMMANDS = (
    "neuralab sweep --mlp-width 4 8 16 32 64 --mlp-depth 1 2 4 8 --seeds 3 "
    "--out src/neuralab/data/sweeps/width-depth.csv",
    "neuralab sweep --train-size 100 200 500 1000 2000 5000 10000 20000 60000 --seeds 3 "
    "--out src/neuralab/data/sweeps/learning-curve.csv",
)
FINDINGS = {
    "width_depth": "Each line is one depth; along a line the layers get wider. For the same "
                   "number of weights, one or two layers read the digits better than four "
                   "or eight: deep, thin networks fall far behind, and thin networks (4 or 8 "
                   "neurons a layer) change a lot from one seed to the next. Once every layer "
                   "is wide (64 neurons), depth costs little, but on 1,000 images it does "
                   "not help either.",
    "learning_curves": "More data helps logistic regression and the MLP at every step, but "
                       "less and less: from 1,000 to 10,000 images they gain far fewer points "
                       "than from 100 to 1,000. From 1,000 images on the MLP is the best "
                       "reader, and its lead grows with the data. The decision tree of depth "
                       "5 stops improving at about 1,000 images and then wavers: 32 leaves "
                       "cannot describe ten digits finely, however many examples it sees.",
    "timing": "The decision tree and the logistic regression take more time with every "
              "image: 60 times the data costs them far over 10 times the time. The MLP's "
              "time grows much more slowly, because this lab gives it a budget of steps that "
              "grows only slowly with the data (its accuracy above shows the budget is "
              "enough).",
}


@functools.lru_cache(maxsize=4)
def answers(bundle: Path = BUNDLE) -> dict[str, Any]:
    """The three plots' data, from the bundled sweeps (JSON-ready; computed once per bundle,
    so do not change what it returns)."""
    width_depth = load_records(bundle / "width-depth.csv")
    curve = load_records(bundle / "learning-curve.csv")
    return {
        "width_depth": _width_depth(width_depth),
        "learning_curves": _by_size(curve, "accuracy"),
        "timing": _by_size(curve, "seconds"),
        "findings": FINDINGS,
        "commands": COMMANDS,
        "seeds": sorted({r["seed"] for r in width_depth + curve}),
        "train_size": width_depth[0]["train_size"] if width_depth else None,
    }


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "low": min(values), "high": max(values),
            "n": len(values)}


def _width_depth(records: list[Record]) -> dict[str, Any]:
    """The MLP's accuracy against its number of weights, one series per depth."""
    cells: dict[tuple[int, int], list[Record]] = defaultdict(list)
    for r in records:
        if r["model"] == "mlp" and not r["error"]:
            cells[(r["mlp_depth"], r["mlp_width"])].append(r)
    series = []
    for depth in sorted({d for d, _ in cells}):
        points = [{"width": w, "parameters": rs[0]["parameters"],
                   **_summary([r["accuracy"] for r in rs])}
                  for (d, w), rs in sorted(cells.items()) if d == depth]
        series.append({"depth": depth, "points": points})
    return {"series": series}


def _by_size(records: list[Record], column: str) -> dict[str, Any]:
    """Each model's ``column`` against the number of training images."""
    series = []
    for model in MODELS:
        sizes: dict[int, list[float]] = defaultdict(list)
        for r in records:
            if r["model"] == model and not r["error"]:
                sizes[r["train_size"]].append(r[column])
        series.append({"model": model, "title": TITLES[model],
                       "points": [{"train_size": n, **_summary(v)}
                                  for n, v in sorted(sizes.items())]})
    return {"series": series}
