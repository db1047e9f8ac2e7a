"""Browser-driven timings of the MNIST comparison (section 4), in Debian Chromium.

From releasing a slider (its ``change`` event) to (a) the first MLP epoch drawn on screen and
(b) the whole comparison displayed (three accuracies, the full curve, "Done"), each up to the
next painted frame, at the lesson's defaults (MLP Width 32, MLP Depth 2, Tree Depth 5,
Dataset Size 1000), in three situations:

* cold: the server's model cache is cleared first, so all three models train;
* new MLP width: MLP Width is released at a value not seen before, so the MLP trains and
  the other two models come from the cache (what a learner exploring the slider meets);
* seen before: MLP Width goes back to a value already trained (everything from the cache).

The lab server runs in this process (uvicorn in a thread) so that the cold case can clear
its cache between repeats. Usage::

    .venv/bin/python benchmarks/bench_compare_view.py [--repeats 30] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn
from browser import ARGS, CHROMIUM, percentile  # benchmarks/browser.py
from playwright.sync_api import Page, sync_playwright

from neuralab.server import create_app

TARGET_FIRST_EPOCH_MS = 300
SETTLE_MS = 700  # pause before each timed release

# Release the slider named `label` at `value`; resolve with [ms to the first epoch painted,
# ms to the whole comparison painted].
RELEASE = """
async ([label, value]) => {
  const view = document.querySelector("#mnist .compare");
  const input = [...view.querySelectorAll("label")]
    .find((l) => l.textContent === label).control;
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const when = (test) => new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (test()) { obs.disconnect(); resolve(); }
    });
    obs.observe(view, { attributes: true, attributeFilter: ["data-epochs", "data-state"] });
  });
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const t0 = performance.now();
  input.dispatchEvent(new Event("change", { bubbles: true }));
  const first = when(() => view.dataset.state === "running" && +view.dataset.epochs >= 1)
    .then(painted).then(() => performance.now() - t0);
  const done = when(() => view.dataset.state === "done")
    .then(painted).then(() => performance.now() - t0);
  const state = await Promise.race([done.then(() => "done"),
    new Promise((r) => setTimeout(() => r("timeout"), 30000))]);
  if (state !== "done") throw new Error("the comparison did not finish");
  return [await Promise.race([first, done]), await done];
}
"""


def start_server() -> tuple[uvicorn.Server, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the lab server did not start")
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def release(page: Page, label: str, value: int) -> tuple[float, float]:
    first, done = page.evaluate(RELEASE, [label, str(value)])
    return first, done


def measure(page: Page, repeats: int, prepare: Callable[[int], None],
            value: Callable[[int], int]) -> tuple[list[float], list[float]]:
    firsts, dones = [], []
    for i in range(repeats):
        prepare(i)
        # A learner pauses between slider moves: let the previous run's follow-up work (the
        # inside view below reloads its diagrams from the server) finish before timing.
        page.wait_for_timeout(SETTLE_MS)
        first, done = release(page, "MLP Width", value(i))
        firsts.append(first)
        dones.append(done)
    return firsts, dones


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30, help="slider releases timed per case")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = ap.parse_args()

    load_before = os.getloadavg()[0]
    server, url = start_server()
    rows: list[tuple[str, list[float], list[float]]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            version = browser.version
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/#mnist")
            page.wait_for_selector("body[data-ready=true]")
            page.wait_for_selector("#mnist .compare[data-state=done]", timeout=30_000)
            for _ in range(3):  # warm up: the engine, the browser's chart, the cache
                release(page, "MLP Width", 31)
                release(page, "MLP Width", 32)

            def cold(i: int) -> None:
                release(page, "MLP Width", 31)
                server.config.app.state.models.clear()

            rows.append(("cold (all three models train)",
                         *measure(page, args.repeats, cold, lambda i: 32)))
            # widths 33..64 and 4..30 are new to the cache; 31 and 32 were trained above
            fresh = [w for w in [*range(33, 65), *range(4, 31)]]
            rows.append(("new MLP width (the MLP trains, the rest is cached)",
                         *measure(page, min(args.repeats, len(fresh)), lambda i: None,
                                  lambda i: fresh[i])))
            rows.append(("seen before (everything cached)",
                         *measure(page, args.repeats, lambda i: None,
                                  lambda i: 31 + i % 2)))
            browser.close()
    finally:
        server.should_exit = True

    header = (f"{'slider release at the defaults':<52} {'n':>3} {'first epoch':>18} "
              f"{'whole comparison':>18}")
    lines = [header, f"{'':<52} {'':>3} {'median':>8} {'p95':>9} {'median':>8} {'p95':>9}",
             "-" * len(header)]
    table = ["| slider release at the lesson's defaults | n | first epoch on screen, "
             "median ms | p95 ms | whole comparison on screen, median ms | p95 ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, firsts, dones in rows:
        f50, f95 = statistics.median(firsts), percentile(firsts, 95)
        d50, d95 = statistics.median(dones), percentile(dones, 95)
        lines.append(f"{name:<52} {len(firsts):>3} {f50:>8.0f} {f95:>9.0f} {d50:>8.0f} {d95:>9.0f}")
        table.append(f"| {name} | {len(firsts)} | {f50:.0f} | {f95:.0f} | {d50:.0f} | {d95:.0f} |")
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}, Chromium {version}; 1-minute load average "
               f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(machine)
    print("\n".join(lines))
    print(f"target: first epoch on screen within {TARGET_FIRST_EPOCH_MS} ms")
    if args.markdown:
        args.markdown.write_text(f"Machine: {machine}\n\n" + "\n".join(table) + "\n")


if __name__ == "__main__":
    main()
