"""Sweeps: the lesson's comparison over a grid of settings, every cell over several seeds.

A sweep answers the lesson's questions with evidence instead of one noisy point: each cell of
the grid (one value per comparison parameter) is trained with every seed, and each trained
model gives one record (a flat dict, one row of a table)::

    model, accuracy, seconds, seed, error, mlp_width, mlp_depth, tree_depth, train_size,
    val_size, parameters

``pandas.DataFrame(records)`` or ``pandas.read_csv(out)`` loads them as they are.

Results are appended to ``out`` (CSV, or JSON Lines for ``.jsonl``) cell by cell as cells
finish, each cell's records in one flushed, synced write. Started again with the same grid
and file, a sweep skips the cells already there (a cell cut off half-written is computed
again) and refuses a file that holds another sweep's cells. A cell that raises is recorded
with its error and the sweep goes on.

Cells run in local worker processes (each loads the bundled MNIST itself), or, given the
address of a Dask distributed scheduler, as tasks on that cluster; the same seeds give the
same accuracies either way.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuralab.cluster import SchedulerUnreachable as SchedulerUnreachable  # re-exported
from neuralab.labs.compare import MODELS, ModelCache, check_params
from neuralab.params import ParamError, group

PARAMS = tuple(name for name in group("compare") if name != "seed")
COLUMNS = ("model", "accuracy", "seconds", "seed", "error", *PARAMS, "parameters")
CONNECT_TIMEOUT = 5.0  # seconds to reach a Dask scheduler before giving up
TASK_CELLS = 4  # cells per task: enough to share fitted models, few enough to lose little

Record = dict[str, Any]


class SweepCancelled(Exception):
    """The sweep was stopped through its ``cancel`` event."""


class SweepFileMismatch(ValueError):
    """The results file holds another sweep's cells or columns."""


@dataclass(frozen=True)
class Progress:
    """Where a sweep stands: cells done (this run and before), failed, and in all."""

    done: int
    failed: int
    total: int
    skipped: int  # cells found finished in the results file
    elapsed: float  # seconds since this run started

    @property
    def eta(self) -> float | None:
        """Seconds left, from this run's pace so far (None before the first cell)."""
        computed = self.done - self.skipped
        if computed <= 0:
            return None
        return self.elapsed / computed * (self.total - self.done)


# ---------------------------------------------------------------------------- the grid


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """``seeds=N`` means seeds 0..N-1; a sequence is taken as it is (duplicates dropped)."""
    param = group("compare")["seed"]
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if not 1 <= seeds <= 1000:
            raise ParamError("seeds", "an integer from 1 to 1000", seeds)
        return list(range(seeds))
    values = [param.check(s) for s in seeds]
    if not values:
        raise ParamError("seed", "at least one seed", values)
    return list(dict.fromkeys(values))


def cells(grid: Mapping[str, Any], seeds: int | Sequence[int] = 3) -> list[Record]:
    """Every cell of ``grid`` (a value or a list of values per comparison parameter; the
    others keep their defaults) for every seed, checked against the parameter table before
    anything runs. Raises :class:`~neuralab.params.ParamError` naming the parameter."""
    table = group("compare")
    unknown = sorted(set(grid) - set(PARAMS))
    if unknown:
        known = ", ".join(PARAMS)
        raise ParamError(unknown[0], f"one of {known}", unknown[0],
                         message=f"unknown sweep parameter {unknown[0]!r}; known: {known}"
                         + ("; give seeds with seeds=" if unknown[0] == "seed" else ""))
    axes: dict[str, list[Any]] = {}
    for name in PARAMS:
        raw = grid.get(name, table[name].default)
        values = list(raw) if isinstance(raw, (list, tuple, range)) else [raw]
        if not values:
            raise ParamError(name, f"at least one value: {table[name].expected('api')}", raw)
        axes[name] = list(dict.fromkeys(table[name].check(v) for v in values))
    out = []
    seeds = seed_list(seeds)
    for combo in itertools.product(*axes.values()):
        for seed in seeds:
            out.append(check_params({**dict(zip(axes, combo, strict=True)), "seed": seed}))
    return out


def cell_key(values: Mapping[str, Any]) -> tuple:
    """A cell's identity: its parameters and seed, as they appear in a record."""
    return tuple(int(values[name]) for name in (*PARAMS, "seed"))


# ---------------------------------------------------------------------------- one cell


def run_cell(cell: Mapping[str, Any], cache: ModelCache | None = None) -> list[Record]:
    """Train one cell; its three records, or three records carrying the error. With a
    ``cache``, models that an earlier cell fitted with the same data and seed are reused."""
    from neuralab.labs.compare import compare_models

    base = {"seed": cell["seed"], **{name: cell[name] for name in PARAMS}}
    try:
        result = compare_models(**cell, cache=cache)
    except Exception as exc:  # recorded, and the sweep goes on
        error = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        return [{**_blank(model), **base, "error": error} for model in MODELS]
    return [{**_blank(name), **base, "accuracy": m.accuracy, "seconds": round(m.seconds, 4),
             "parameters": m.details.get("parameters")}
            for name, m in result.models.items()]


def run_cells(cells: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[Record]]]:
    """A task: cells that share their data and seed, trained with one cache, so that a model
    that does not depend on what varies (the tree and the logistic regression across MLP
    widths) is fitted once. The numbers are those of separate runs."""
    cache = ModelCache(results=1)
    return [(cell, run_cell(cell, cache)) for cell in cells]


def _share(cell: Mapping[str, Any]) -> tuple:
    """What cells must have in common to share fitted models."""
    return cell["train_size"], cell["val_size"], cell["seed"]


def tasks(todo: Sequence[Record], size: int = TASK_CELLS) -> list[list[Record]]:
    """``todo`` in tasks of up to ``size`` cells that share their data and seed."""
    groups: dict[tuple, list[Record]] = {}
    for cell in todo:
        groups.setdefault(_share(cell), []).append(cell)
    return [group[i:i + size] for group in groups.values() for i in range(0, len(group), size)]


def _blank(model: str) -> Record:
    return {column: None for column in COLUMNS} | {"model": model, "error": ""}


# ---------------------------------------------------------------------------- the file


class ResultsFile:
    """A sweep's results on disk: appended cell by cell, read back to resume."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.jsonl = self.path.suffix.lower() in (".jsonl", ".ndjson")

    def load(self, planned: Iterable[tuple]) -> dict[tuple, list[Record]]:
        """The finished cells already in the file (by :func:`cell_key`). A cell cut off
        half-written is dropped from the file, to be computed again. Raises
        :class:`SweepFileMismatch` if the file is another sweep's."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return {}
        text = self.path.read_text(encoding="utf-8")
        complete = text[: text.rfind("\n") + 1]  # a last line without its newline: cut off
        records = self._parse(complete)
        planned = set(planned)
        by_cell: dict[tuple, list[Record]] = {}
        for record in records:
            try:
                key = cell_key(record)
            except (KeyError, TypeError, ValueError):
                raise SweepFileMismatch(f"{self.path} is not a neuralab sweep's results "
                                        "file") from None
            if key not in planned:
                shown = ", ".join(f"{n}={v}" for n, v in zip((*PARAMS, "seed"), key,
                                                              strict=True))
                raise SweepFileMismatch(
                    f"{self.path} holds results of another sweep ({shown} is not in this "
                    "grid): choose another output file, or delete it to start afresh")
            by_cell.setdefault(key, []).append(record)
        done = {k: v for k, v in by_cell.items() if {r["model"] for r in v} == set(MODELS)}
        if len(done) != len(by_cell) or complete != text:  # rewrite without the cut-off cells
            self._replace([r for rs in done.values() for r in rs])
        return done

    def records(self) -> list[Record]:
        """Every record in the file, as it is."""
        return self._parse(self.path.read_text(encoding="utf-8"))

    def append(self, records: Sequence[Record]) -> None:
        """Add one cell's records in one write, flushed and synced to disk."""
        new = not self.path.exists() or self.path.stat().st_size == 0
        text = self._format(records, header=new and not self.jsonl)
        with open(self.path, "a", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    def _parse(self, text: str) -> list[Record]:
        if self.jsonl:
            try:
                return [json.loads(line) for line in text.splitlines() if line.strip()]
            except ValueError:
                raise SweepFileMismatch(f"{self.path} is not JSON Lines") from None
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None:
            return []
        if tuple(reader.fieldnames) != COLUMNS:
            raise SweepFileMismatch(f"{self.path} has other columns than a neuralab sweep's "
                                    f"({', '.join(COLUMNS)})")
        return [_typed(row) for row in reader]

    def _format(self, records: Sequence[Record], header: bool) -> str:
        if self.jsonl:
            return "".join(json.dumps({c: r.get(c) for c in COLUMNS}) + "\n" for r in records)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        if header:
            writer.writeheader()
        writer.writerows({c: ("" if r.get(c) is None else r.get(c)) for c in COLUMNS}
                         for r in records)
        return buffer.getvalue()

    def _replace(self, records: Sequence[Record]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(self._format(records, header=not self.jsonl) if records else "",
                       encoding="utf-8")
        os.replace(tmp, self.path)


def _typed(row: Mapping[str, str]) -> Record:
    """A CSV row with its numbers as numbers again (empty cells as None)."""
    out: Record = {}
    for column in COLUMNS:
        value = row.get(column, "")
        if column in ("model", "error"):
            out[column] = value or ""
        elif value == "":
            out[column] = None
        elif column in ("accuracy", "seconds"):
            out[column] = float(value)
        else:
            out[column] = int(value)
    return out


# ---------------------------------------------------------------------------- reading


def load_records(path: str | os.PathLike) -> list[Record]:
    """The records of a sweep's results file (CSV or JSON Lines), numbers as numbers."""
    return ResultsFile(path).records()


def summary(records: Sequence[Record]) -> str:
    """A readable table: each cell's settings and each model's mean accuracy (and its
    spread over the seeds, as the standard deviation), with the failed runs counted."""
    groups: dict[tuple, dict[str, list[float]]] = {}
    failed = 0
    for r in records:
        key = tuple(r[name] for name in PARAMS)
        accuracies = groups.setdefault(key, {m: [] for m in MODELS})
        if r["error"]:
            failed += 1
        elif r["accuracy"] is not None:
            accuracies[r["model"]].append(r["accuracy"])
    head = ["width", "depth", "tree", "images", "val"]
    names = {"logistic_regression": "logistic", "decision_tree": "tree", "mlp": "MLP"}
    lines = ["  ".join(f"{h:>6}" for h in head) + "".join(f"  {names[m]:>15}" for m in MODELS)]
    for key, accuracies in groups.items():
        cells = "".join(f"  {_mean_spread(accuracies[m]):>15}" for m in MODELS)
        lines.append("  ".join(f"{v:>6}" for v in key) + cells)
    seeds = len({r["seed"] for r in records})
    lines.append(f"\naccuracy: mean ± standard deviation over {seeds} seed(s)"
                 + (f"; {failed // len(MODELS)} run(s) failed (see the error column)"
                    if failed else ""))
    return "\n".join(lines)


def _mean_spread(values: Sequence[float]) -> str:
    if not values:
        return "failed"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return f"{mean:.3f}"
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"{mean:.3f} ± {spread:.3f}"


# ---------------------------------------------------------------------------- running


def sweep(
    grid: Mapping[str, Any],
    *,
    seeds: int | Sequence[int] = 3,
    out: str | os.PathLike | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_cell: Callable[[list[Record]], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[Record]:
    """Run the comparison on every cell of ``grid`` with every seed; return all records.

    Parameters
    ----------
    grid : mapping
        A value or a list of values for any of ``mlp_width``, ``mlp_depth``, ``tree_depth``,
        ``train_size``, ``val_size`` (the others keep the comparison's defaults).
    seeds : int or sequence of int
        ``N`` repeats every cell with seeds 0..N-1; a sequence gives the seeds.
    out : path, optional
        Append the records here as cells finish (CSV, or JSON Lines for ``.jsonl``), and
        skip the cells already in it.
    scheduler : str, optional
        A Dask distributed scheduler's address (``tcp://host:port``): run the cells there.
    workers : int, optional
        Local worker processes (default: one per core). Ignored with ``scheduler``.
    on_progress : callable, optional
        Called with a :class:`Progress` at the start and after every cell.
    on_cell : callable, optional
        Called with each cell's records as the cell finishes (the lab draws them).
    cancel : threading.Event, optional
        Set it to stop: no new cell starts, and the call raises :class:`SweepCancelled`
        (the cells finished so far are in ``out``).

    Records come in the grid's order, whatever order the cells finished in.
    """
    plan = cells(grid, seeds)
    keys = [cell_key(c) for c in plan]
    results = ResultsFile(out) if out is not None else None
    done = results.load(keys) if results is not None else {}
    todo = [c for c, k in zip(plan, keys, strict=True) if k not in done]
    start = time.perf_counter()
    failed = sum(any(r["error"] for r in rs) for rs in done.values())

    def report() -> None:
        if on_progress is not None:
            on_progress(Progress(len(done), failed, len(plan), len(plan) - len(todo),
                                 time.perf_counter() - start))

    report()
    runner = _on_cluster(scheduler, todo) if scheduler else _locally(todo, workers)
    for cell, records in runner:
        if results is not None:
            results.append(records)
        done[cell_key(cell)] = records
        failed += any(r["error"] for r in records)
        if on_cell is not None:
            on_cell(records)
        report()
        if cancel is not None and cancel.is_set():
            runner.close()  # cancels the cells not started
            raise SweepCancelled(f"stopped after {len(done)} of {len(plan)} runs")
    return [r for k in keys for r in sorted(done[k], key=lambda r: MODELS.index(r["model"]))]


def _locally(todo: list[Record], workers: int | None) -> Iterator[tuple[Record, list[Record]]]:
    """Cells in this process (one worker: cell by cell, sharing fitted models within each
    group of cells), or tasks of cells in worker processes started from a warm server."""
    if not todo:
        return
    batches = tasks(todo)
    count = max(1, min(workers or os.cpu_count() or 1, len(batches)))
    if count == 1:
        for batch in batches:
            cache = ModelCache(results=1)
            for cell in batch:
                yield cell, run_cell(cell, cache)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["neuralab.labs.compare", "neuralab.data"])
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures = [pool.submit(run_cells, batch) for batch in batches]
        try:
            for future in as_completed(futures):
                yield from future.result()
        finally:
            for future in futures:
                future.cancel()


def _on_cluster(address: str, todo: list[Record]) -> Iterator[tuple[Record, list[Record]]]:
    """Cells as tasks on an existing Dask distributed cluster."""
    from neuralab.cluster import connect

    client = connect(address, CONNECT_TIMEOUT)
    from distributed import as_completed as finished

    try:
        futures = [client.submit(run_cells, batch, pure=False) for batch in tasks(todo)]
        for future in finished(futures, loop=client.loop):
            yield from future.result()
    finally:
        client.close()
