"""Browser-driven timings of the lab, in Debian Chromium against a local `neuralab serve`.

(a) a neuron slider change -> the drawing and truth table redrawn (round trip included);
(b) a pixel-matrix change -> the four pictures redrawn (round trip included);
(c) the whole page, cold cache, from localhost: load event (every asset) and every view mounted.

Times (a) and (b) run from the input event to the DOM being updated, and to the next
painted frame. Usage::

    .venv/bin/python benchmarks/bench_browser.py [--runs 200] [--loads 15] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from pathlib import Path

from browser import ARGS, CHROMIUM, percentile, start_server  # benchmarks/browser.py
from playwright.sync_api import Page, sync_playwright

# Change a control, then resolve with [ms to DOM updated, ms to the next painted frame].
TIME_CHANGE = """
async ([section, selector, values, i]) => {
  const root = document.querySelector(section);
  const input = root.querySelector(selector);
  const before = root.dataset.drawn;
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (root.dataset.drawn !== before) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(root, { attributes: true, attributeFilter: ["data-drawn"] });
  });
  input.value = values[i % values.length];
  const t0 = performance.now();
  input.dispatchEvent(new Event("input", { bubbles: true }));
  const t1 = await done;
  const painted = () => setTimeout(() => resolveFrame(performance.now()), 0);
  let resolveFrame;
  const t2 = await new Promise((r) => { resolveFrame = r; requestAnimationFrame(painted); });
  return [t1 - t0, t2 - t0];
}
"""
READY_MARK = """
new MutationObserver((_, obs) => {
  const neuron = document.getElementById("neuron");
  if (neuron && neuron.dataset.drawn && !window.__neuronAt) window.__neuronAt = performance.now();
  if (document.body && document.body.dataset.ready === "true") {
    window.__readyAt = performance.now(); obs.disconnect();
  }
}).observe(document, { attributes: true, subtree: true,
  attributeFilter: ["data-ready", "data-drawn"] });
"""


def summary(xs: list[float]) -> tuple[float, float, float]:
    return statistics.median(xs), percentile(xs, 95), max(xs)


def changes(page: Page, section: str, selector: str, values: list[str], runs: int):
    for i in range(10):  # warm up
        page.evaluate(TIME_CHANGE, [section, selector, values, i])
    dom, frame = [], []
    for i in range(runs):
        a, b = page.evaluate(TIME_CHANGE, [section, selector, values, i])
        dom.append(a)
        frame.append(b)
    return dom, frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200, help="changes timed per control")
    ap.add_argument("--loads", type=int, default=15, help="cold page loads timed")
    ap.add_argument("--markdown", type=Path, help="also write the results to this file")
    args = ap.parse_args()

    server, url = start_server()
    rows: list[tuple[str, list[float], float]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            version = browser.version
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            weights = [f"{v / 10:.1f}" for v in range(-20, 21, 3)]
            dom, frame = changes(page, "#neuron", "input[name=w1]", weights, args.runs)
            rows += [("neuron change -> DOM updated", dom, 50),
                     ("neuron change -> next frame painted", frame, 50)]
            cells = ["0.1", "0.5", "0.9", "0.3", "0.7"]
            dom, frame = changes(page, "#pixels", ".matrix.red input", cells, args.runs)
            rows += [("pixel change -> DOM updated", dom, 50),
                     ("pixel change -> next frame painted", frame, 50)]
            page.close()

            loads, ready, first, warm = [], [], [], []
            for _ in range(args.loads):
                ctx = browser.new_context(viewport={"width": 1280, "height": 720})  # cold cache
                pg = ctx.new_page()
                pg.add_init_script(READY_MARK)
                pg.goto(url, wait_until="load")
                pg.wait_for_selector("body[data-ready=true]")
                pg.wait_for_function("[...document.images].every((i) => i.complete)")
                nav = pg.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
                loads.append(nav["loadEventEnd"])
                ready.append(max(pg.evaluate("window.__readyAt"), nav["loadEventEnd"]))
                first.append(pg.evaluate("window.__neuronAt"))
                pg.reload(wait_until="load")  # a second visit: cached, compiled code
                pg.wait_for_selector("body[data-ready=true]")
                nav = pg.evaluate("performance.getEntriesByType('navigation')[0].toJSON()")
                warm.append(max(pg.evaluate("window.__readyAt"), nav["loadEventEnd"]))
                ctx.close()
            rows += [("page load, cold cache: neuron section drawn", first, 1500),
                     ("page load, cold cache: load event (HTML, CSS, modules)", loads, 1500),
                     ("page load, cold cache: all views drawn", ready, 1500),
                     ("page reload, warm cache: all views drawn", warm, 1500)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    header = f"{'measure':<56} {'n':>4} {'median':>8} {'p95':>8} {'max':>8} {'target':>7}"
    lines = [header, "-" * len(header)]
    for name, xs, target in rows:
        med, p95, mx = summary(xs)
        flag = "ok" if p95 <= target else "OVER"
        lines.append(f"{name:<56} {len(xs):>4} {med:>7.1f}  {p95:>7.1f}  {mx:>7.1f}  "
                     f"{target:>5} {flag}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, load average {load}, "
               f"Python {platform.python_version()}")
    print(f"Chromium {version}; {machine}")
    print("\n".join(lines))
    if args.markdown:
        table = ["| measure | n | median ms | p95 ms | max ms | target ms |",
                 "|---|---:|---:|---:|---:|---:|"]
        for name, xs, target in rows:
            med, p95, mx = summary(xs)
            table.append(f"| {name} | {len(xs)} | {med:.1f} | {p95:.1f} | {mx:.1f} | {target} |")
        args.markdown.write_text("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
