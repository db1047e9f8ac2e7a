"""Sweeps: records, the results file (resume, kill -9, another sweep's file), failures, and
the same numbers on a real Dask LocalCluster."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neuralab.labs import sweep as sweeps
from neuralab.labs.compare import MODELS
from neuralab.params import ParamError

SMALL = {"mlp_width": [8, 16], "train_size": 200, "val_size": 500, "tree_depth": 3}


def accuracies(records: list[dict]) -> dict[tuple, float]:
    return {(*sweeps.cell_key(r), r["model"]): r["accuracy"] for r in records}


def test_records_of_a_small_grid(tmp_path):
    out = tmp_path / "sweep.csv"
    seen: list[sweeps.Progress] = []
    records = sweeps.sweep(SMALL, seeds=2, out=out, workers=1, on_progress=seen.append)
    assert len(records) == 2 * 2 * len(MODELS)
    assert [r["model"] for r in records[:3]] == list(MODELS)  # in the grid's order
    for r in records:
        assert set(r) == set(sweeps.COLUMNS)
        assert r["error"] == "" and 0 < r["accuracy"] <= 1 and r["seconds"] > 0
        assert r["train_size"] == 200 and r["val_size"] == 500 and r["mlp_depth"] == 2
        assert r["parameters"] > 0
    mlp = {(r["mlp_width"], r["seed"]): r["parameters"] for r in records if r["model"] == "mlp"}
    assert mlp[(8, 0)] == 784 * 8 + 8 + 8 * 8 + 8 + 8 * 10 + 10
    assert [p.done for p in seen] == [0, 1, 2, 3, 4] and seen[-1].total == 4
    assert seen[-1].eta == 0 and seen[0].eta is None
    # the file holds exactly the records, with a header
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(records) and tuple(rows[0]) == sweeps.COLUMNS
    # the same seed gives the same numbers
    again = sweeps.sweep(SMALL, seeds=2, workers=1)
    assert accuracies(again) == accuracies(records)


def test_the_csv_loads_straight_into_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    out = tmp_path / "sweep.csv"
    records = sweeps.sweep({**SMALL, "mlp_width": 8}, seeds=[3], out=out, workers=1)
    frame = pd.read_csv(out, keep_default_na=False)
    assert list(frame.columns) == list(sweeps.COLUMNS)
    assert frame.to_dict("records") == records
    assert pd.DataFrame(records).groupby("model")["accuracy"].count().to_dict() == {
        m: 1 for m in MODELS}


def test_json_lines_too(tmp_path):
    out = tmp_path / "sweep.jsonl"
    records = sweeps.sweep({**SMALL, "mlp_width": 8}, seeds=1, out=out, workers=1)
    import json

    assert [json.loads(line) for line in out.read_text().splitlines()] == records


def test_worker_processes_give_the_same_numbers(tmp_path):
    one = sweeps.sweep(SMALL, seeds=2, workers=1)
    two = sweeps.sweep(SMALL, seeds=2, workers=2)
    assert accuracies(two) == accuracies(one)


@pytest.mark.parametrize(("grid", "seeds", "param"), [
    ({"mlp_width": [8, 0]}, 1, "mlp_width"),
    ({"mlp_depth": 99}, 1, "mlp_depth"),
    ({"train_size": [65000], "val_size": 10000}, 1, "train_size"),
    ({"colour": 1}, 1, "colour"),
    ({"seed": [1, 2]}, 1, "seed"),
    ({"mlp_width": []}, 1, "mlp_width"),
    ({}, 0, "seeds"),
    ({}, [-1], "seed"),
])
def test_every_value_is_checked_before_anything_runs(grid, seeds, param):
    with pytest.raises(ParamError) as info:
        sweeps.sweep(grid, seeds=seeds)
    assert info.value.param == param and isinstance(info.value, ValueError)


def test_a_cell_that_raises_is_recorded_and_the_sweep_goes_on(monkeypatch):
    import neuralab.labs.compare as compare

    real = compare.compare_models

    def flaky(**kwargs):
        if kwargs["mlp_width"] == 8:
            raise RuntimeError("the machine caught fire")
        return real(**kwargs)

    monkeypatch.setattr(compare, "compare_models", flaky)
    records = sweeps.sweep(SMALL, seeds=1, workers=1)
    failed = [r for r in records if r["mlp_width"] == 8]
    assert len(failed) == 3 and all("RuntimeError: the machine caught fire" in r["error"]
                                     and r["accuracy"] is None for r in failed)
    assert all(r["error"] == "" and r["accuracy"] > 0 for r in records if r["mlp_width"] == 16)
    assert "1 run(s) failed" in sweeps.summary(records)


def test_a_finished_sweep_computes_nothing_again(tmp_path, monkeypatch):
    out = tmp_path / "sweep.csv"
    first = sweeps.sweep(SMALL, seeds=2, out=out, workers=1)
    calls = []
    monkeypatch.setattr(sweeps, "run_cell", lambda cell, cache=None: calls.append(cell) or [])
    assert sweeps.sweep(SMALL, seeds=2, out=out, workers=1) == first
    assert calls == []
    # a wider grid over the same file computes only its new cells
    monkeypatch.undo()
    wider = sweeps.sweep({**SMALL, "mlp_width": [8, 16, 24]}, seeds=2, out=out, workers=1)
    assert len(wider) == 18 and len(out.read_text().splitlines()) == 1 + 18


def test_another_sweeps_file_is_refused(tmp_path):
    out = tmp_path / "sweep.csv"
    sweeps.sweep({**SMALL, "mlp_width": 24}, seeds=1, out=out, workers=1)
    before = out.read_text()
    with pytest.raises(sweeps.SweepFileMismatch, match="another sweep"):
        sweeps.sweep(SMALL, seeds=1, out=out, workers=1)
    (tmp_path / "other.csv").write_text("name,score\nx,1\n")
    with pytest.raises(sweeps.SweepFileMismatch, match="other columns"):
        sweeps.sweep(SMALL, seeds=1, out=tmp_path / "other.csv", workers=1)
    assert out.read_text() == before  # nothing lost


def test_a_sweep_killed_with_sigkill_resumes_where_it_stopped(tmp_path, monkeypatch):
    out = tmp_path / "sweep.csv"
    grid = ["--mlp-width", "8", "16", "24", "32", "--train-size", "300", "--val-size", "500"]
    cmd = [sys.executable, "-m", "neuralab", "sweep", *grid, "--seeds", "3", "--workers", "1",
           "--quiet", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until at least two cells are on disk
        if out.exists() and len(out.read_text().splitlines()) >= 1 + 2 * len(MODELS):
            break
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    text = out.read_text()
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    complete = {}
    for row in rows:
        complete.setdefault(sweeps.cell_key(sweeps._typed(row)), []).append(row)
    finished = {k for k, v in complete.items() if len(v) == len(MODELS)}
    assert 2 <= len(finished) < 12
    if not text.endswith("\n"):  # cut off mid-line: that cell counts as not finished
        assert len(finished) >= 2

    computed = []
    real = sweeps.run_cell
    monkeypatch.setattr(sweeps, "run_cell",
                        lambda cell, cache=None: computed.append(cell) or real(cell, cache))
    grid_api = {"mlp_width": [8, 16, 24, 32], "train_size": 300, "val_size": 500}
    records = sweeps.sweep(grid_api, seeds=3, out=out, workers=1)
    keys = [sweeps.cell_key(r) for r in records]
    assert len(records) == 12 * len(MODELS)
    assert all(keys.count(k) == len(MODELS) for k in set(keys))  # every cell exactly once
    assert {sweeps.cell_key(c) for c in computed}.isdisjoint(finished)  # nothing redone
    assert len(computed) == 12 - len(finished)
    with open(out, newline="") as f:
        assert len(list(csv.DictReader(f))) == 12 * len(MODELS)
    # the cells finished before the kill are still the very rows written then
    for key in finished:
        kept = [r for r in records if sweeps.cell_key(r) == key]
        assert [str(r["seconds"]) for r in kept] == [row["seconds"] for row in complete[key]]


def test_a_local_dask_cluster_gives_the_same_numbers():
    distributed = pytest.importorskip("distributed")
    local = sweeps.sweep(SMALL, seeds=2, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = sweeps.sweep(SMALL, seeds=2, scheduler=cluster.scheduler_address)
    assert accuracies(remote) == accuracies(local)


def test_an_unreachable_scheduler_is_one_clear_error_within_seconds():
    pytest.importorskip("distributed")
    t0 = time.monotonic()
    with pytest.raises(sweeps.SchedulerUnreachable, match="tcp://127.0.0.1:9"):
        sweeps.sweep(SMALL, seeds=1, scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - t0 < 15


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neuralab", "sweep", *args],
                          capture_output=True, text=True, timeout=180, cwd=cwd)


def test_the_command_writes_the_contracts_columns(tmp_path):
    out = tmp_path / "s.csv"
    proc = run_cli("--mlp-width", "8", "16", "--mlp-depth", "1", "--train-size", "200",
                   "--val-size", "500", "--seed", "4", "5", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * 2 * 3
    assert {"model", "accuracy", "seconds", "seed", "error", "mlp_width", "mlp_depth",
            "tree_depth", "train_size", "val_size"} <= set(rows[0])
    assert {r["seed"] for r in rows} == {"4", "5"} and {r["mlp_depth"] for r in rows} == {"1"}
    assert "MLP" in proc.stdout and "± " in proc.stdout and "12 rows in" in proc.stdout
    assert proc.stderr == ""  # --quiet, and not a terminal anyway


@pytest.mark.parametrize(("args", "needle"), [
    (["--mlp-width", "8", "0"], "--mlp-width must be an integer from 1 to 1024 (got '0')"),
    (["--seeds", "0"], "--seeds must be an integer from 1 to 1000"),
    (["--seeds", "2", "--seed", "1"], "not allowed with argument"),
    (["--train-size", "65000", "--val-size", "10000"], "when --val-size is 10000"),
    (["--mlp-width", *map(str, range(1, 30)), "--mlp-depth", "1", "2", "3"],
     "this sweep is 261 runs (more than 200); add --yes to run it"),
    (["--mlp-widht", "8"], "did you mean --mlp-width?"),
])
def test_bad_flags_exit_2_with_one_line(args, needle):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_the_command_refuses_another_sweeps_file_and_an_absent_scheduler(tmp_path):
    out = tmp_path / "s.csv"
    out.write_text("name,score\nx,1\n")
    proc = run_cli("--train-size", "200", "--out", str(out), "--quiet")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "other columns" in proc.stderr
    proc = run_cli("--train-size", "200", "--scheduler", "tcp://127.0.0.1:9", "--quiet")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "no Dask scheduler answered at tcp://127.0.0.1:9" in proc.stderr


def test_a_terminal_gets_a_progress_bar(tmp_path):
    import pty

    out = tmp_path / "s.csv"
    cmd = [sys.executable, "-m", "neuralab", "sweep", "--mlp-width", "8", "16", "--train-size",
           "200", "--val-size", "500", "--seeds", "2", "--workers", "1", "--out", str(out)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the sweep, its stderr a terminal
        os.execv(sys.executable, cmd)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert "sweep: 100%" in screen and "4/4" in screen and "run" in screen
    # run again: the runs on disk are skipped, and the bar says so
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, cmd)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    assert "4 runs already done, skipped" in b"".join(chunks).decode("utf-8", "replace")


def test_cells_sharing_data_and_seed_share_their_fitted_models():
    plan = sweeps.cells({**SMALL, "mlp_width": [8, 16, 24], "mlp_depth": [1, 2]}, seeds=2)
    batches = sweeps.tasks(plan, size=4)
    assert sum(len(b) for b in batches) == len(plan) == 12
    for batch in batches:  # each task: one data set and seed, at most 4 cells
        assert len(batch) <= 4 and len({(c["train_size"], c["seed"]) for c in batch}) == 1
    together = sweeps.run_cells(batches[0])
    for cell, records in together:  # the same numbers as cells run on their own
        alone = sweeps.run_cell(cell)
        assert [r["accuracy"] for r in records] == [r["accuracy"] for r in alone]
