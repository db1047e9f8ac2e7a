"""Where one frame of the playground page goes, in Debian Chromium (issue 11's frame rate).

Opens ``/playground`` (TensorFlow Playground's defaults, or ``--query``) at 1280x720, presses
Run for ``--seconds`` and, with timers put around the page's own calls, reports per frame:
the frame message's size, its JSON decode, the painting (the animation-frame callback:
heatmaps, thumbnails, points, weights, chart), and the frames painted per second. The
machine's load is printed beside the figures (they are noisy on a shared machine).

Usage::

    .venv/bin/python benchmarks/profile_playground_paint.py [--seconds 8] [--query QS]
"""

from __future__ import annotations

import argparse
import os

from browser import ARGS, CHROMIUM, percentile, start_server  # benchmarks/browser.py
from playwright.sync_api import sync_playwright

TIMERS = """
(() => {
  window.__decode = []; window.__paint = []; window.__sizes = [];
  const parse = JSON.parse;
  JSON.parse = function (text, ...rest) {
    if (typeof text !== 'string' || !text.startsWith('{"type": "frame"')) {
      return parse.call(this, text, ...rest);
    }
    const t = performance.now();
    const out = parse.call(this, text, ...rest);
    window.__decode.push(performance.now() - t);
    window.__sizes.push(text.length);
    return out;
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    const t = performance.now();
    cb(ts);
    window.__paint.push(performance.now() - t);
  });
})();
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--query", default="")
    args = parser.parse_args()
    proc, base = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.add_init_script(TIMERS)
            page.goto(f"{base}/playground?{args.query}")
            page.wait_for_function("Number(document.querySelector('.pg')?.dataset.frames) >= 1")
            page.evaluate("() => { window.__decode = []; window.__paint = [];"
                          " window.__sizes = []; }")
            start = int(page.locator(".pg").get_attribute("data-frames"))
            page.get_by_role("button", name="Run/Pause").click()
            page.wait_for_timeout(args.seconds * 1000)
            frames = int(page.locator(".pg").get_attribute("data-frames")) - start
            decode, paint, sizes = page.evaluate("[window.__decode, window.__paint,"
                                                 " window.__sizes]")
            browser.close()
    finally:
        proc.terminate()
        proc.wait()
    load = os.getloadavg()
    print(f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores)")
    print(f"frames painted per second: {frames / args.seconds:.1f}")
    for name, xs in (("JSON decode ms", decode), ("paint ms", paint)):
        if xs:
            print(f"{name}: median {percentile(xs, 50):.2f}, p90 {percentile(xs, 90):.2f}"
                  f" ({len(xs)} frames)")
    if sizes:
        print(f"frame message: median {percentile(sizes, 50) / 1000:.1f} kB")


if __name__ == "__main__":
    main()
