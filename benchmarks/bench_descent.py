"""Gradient descent in two dimensions (issue 10): the server's work, and the page's redraw.

Every figure is the median wall time (and, beside it, the least CPU time of this thread,
which a busy shared machine does not inflate).

(a) 1,000 steps of plain gradient descent, momentum and Adam from one start on every surface
    (``descend(surface=...)``, the trajectories and their JSON-ready dict), against the same
    three runs written naively (a numpy array of two weights updated step by step) and against
    PyTorch's ``torch.optim`` (SGD, SGD with momentum, Adam on a two-element tensor with
    autograd), when PyTorch is installed. Target: under 10 ms per surface.
(b) The learning-rate curve (32 rates x 3 optimizers, up to 500 steps each, ``rate_curve``)
    against the naive loop run once per rate and optimizer. Target: under 50 ms.
(c) In Chromium against a local ``neuralab serve``: a slider change on the surface (Learning
    Rate, Momentum β) and on the 2-2-1 network, from the input event to the section redrawn
    (round trip included), p95. Target: under 50 ms.

Run:  .venv/bin/python benchmarks/bench_descent.py [--repeats 30] [--runs 150] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from neuralab.labs.descent import (
    ADAM_BETAS,
    ADAM_EPS,
    OPTIMIZERS,
    RATES,
    descend,
    get_surface,
    rate_curve,
)

ALL = ("bowl", "valley", "banana", "saddle", "minima", "line")
RATE, BETA, STEPS = 0.01, 0.9, 1000  # a small rate: every run takes its 1,000 steps


def best_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall time of ``fn`` and its least CPU time (this thread), in ms, after one
    warm-up call. On a shared machine the CPU time shows the work, the wall time the wait."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.thread_time() - c0) * 1e3)
    return statistics.median(wall), min(cpu)


def naive_run(name: str, opt: str, x0: float, y0: float, rate: float, steps: int) -> list:
    """One optimizer, written as a textbook would: a 2-vector of weights, numpy per step."""
    s = get_surface(name)
    w = np.array([x0, y0])
    v = np.zeros(2)
    m = np.zeros(2)
    sq = np.zeros(2)
    b1, b2 = ADAM_BETAS
    path = [w.copy()]
    for t in range(1, steps + 1):
        g = np.array(s.grad(w[0], w[1], np))
        if opt == "gd":
            w = w - rate * g
        elif opt == "momentum":
            v = BETA * v + g
            w = w - rate * v
        else:
            m = b1 * m + (1 - b1) * g
            sq = b2 * sq + (1 - b2) * g * g
            w = w - rate * (m / (1 - b1 ** t)) / (np.sqrt(sq / (1 - b2 ** t)) + ADAM_EPS)
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e3:
            break
        path.append(w.copy())
    return path


def naive_three(name: str, x0: float, y0: float) -> None:
    for opt in OPTIMIZERS:
        naive_run(name, opt, x0, y0, RATE, STEPS)


def torch_three(name: str, x0: float, y0: float) -> None:
    import torch

    s = get_surface(name)
    for opt in OPTIMIZERS:
        w = torch.tensor([x0, y0], dtype=torch.float64, requires_grad=True)
        o = (torch.optim.Adam([w], lr=RATE) if opt == "adam" else
             torch.optim.SGD([w], lr=RATE, momentum=BETA if opt == "momentum" else 0.0))
        for _ in range(STEPS):
            o.zero_grad()
            s.loss(w[0], w[1], torch).backward()
            o.step()


def naive_curve(name: str, x0: float, y0: float) -> None:
    for opt in OPTIMIZERS:
        for rate in RATES:
            naive_run(name, opt, x0, y0, float(rate), 500)


def browser_rows(runs: int) -> list[tuple[str, list[float], float]]:
    from bench_browser import changes  # benchmarks/bench_browser.py
    from browser import ARGS, CHROMIUM, start_server
    from playwright.sync_api import sync_playwright

    server, url = start_server()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/?neuron.hidden=1&neuron.target=XOR")
            page.wait_for_selector("body[data-ready=true]")
            page.wait_for_selector("#surfaces[data-state=ready]")
            rates = [f"{r:.2f}" for r in (0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.2)]
            dom, frame = changes(page, "#surfaces", "input[name=rate]", rates, runs)
            rows += [("surface: Learning Rate -> paths redrawn", dom, 50),
                     ("surface: Learning Rate -> next frame painted", frame, 50)]
            betas = [f"{b:.2f}" for b in (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)]
            dom, frame = changes(page, "#surfaces", "input[name=beta]", betas, runs)
            rows += [("surface: Momentum β -> paths redrawn", dom, 50),
                     ("surface: Momentum β -> next frame painted", frame, 50)]
            weights = [f"{v / 10:.1f}" for v in range(-40, 41, 7)]
            dom, frame = changes(page, "#neuron", "input[name=h1_w1]", weights, runs)
            rows += [("2-2-1 network: a weight -> redrawn", dom, 50),
                     ("2-2-1 network: a weight -> next frame painted", frame, 50)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30, help="timed calls per figure")
    ap.add_argument("--runs", type=int, default=150, help="browser changes per control")
    ap.add_argument("--no-browser", action="store_true", help="skip part (c)")
    args = ap.parse_args()
    try:
        import torch

        torch.set_num_threads(1)
        have_torch = True
    except ImportError:
        have_torch = False

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{platform.machine()}, {os.cpu_count()} cores, load average {load}, "
          f"Python {platform.python_version()}, numpy {np.__version__}"
          + (f", torch {torch.__version__} (1 thread)" if have_torch else ""))

    print(f"\n(a) {STEPS:,} steps of each optimizer from the surface's start, rate {RATE} "
          "(median ms; target < 10)")
    print(f"{'surface':<8} {'steps':>6} {'neuralab':>9} {'(cpu)':>6} {'naive numpy':>12} "
          f"{'ratio':>6}" + (f" {'torch.optim':>12} {'ratio':>6}" if have_torch else ""))
    worst = 0.0
    for name in ALL:
        x0, y0 = get_surface(name).start
        run = descend(surface=name, start_x=x0, start_y=y0, rate=RATE, iterations=STEPS)
        steps = sum(p.steps_taken for p in run.paths.values())
        ours, cpu = best_ms(lambda n=name, a=x0, b=y0: descend(
            surface=n, start_x=a, start_y=b, rate=RATE, iterations=STEPS).to_dict(),
            args.repeats)
        worst = max(worst, ours)
        naive, _ = best_ms(lambda n=name, a=x0, b=y0: naive_three(n, a, b), 3)
        line = (f"{name:<8} {steps:>6} {ours:>9.2f} {cpu:>6.2f} {naive:>12.2f} "
                f"{naive / ours:>5.1f}x")
        if have_torch:
            tt, _ = best_ms(lambda n=name, a=x0, b=y0: torch_three(n, a, b), 3)
            line += f" {tt:>12.2f} {tt / ours:>5.1f}x"
        print(line)
    print(f"worst surface: {worst:.2f} ms -> {'met' if worst < 10 else 'OVER'}")

    print(f"\n(b) the learning-rate curve: {len(RATES)} rates x 3 optimizers, up to 500 steps "
          "(median ms; target < 50)")
    print(f"{'surface':<8} {'neuralab':>9} {'(cpu)':>6} {'naive numpy':>12} {'ratio':>6}")
    worst = 0.0
    for name in ALL:
        x0, y0 = get_surface(name).start
        ours, cpu = best_ms(lambda n=name, a=x0, b=y0: rate_curve(n, a, b), args.repeats)
        worst = max(worst, ours)
        naive, _ = best_ms(lambda n=name, a=x0, b=y0: naive_curve(n, a, b), 1)
        print(f"{name:<8} {ours:>9.2f} {cpu:>6.2f} {naive:>12.1f} {naive / ours:>5.0f}x")
    print(f"worst surface: {worst:.2f} ms -> {'met' if worst < 50 else 'OVER'}")

    if args.no_browser:
        return
    from bench_browser import summary

    print("\n(c) in Chromium, from the input event (ms; target p95 < 50)")
    print(f"{'measure':<48} {'n':>4} {'median':>8} {'p95':>8} {'max':>8}")
    for name, xs, target in browser_rows(args.runs):
        med, p95, mx = summary(xs)
        print(f"{name:<48} {len(xs):>4} {med:>8.1f} {p95:>8.1f} {mx:>8.1f}  "
              f"{'ok' if p95 <= target else 'OVER'}")


if __name__ == "__main__":
    main()
