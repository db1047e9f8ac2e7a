"""Browser-driven timings of the playground (issue 11), in Debian Chromium.

For each of the anchor's three settings (``/work/shared/reference/playground-anchor.md``:
a, TensorFlow Playground's defaults; b, spiral, all seven features, 6 layers of 8, L2 0.001;
c, spiral, X1 and X2, 6 layers of 8), the full-page view ``/playground`` is opened at 1280x720
and Run is pressed:

- the first frame on screen: from the click to the first frame painted with an epoch > 0
  (the view sets ``data-frames`` after it painted a frame; a MutationObserver timestamps it);
- frames painted per second over the next ``--seconds`` (default 10), and epochs trained.

Usage::

    .venv/bin/python benchmarks/bench_playground_page.py [--seconds 10] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

from browser import ARGS, CHROMIUM, start_server  # benchmarks/browser.py
from playwright.sync_api import sync_playwright

ALL = "&".join(f"playground.{f}=1" for f in ("x1_squared", "x2_squared", "x1_x2", "sin_x1",
                                             "sin_x2"))
DEEP = "playground.dataset=spiral&playground.layers=8,8,8,8,8,8"
SETTINGS = {
    "a: defaults": "",
    "b: heavy": f"{DEEP}&{ALL}&playground.regularization=l2"
                "&playground.regularization_rate=0.001",
    "c: deep, plain inputs": DEEP,
}
ANCHOR_PAGE = {"a: defaults": 36, "b: heavy": 7.2, "c: deep, plain inputs": 6.4}

WATCH = """() => {
  const view = document.querySelector('.pg');
  window.__frames = [];
  new MutationObserver(() => window.__frames.push([performance.now(), +view.dataset.epoch]))
    .observe(view, { attributes: true, attributeFilter: ['data-frames'] });
  const run = document.querySelector('.pg-run');
  window.__clicked = performance.now();
  run.click();
}"""


def measure(page, base: str, query: str, seconds: float) -> dict[str, float]:
    page.goto(f"{base}/playground?{query}")
    page.wait_for_function("Number(document.querySelector('.pg')?.dataset.frames) >= 1")
    page.evaluate(WATCH)
    page.wait_for_function("window.__frames.some(([, e]) => e > 0)")
    page.wait_for_timeout(seconds * 1000)
    clicked, frames = page.evaluate("[window.__clicked, window.__frames]")
    page.get_by_role("button", name="Run/Pause").click()
    first = next(t for t, e in frames if e > 0)
    window = [(t, e) for t, e in frames if first <= t <= first + seconds * 1000]
    return {"first_ms": first - clicked, "fps": (len(window) - 1) / seconds,
            "epochs_per_s": (window[-1][1] - window[0][1]) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    server, base = start_server()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for name, query in SETTINGS.items():
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                r = measure(page, base, query, args.seconds)
                page.close()
                rows.append((name, r))
                print(f"{name:24} first frame {r['first_ms']:6.0f} ms   "
                      f"{r['fps']:5.1f} frames/s painted   {r['epochs_per_s']:6.1f} epochs/s   "
                      f"(TensorFlow Playground's page: {ANCHOR_PAGE[name]} epochs/s)")
            browser.close()
    finally:
        server.terminate()
    if args.markdown:
        load = os.getloadavg()
        lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average "
                 f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end.", "",
                 "| setting | first frame after Run | frames painted per second | epochs "
                 "trained per second | TensorFlow Playground's page |", "|---|---|---|---|---|"]
        lines += [f"| {n} | {r['first_ms']:.0f} ms | {r['fps']:.1f} | {r['epochs_per_s']:.0f} | "
                  f"{ANCHOR_PAGE[n]} epochs/s |" for n, r in rows]
        args.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
