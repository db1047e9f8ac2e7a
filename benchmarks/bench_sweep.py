"""A sweep that answers "width or depth?": local workers, a Dask LocalCluster, and a resume.

Run: .venv/bin/python benchmarks/bench_sweep.py [--seeds 3] [--train-size 5000]

The issue's grid: MLP width 8, 16, 32, 64 by depth 1, 2, 4, 8 on 5,000 images, each cell
with 3 seeds (48 comparisons). It times the plain loop a learner would write around
``compare_models``, the sweep in one process, on local worker processes (the default, one
per core; cells that share data and seed share their tree and logistic regression), and on
a 2-worker Dask ``LocalCluster`` on loopback; checks that all three give the
same accuracies; and times a second call on the finished results file (a resume with nothing
left to do). Targets: local workers under 60 s, the cluster at most 1.2x the local workers,
the resume under 1 s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from neuralab.labs import sweep as sweeps


def timed(**kwargs):
    t0 = time.perf_counter()
    records = sweeps.sweep(**kwargs)
    return time.perf_counter() - t0, records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--train-size", type=int, default=5000)
    args = ap.parse_args()
    grid = {"mlp_width": [8, 16, 32, 64], "mlp_depth": [1, 2, 4, 8],
            "train_size": args.train_size}
    runs = len(sweeps.cells(grid, args.seeds))
    print(f"grid: 4 widths x 4 depths x {args.seeds} seeds = {runs} comparisons on "
          f"{args.train_size} images; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")

    t0 = time.perf_counter()  # the plain loop a learner would write
    one = [r for cell in sweeps.cells(grid, args.seeds) for r in sweeps.run_cell(cell)]
    serial = time.perf_counter() - t0
    in_process, _ = timed(grid=grid, seeds=args.seeds, workers=1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep.csv"
        local, many = timed(grid=grid, seeds=args.seeds, out=out)
        resume, again = timed(grid=grid, seeds=args.seeds, out=out)
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        sweeps.sweep(grid={"train_size": 100}, seeds=1, scheduler=cluster.scheduler_address)
        on_cluster, remote = timed(grid=grid, seeds=args.seeds,
                                   scheduler=cluster.scheduler_address)
    same = {(*sweeps.cell_key(r), r["model"]): r["accuracy"] for r in one}
    for name, records in (("local workers", many), ("resume", again), ("cluster", remote)):
        other = {(*sweeps.cell_key(r), r["model"]): r["accuracy"] for r in records}
        assert other == same, f"{name} gave other accuracies than one process"

    print("\n| how | seconds | vs one process | target |")
    print("|---|---:|---:|---|")
    print(f"| one process (a plain loop) | {serial:.1f} | 1.00x | |")
    print(f"| one process (sweep, workers=1: models shared) | {in_process:.1f} | "
          f"{serial / in_process:.2f}x faster | |")
    print(f"| local workers (default) | {local:.1f} | {serial / local:.2f}x faster | "
          f"under 60 s: {'met' if local < 60 else 'MISSED'} |")
    print(f"| Dask LocalCluster, 2 workers | {on_cluster:.1f} | {serial / on_cluster:.2f}x "
          f"faster | at most 1.2x local: {on_cluster / local:.2f}x "
          f"{'met' if on_cluster <= 1.2 * local else 'MISSED'} |")
    print(f"| resume of the finished sweep | {resume:.2f} | | under 1 s: "
          f"{'met' if resume < 1 else 'MISSED'} |")
    print("\nsame accuracies in one process, on local workers, after a resume and on the "
          "cluster")


if __name__ == "__main__":
    main()
