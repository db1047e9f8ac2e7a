"""Section 4c in Chromium: three plots from the bundled sweeps, the learner's settings marked,
and a learning curve trained live, cell by cell."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#answers"


def test_three_plots_with_your_settings_marked(lab):
    page = lab.open("compare.mlp_width=16&compare.mlp_depth=4&compare.train_size=2000",
                    anchor="answers")
    view = page.locator(f"{S} .answers")
    expect(view).to_have_attribute("data-state", "ready", timeout=15_000)
    charts = page.locator(f"{S} .answer-chart[role=img]")
    expect(charts).to_have_count(3)
    # widths along four lines, one per depth, each with its band over the seeds
    first = page.locator(f"{S} #answer-width-depth")
    expect(first.locator(".xy-series")).to_have_count(4)
    expect(first.locator(".xy-series").first.locator("circle")).to_have_count(5)
    expect(first.locator(".band")).to_have_count(4)
    expect(first.locator("circle.you-are-here")).to_have_count(1)  # 16 x 4 is on the grid
    expect(first.locator(".answer-you")).to_contain_text("4 × 16")
    label = first.locator(".answer-chart").get_attribute("aria-label")
    assert "depth 8" in label and "Your MLP" in label
    curves = page.locator(f"{S} #answer-learning-curves")
    expect(curves.locator(".xy-series")).to_have_count(3)
    expect(curves.locator(".chart-key li")).to_have_text(
        ["Logistic regression", "Decision tree", "MLP"])
    expect(curves.locator("line.you-are-here")).to_have_count(1)
    expect(curves.locator(".answer-you")).to_contain_text("2,000 images")
    expect(page.locator(f"{S} .answer-finding").first).to_contain_text("same number of weights")
    assert lab.errors == []


def test_run_it_yourself_draws_your_curve_cell_by_cell(lab):
    page = lab.open("compare.mlp_width=8&compare.mlp_depth=1&compare.tree_depth=3",
                    anchor="answers")
    view = page.locator(f"{S} .answers")
    expect(view).to_have_attribute("data-state", "ready", timeout=15_000)
    # every state the run goes through, however fast it ends
    view.evaluate("""(v) => { window.__live = [];
      new MutationObserver(() => window.__live.push(v.dataset.live))
        .observe(v, { attributes: true, attributeFilter: ['data-live'] }); }""")
    page.locator(S).get_by_role("button", name="Run it yourself").click()
    expect(view).to_have_attribute("data-live", "done", timeout=60_000)
    assert "running" in page.evaluate("window.__live")
    assert view.get_attribute("data-cells") == "4"
    curves = page.locator(f"{S} #answer-learning-curves")
    live = curves.locator(".xy-series.live")
    expect(live).to_have_count(3)
    expect(live.first.locator("circle")).to_have_count(4)
    rows = curves.locator(".answers-live-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.locator("td").first).to_have_text("100")
    expect(page.locator(f"{S} #answer-timing .xy-series.live")).to_have_count(3)
    assert lab.errors == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_the_section_fits_a_projector_and_a_phone(sized_page, lab_url, artifacts, width, height):
    page = sized_page(width, height)
    page.goto(f"{lab_url}/#answers")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    expect(page.locator(f"{S} .answers")).to_have_attribute("data-state", "ready")
    # the sections above settle first (the comparison trains, the inside view fills)
    expect(page.locator("#mnist .compare")).to_have_attribute("data-state", "done",
                                                              timeout=30_000)
    expect(page.locator("#inside .inside")).to_have_attribute("data-state", "ready",
                                                              timeout=30_000)
    page.add_style_tag(content=".site-header { position: static; }")
    page.locator(S).scroll_into_view_if_needed()
    page.locator(S).screenshot(path=artifacts / f"answers-view-{width}x{height}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # no y tick label (such as "100 ms") runs into the turned y title
    clashes = page.evaluate("""() => [...document.querySelectorAll('#answers svg.xy')]
      .flatMap((s) => {
        const t = [...s.querySelectorAll('text.title')].map((e) => e.getBoundingClientRect())
          .find((b) => b.height > b.width);
        return [...s.querySelectorAll('text:not(.title)')].filter((e) => {
          const b = e.getBoundingClientRect();
          return b.left < t.right && b.right > t.left && b.top < t.bottom && b.bottom > t.top;
        }).map((e) => e.textContent);
      })""")
    assert clashes == []
