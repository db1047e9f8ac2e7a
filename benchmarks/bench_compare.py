"""neuralab's comparison against the lesson's own code, side by side in one process, cold.

Run: .venv/bin/python benchmarks/bench_compare.py [--repeats N]

For the lesson's defaults (32, 2, 5, 1000) and its largest settings (64, 8, 20, 5000) it
times the lesson's code (scikit-learn's LogisticRegression(max_iter=1000),
DecisionTreeClassifier(max_depth=...), MLPClassifier(hidden_layer_sizes=(w,)*d,
activation='relu', max_iter=1000) on X / 255) and neuralab.compare_models cold: a new seed
for every call and no model cache, so every model is fitted (only the MNIST slices, which
the lesson's code also has in memory, are reused). The two alternate, round by round, and
the ratio of medians is printed against the goals (25x at the defaults, 20x at the largest
settings). Then it times ``neuralab compare`` as a fresh process (median of several runs,
goal 0.6 s), and a Tree Depth slider move (warm cache). The machine's load is printed beside
the figures.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

FIRST_CALL = """
import time
t0 = time.perf_counter()
from neuralab import compare_models
compare_models()
print(time.perf_counter() - t0)
"""
PARTS = """
import time
t0 = time.perf_counter()
from neuralab import compare_models, load_mnist
load_mnist()
t1 = time.perf_counter()
compare_models(seed=1)
t2 = time.perf_counter()
compare_models()
print(t1 - t0, time.perf_counter() - t2)
"""
CASES = {"defaults": (32, 2, 5, 1000), "largest": (64, 8, 20, 5000)}
TARGETS = {"defaults": 25.0, "largest": 20.0}
FRESH_TARGET = 0.6  # seconds for a fresh `neuralab compare`


def lesson(X, y, width, depth, tree_depth, train_size, val_size=2000) -> dict[str, float]:
    """The lesson's train_and_plot, minus the widgets."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.tree import DecisionTreeClassifier

    X_train, y_train = X[:train_size], y[:train_size]
    X_val, y_val = X[-val_size:], y[-val_size:]
    lr = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    dt = DecisionTreeClassifier(max_depth=tree_depth).fit(X_train, y_train)
    mlp = MLPClassifier(hidden_layer_sizes=(width,) * depth, activation="relu",
                        max_iter=1000).fit(X_train, y_train)
    return {"logistic_regression": lr.score(X_val, y_val),
            "decision_tree": dt.score(X_val, y_val), "mlp": mlp.score(X_val, y_val)}


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="neuralab runs per case")
    parser.add_argument("--lesson-repeats", type=int, default=1, help="lesson runs per case")
    parser.add_argument("--fresh-runs", type=int, default=5,
                        help="fresh `neuralab compare` processes")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from neuralab.data import load_mnist
    from neuralab.labs.compare import ModelCache, compare_models

    mnist = load_mnist()
    X = mnist.pixels / 255.0  # the lesson's float64 features
    y = mnist.labels.astype(str)  # fetch_openml gives string labels
    compare_models()  # warm up imports and code paths
    lesson(X, y, 4, 1, 1, 100)
    compare_models(seed=999)

    seeds = itertools.count(1000)  # a new seed for every call: nothing cached
    ok = True
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| case | lesson s | neuralab s (cold) | ratio | goal | accuracy lesson -> neuralab |")
    print("|---|---|---|---|---|---|")
    for case, (w, d, td, n) in CASES.items():
        lesson_runs, ours = [], []
        for i in range(max(args.repeats, args.lesson_repeats)):
            if i < args.lesson_repeats:
                lesson_runs.append(timed(lesson, X, y, w, d, td, n))
            if i < args.repeats:
                ours.append(timed(compare_models, mlp_width=w, mlp_depth=d, tree_depth=td,
                                  train_size=n, seed=next(seeds)))
        t_lesson = statistics.median(t for t, _ in lesson_runs)
        t_ours = statistics.median(t for t, _ in ours)
        acc_lesson = {k: float(np.mean([r[k] for _, r in lesson_runs])) for k in lesson_runs[0][1]}
        acc_ours = {k: float(np.mean([r.models[k].accuracy for _, r in ours]))
                    for k in lesson_runs[0][1]}
        ratio = t_lesson / t_ours
        acc_ok = all(acc_ours[k] >= acc_lesson[k] - 0.01 for k in acc_ours)
        ok &= ratio >= TARGETS[case] and acc_ok
        accs = ", ".join(f"{k.split('_')[0]} {acc_lesson[k]:.3f} -> {acc_ours[k]:.3f}"
                         for k in acc_ours)
        print(f"| {case} ({w}, {d}, {td}, {n}) | {t_lesson:.2f} | {t_ours:.3f} | "
              f"{ratio:.1f}x | {TARGETS[case]:.0f}x | {accs} |")

    # A Tree Depth slider move once the models are cached: no model is refitted.
    cache = ModelCache()  # what the lab server keeps for its learners
    compare_models(cache=cache)
    t_slider = statistics.median(timed(compare_models, tree_depth=k, cache=cache)[0]
                                 for k in range(1, 21))
    print(f"\nTree Depth slider move at the defaults, warm cache: {t_slider * 1000:.1f} ms")

    # The first call in a fresh interpreter should cost the imports plus a warm call.
    first = statistics.median(float(subprocess.run(
        [sys.executable, "-c", FIRST_CALL], capture_output=True, text=True, check=True)
        .stdout.split()[-1]) for _ in range(3))
    parts = [subprocess.run([sys.executable, "-c", PARTS], capture_output=True, text=True,
                            check=True).stdout.split() for _ in range(3)]
    imports = statistics.median(float(p[0]) for p in parts)
    warm = statistics.median(float(p[1]) for p in parts)
    print(f"first compare_models() in a fresh interpreter: {first:.2f} s; its imports alone "
          f"{imports:.2f} s + a warm call {warm:.2f} s = {imports + warm:.2f} s "
          f"(ratio {first / (imports + warm):.2f})")

    runs = []
    for _ in range(args.fresh_runs):
        t, proc = timed(subprocess.run, [sys.executable, "-m", "neuralab", "compare"],
                        capture_output=True, text=True)
        runs.append(t)
        assert proc.returncode == 0, proc.stderr
    fresh = statistics.median(runs)
    ok &= fresh <= FRESH_TARGET
    print(f"`neuralab compare` as a fresh process (start, import, load, train, print): "
          f"median {fresh:.2f} s over {len(runs)} runs (goal {FRESH_TARGET} s)")
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")


if __name__ == "__main__":
    main()
