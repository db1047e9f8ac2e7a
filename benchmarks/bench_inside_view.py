"""Browser-driven timings of section 4b ("Inside the models"), in Debian Chromium.

(a) a pen stroke on "Draw a digit" -> the three predictions (and the MLP's probability bars
    and the lit 8x64 diagram) updated for the drawing as it is after that pointer event.
    Timed in the page from the pointer event to the DOM update, round trip included
    (pixels -> PNG -> POST -> fitting and centring in Python -> three models -> JSON -> DOM).
    Three cases:
    - a dot on an idle pad (one round trip);
    - every pointer event of strokes drawn at about 60 events per second, so a request may
      already be in flight (updates are throttled to the round-trip time);
    - the last pointer event of each such stroke (what the learner sees when lifting the pen).
(b) the diagram of the largest lesson MLP (8 hidden layers of 64, 8 connections per neuron)
    rendered: from the "comparison done" event to the diagram drawn and the next frame,
    fetch included, alternating between two trained networks of that size.

Usage::

    .venv/bin/python benchmarks/bench_inside_view.py [--strokes 40] [--renders 40]
        [--markdown FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import urllib.request
from pathlib import Path

from browser import ARGS, CHROMIUM, percentile, start_server  # benchmarks/browser.py
from playwright.sync_api import Page, sync_playwright

LARGEST = {"mlp_width": 64, "mlp_depth": 8, "tree_depth": 20, "train_size": 5000,
           "val_size": 2000}

# Record when each inking pointer event arrived (before the pad's own handler runs, by the
# drawing version it is about to make) and when each prediction reached the DOM (by the
# version it answers).
WATCH_PAD = """() => {
  const draw = document.querySelector('#inside .draw');
  window.__events = []; window.__shown = [];
  if (window.__watching) return;
  window.__watching = true;
  const mark = (e) => {
    if (!e.target.matches('canvas.draw-canvas')) return;
    if (e.type === 'pointermove' && !(e.buttons & 1)) return;  // hovering draws nothing
    window.__events.push([+draw.dataset.seq + 1, performance.now()]);
  };
  draw.addEventListener('pointerdown', mark, true);
  draw.addEventListener('pointermove', mark, true);
  new MutationObserver(() => window.__shown.push([+draw.dataset.shown, performance.now()]))
    .observe(draw, { attributes: true, attributeFilter: ['data-shown'] });
}"""
SETTLED = """() => { const d = document.querySelector('#inside .draw');
  return d.dataset.shown === d.dataset.seq; }"""

# Dispatch "comparison done" and resolve with [ms to the diagram drawn, ms to next frame].
TIME_DIAGRAM = """async (params) => {
  const net = document.querySelector('#inside .net');
  const drawn = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('the diagram was not drawn within 10 s')), 10000);
    const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.now()); });
    obs.observe(net, { attributes: true, attributeFilter: ['data-state'] });
  });
  const t0 = performance.now();
  document.dispatchEvent(new CustomEvent('neuralab:compare-done', { detail: params }));
  const t1 = await drawn;
  const t2 = await new Promise((r) => requestAnimationFrame(() => setTimeout(
    () => r(performance.now()), 0)));
  return [t1 - t0, t2 - t0];
}"""


def train(url: str, params: dict) -> None:
    request = urllib.request.Request(f"{url}/api/compare", data=json.dumps(params).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


def latencies(page: Page) -> tuple[dict[int, float], list[tuple[int, float]]]:
    """Per drawing version: ms from its pointer event to the first prediction covering it."""
    events = page.evaluate("window.__events")
    shown = page.evaluate("window.__shown")
    out: dict[int, float] = {}
    for seq, t in events:
        done = next((ts for v, ts in shown if v >= seq and ts >= t), None)
        if done is not None:
            out[seq] = done - t
    return out, events


def pad_box(page: Page) -> dict:
    pad = page.get_by_role("img", name="Draw a digit", exact=True)
    pad.scroll_into_view_if_needed()
    return pad.bounding_box()


def time_strokes(page: Page, strokes: int) -> dict[str, list[float]]:
    box = pad_box(page)
    clear = page.get_by_role("button", name="Clear", exact=True)
    page.evaluate(WATCH_PAD)

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    for i in range(strokes):
        clear.click()
        page.wait_for_timeout(50)  # an idle pad: the clearing is drawn and nothing is pending
        page.mouse.move(*at(0.3 + 0.4 * (i % 5) / 4, 0.5))
        page.mouse.down()
        page.mouse.up()
        page.wait_for_function(SETTLED)
    lat, _ = latencies(page)
    dots = list(lat.values())

    page.evaluate(WATCH_PAD)  # fresh records
    every: list[float] = []
    last: list[float] = []
    for i in range(strokes):
        clear.click()
        x = 0.3 + 0.1 * (i % 4)
        page.mouse.move(*at(x, 0.15))
        page.mouse.down()
        for k in range(1, 13):  # a 12-event stroke at about 60 events per second
            page.mouse.move(*at(x + 0.02 * k, 0.15 + 0.06 * k))
            page.wait_for_timeout(16)
        page.mouse.up()
        page.wait_for_function(SETTLED)
        lat, events = latencies(page)
        seqs = [s for s, _ in events]
        every += [lat[s] for s in seqs if s in lat]
        if seqs and seqs[-1] in lat:
            last.append(lat[seqs[-1]])
        page.evaluate(WATCH_PAD)
    return {"dot": dots, "every": every, "last": last}


def time_diagram(page: Page, url: str, renders: int) -> tuple[list[float], list[float]]:
    a, b = {**LARGEST, "seed": 0}, {**LARGEST, "seed": 1}
    for params in (a, b):
        train(url, params)
    drawn, painted = [], []
    for i in range(renders + 4):  # alternate, so each event brings other models
        settled = page.locator("#inside .inside").get_attribute("data-complete")
        d, p = page.evaluate(TIME_DIAGRAM, a if i % 2 == 0 else b)
        if i >= 4:  # the first four warm up
            drawn.append(d)
            painted.append(p)
        # let the rest of the section (tree, weight images, matrices) finish first
        page.wait_for_function("(n) => document.querySelector('#inside .inside')"
                               ".dataset.complete !== n", arg=settled)
    layers = page.locator("#inside .net").get_attribute("data-layers")
    assert layers == "-".join(["784"] + ["64"] * 8 + ["10"]), layers
    return drawn, painted


def row(name: str, xs: list[float], target: float) -> str:
    med, p95, worst = statistics.median(xs), percentile(xs, 95), max(xs)
    ok = "yes" if p95 <= target else "no"
    return (f"| {name} | {len(xs)} | {med:.1f} | {p95:.1f} | {worst:.1f} | {target:.0f} "
            f"| {ok} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strokes", type=int, default=40, help="dots and strokes timed")
    ap.add_argument("--renders", type=int, default=40, help="diagram renders timed")
    ap.add_argument("--markdown", type=Path, help="also write the results to this file")
    args = ap.parse_args()

    server, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            version = browser.version
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/#inside")
            page.wait_for_selector("#inside .inside[data-complete]", timeout=60_000)
            page.set_default_timeout(20_000)
            drawn, painted = time_diagram(page, url, args.renders)
            # the strokes then light up the largest diagram too (the worst case)
            strokes = time_strokes(page, args.strokes)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    lines = [
        "| what (ms) | n | median | p95 | max | target | p95 within |",
        "|---|---|---|---|---|---|---|",
        row("dot on an idle pad -> 3 predictions in the DOM", strokes["dot"], 50),
        row("every pointer event of a stroke -> predictions covering it", strokes["every"], 50),
        row("end of a stroke -> predictions covering it", strokes["last"], 50),
        row("8x64 MLP diagram: done event -> drawn (fetch included)", drawn, 200),
        row("8x64 MLP diagram: done event -> next frame painted", painted, 200),
    ]
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"{platform.system()} {platform.release()}, Python "
               f"{platform.python_version()}, Chromium {version}")
    text = "\n".join(lines) + f"\n\nMachine: {machine}\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
