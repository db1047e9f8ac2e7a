"""The playground's frame against TensorFlow Playground's own engine (the anchor's figures).

Run: .venv/bin/python benchmarks/bench_playground.py [--frames 300] [--seeds 10]

One frame is what TensorFlow Playground computes while "play" is on
(../shared/reference/playground-anchor.md): one epoch over the training points, the training
and test loss, and every neuron's output on a 100 x 100 grid over [-6, 6]^2. For the anchor's
three settings this times ``Playground.step()`` + ``losses()`` + ``grids(100)`` (the same
work), and ``frame()`` (that work plus encoding what the page draws), median over the frames,
and prints the ratio to the anchor's median range (targets: 3x at its defaults, 10x at the
heavy settings). Then it trains setting c for 1,000 epochs from ten seeds and prints the
median losses beside the anchor's (0.030 training, 0.118 test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from neuralab.labs.playground import Playground

ALL_FEATURES = {"x1_squared": True, "x2_squared": True, "x1_x2": True, "sin_x1": True,
                "sin_x2": True}
SETTINGS = {  # name: (settings, anchor ms per frame (low, high), target ratio)
    "a: its defaults (circle, 4-2)": ({}, (6.7, 12.2), 3),
    "b: heavy (spiral, all features, 6 x 8, L2)": (
        {"dataset": "spiral", **ALL_FEATURES, "layers": "8,8,8,8,8,8",
         "regularization": "l2", "regularization_rate": 0.001}, (67, 73), 10),
    "c: deep (spiral, X1 X2, 6 x 8)": ({"dataset": "spiral", "layers": "8,8,8,8,8,8"},
                                       (51, 62), 10),
}
ANCHOR_C = {"train": 0.030, "test": 0.118}


def median_ms(fn, frames: int) -> float:
    times = []
    for _ in range(frames):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; median over "
          f"{args.frames} frames\n")
    print("| setting | anchor ms/frame | neuralab ms (same work) | ratio | target | "
          "with encoding (frame()) |")
    print("|---|---:|---:|---:|---|---:|")
    ok = True
    for name, (settings, (low, high), target) in SETTINGS.items():
        pg = Playground(**settings, seed=0)

        def work(pg: Playground = pg) -> None:
            pg.step()
            pg.losses()
            pg.grids(100)

        ours = median_ms(work, args.frames)
        framed = median_ms(pg.frame, max(30, args.frames // 10))
        ratio = low / ours
        ok &= ratio >= target
        print(f"| {name} | {low}-{high} | {ours:.2f} | {ratio:.1f}x-{high / ours:.1f}x | "
              f"{target}x: {'met' if ratio >= target else 'MISSED'} | {framed:.2f} |")

    train, test = [], []
    for seed in range(args.seeds):
        pg = Playground(**SETTINGS["c: deep (spiral, X1 X2, 6 x 8)"][0], seed=seed)
        pg.step(1000)
        losses = pg.losses()
        train.append(losses["train_loss"])
        test.append(losses["test_loss"])
    print(f"\nsetting c after 1,000 epochs, median over {args.seeds} seeds: training "
          f"{statistics.median(train):.3f} (anchor {ANCHOR_C['train']}), test "
          f"{statistics.median(test):.3f} (anchor {ANCHOR_C['test']}); ours ranged "
          f"{min(train):.3f}-{max(train):.3f} and {min(test):.3f}-{max(test):.3f}")
    print("\nall speed targets met" if ok else "\nSOME SPEED TARGETS MISSED")


if __name__ == "__main__":
    main()
