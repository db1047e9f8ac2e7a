"""Every chart's labels stay apart on a projector and on a phone: no tick label runs into an
axis title or another label (found by hand: "100 ms" into "training time (log)", "> 500"
into "500", "accuracy" into "60%" on a phone, the "x" axis name into the tick "5", "input" into
"hidden 1" above the trained MLP on a phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# The charts, and the air each label needs around it in pixels (-0.5: only overlaps count;
# the trained MLP's column titles sit on one line, where touching reads as one word). The
# rate chart's rows of marks are left out (dots side by side).
CHARTS = [["#descent .descent-svg", -0.5], ["#surfaces .rate-svg", -0.5],
          ["#mnist .chart-svg", -0.5], ["#answers svg.xy", -0.5], ["#inside .net-nodes", 3]]

CLASHES = """(charts) => {
  const out = [];
  for (const [sel, gap] of charts) {
    for (const g of document.querySelectorAll(sel)) {
      const ts = [...g.querySelectorAll('text')]
        .filter((t) => t.textContent.trim() && !t.closest('.extremes'))
        .map((t) => [t.textContent.trim(), t.getBoundingClientRect()])
        .filter(([, b]) => b.width > 0);
      ts.forEach(([n, a], i) => ts.slice(i + 1).forEach(([m, b]) => {
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > -gap &&
            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5) {
          out.push(`${sel}: "${n}" / "${m}"`);
        }
      }));
    }
  }
  return out;
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_no_chart_label_runs_into_another(sized_page, lab_url, width, height):
    page = sized_page(width, height)
    page.goto(f"{lab_url}/")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    expect(page.locator("#mnist .compare")).to_have_attribute("data-state", "done",
                                                              timeout=30_000)
    expect(page.locator("#answers .answers")).to_have_attribute("data-state", "ready")
    expect(page.locator("#surfaces")).to_have_attribute("data-state", "ready")
    page.locator("#inside .net-nodes").scroll_into_view_if_needed()
    expect(page.locator("#inside .net-nodes text.net-col")).not_to_have_count(0)
    for sel, _ in CHARTS:
        assert page.locator(sel).count() >= 1, sel
    clashes = page.evaluate(CLASHES, CHARTS)
    assert clashes == [], "\n".join(clashes)
