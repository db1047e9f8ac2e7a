"""The whole page by keyboard, screen reader, finger and projector.

axe-core (injected by axe-playwright-python) finds no serious or critical problem at 1280 and
390 px; every confusion matrix is one tab stop; a skip link leads to the lesson; nothing
focused hides under the sticky header; motion follows the system setting; targets are at
least 24 px; the numbers on pictures are at least 14 px.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from neuralab.params import group

pytestmark = pytest.mark.e2e
LONG = 30_000  # ms: the comparison trains before section 4b has its models


def open_ready(browser, lab_url: str, width: int, height: int, **options) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(lab_url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    expect(page.locator("#inside .inside")).to_have_attribute(
        "data-complete", re.compile(r"\d"), timeout=LONG)
    return page


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_axe_finds_no_serious_or_critical_violation(browser, lab_url, size):
    page = open_ready(browser, lab_url, *size)
    try:
        # a confusion cell opened and a neuron chosen, so their panels are checked too
        page.locator('#inside table.cm[data-model="mlp"] .cm-cell[data-true="4"]'
                     '[data-pred="9"]').click()
        expect(page.locator("#inside .cm-out")).to_have_attribute("data-state", "ready")
        results = Axe().run(page)
        bad = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], results.generate_report()
        assert page.locator("h1").count() == 1
    finally:
        page.context.close()


def test_each_confusion_matrix_is_one_tab_stop_with_arrow_keys(lab):
    page = lab.open()
    expect(page.locator("#inside .inside")).to_have_attribute(
        "data-complete", re.compile(r"\d"), timeout=LONG)
    tables = page.locator("#inside table.cm")
    expect(tables).to_have_count(3)
    for i in range(3):
        assert tables.nth(i).locator(".cm-cell[tabindex='0']").count() == 1
        assert tables.nth(i).locator(".cm-cell[tabindex='-1']").count() == 99
    mlp = page.locator('#inside table.cm[data-model="mlp"]')
    first = mlp.locator('.cm-cell[data-true="0"][data-pred="0"]')
    first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.locator("#inside .cm-cell:focus")
    expect(focused).to_have_attribute("data-true", "2")
    expect(focused).to_have_attribute("data-pred", "1")
    page.keyboard.press("End")
    expect(focused).to_have_attribute("data-pred", "9")
    # Tab leaves the matrix for the next one; Shift+Tab comes back to the same cell
    page.keyboard.press("Tab")
    expect(page.locator('#inside table.cm[data-model="logistic_regression"] .cm-cell:focus')
           ).to_have_count(1)
    page.keyboard.press("Shift+Tab")
    expect(focused).to_have_attribute("data-true", "2")
    expect(focused).to_have_attribute("data-pred", "9")
    page.keyboard.press("Enter")
    out = page.locator("#inside .cm-out")
    expect(out).to_have_attribute("data-cell", "mlp:2:9")
    expect(out.locator(".cm-what")).to_be_focused()
    page.get_by_role("button", name="Back to the MLP matrix").click()
    expect(focused).to_have_attribute("data-pred", "9")
    # the whole page: at most ~150 tab stops (the matrices used to be 300 of 442)
    stops = page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input, select, textarea, summary, [tabindex]')]
        .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length)
        .map((e) => (e.matches('.pg-data, .pg-node') ? 'roving'
          : e.closest('#playground') ? 'playground' : 'other'))""")
    assert stops.count("other") < 180, stops.count("other")
    # the playground's data sets and its network are one tab stop each
    assert stops.count("roving") == 2, stops.count("roving")


def test_skip_link_leads_to_the_lesson(lab):
    page = lab.open()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the lesson")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


UNDER_HEADER = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const header = document.querySelector('.site-header').getBoundingClientRect();
  const r = e.getBoundingClientRect();
  if (e.closest('.site-header') || e.classList.contains('skip-link')) return null;
  // no part of it under the header (the browser scrolls it into the window)
  const ok = r.top >= header.bottom - 1 && r.top < innerHeight;
  return ok ? null : `${e.outerHTML.slice(0, 90)} at ${Math.round(r.top)}..` +
    `${Math.round(r.bottom)} (header ends at ${Math.round(header.bottom)})`;
}"""


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_focus_is_never_hidden_under_the_sticky_header(browser, lab_url, size):
    page = open_ready(browser, lab_url, *size, reduced_motion="reduce")
    try:
        hidden = []
        for key in ("Tab", "Shift+Tab"):
            page.evaluate("window.scrollTo(0, %s)" % ("0" if key == "Tab" else
                                                      "document.body.scrollHeight"))
            page.locator("body").focus() if key == "Tab" else page.locator(
                ".site-footer").evaluate("(f) => { f.tabIndex = -1; f.focus(); }")
            seen = 0
            while seen < 400:
                page.keyboard.press(key)
                seen += 1
                tag = page.evaluate("document.activeElement.className")
                problem = page.evaluate(UNDER_HEADER)
                if problem:
                    hidden.append(f"{key}: {problem}")
                if key == "Tab" and tag == "skip-link" and seen > 1:
                    break
                if key == "Shift+Tab" and page.evaluate(
                        "document.activeElement.closest('.site-header') !== null"):
                    break
            assert seen > 60, f"{key} stopped after {seen} stops"
        assert hidden == []
    finally:
        page.context.close()


def test_reduced_motion_is_honoured(browser, lab_url):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(lab_url)
        page.wait_for_selector("body[data-ready=true]", timeout=15_000)
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
        fill = page.locator("#inside .prob-fill").first
        assert fill.evaluate("(e) => getComputedStyle(e).transitionDuration") == "0s"
    finally:
        context.close()
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(lab_url)
        page.wait_for_selector("body[data-ready=true]", timeout=15_000)
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") \
            == "smooth"
    finally:
        context.close()


SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main input[type=checkbox], main summary, main .cm-cell, main button')]
  .filter((e) => e.getClientRects().length && !e.closest('.visually-hidden'))
  .map((e) => [e.outerHTML.slice(0, 70), e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24).map(([h, r]) =>
    `${h} is ${r.width.toFixed(1)} x ${r.height.toFixed(1)}`)"""


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_touch_targets_are_at_least_24_px(browser, lab_url, size):
    page = open_ready(browser, lab_url, *size, has_touch=True)
    try:
        assert page.evaluate(SMALL_TARGETS) == []
        # the neurons: each column is a target at least 24 px wide, and a tap 10 px beside a
        # neuron picks it
        hits = page.locator("#inside .net-hit")
        assert hits.count() >= 3
        assert all(w >= 24 for w in hits.evaluate_all(
            "hs => hs.map((h) => h.getBoundingClientRect().width)"))
        neuron = page.locator('#inside circle.neuron[data-layer="1"][data-index="5"]')
        neuron.scroll_into_view_if_needed()
        box = neuron.bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2)
        expect(page.locator("#inside .net")).to_have_attribute("data-selected", "1:5")
    finally:
        page.context.close()


SMALL_LABELS = """() => {
  const picks = ['.chart-svg text', '.net-nodes text', '.t-node', '.t-node *', '.t-edge',
                 '.cm-cell', '.cm th', '.neuron-svg text', 'svg text'];
  const out = [];
  for (const e of document.querySelectorAll(picks.join(','))) {
    if (!e.getClientRects().length || !e.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    // an SVG drawn smaller than its viewBox shrinks its text too
    const svg = e.closest('svg');
    let scale = 1;
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    const px = size * scale;
    if (px < 13.9) out.push(`${e.outerHTML.slice(0, 60)}: ${px.toFixed(1)} px`);
  }
  return out;
}"""


def test_data_labels_are_at_least_14_px_on_a_projector(browser, lab_url):
    page = open_ready(browser, lab_url, 1280, 720)
    try:
        page.locator('#inside circle.neuron[data-layer="1"][data-index="0"]').hover()
        assert page.evaluate(SMALL_LABELS) == []
    finally:
        page.context.close()


def test_slider_help_shows_on_focus_and_tap_not_only_on_hover(sized_page, lab_url):
    for options in ({}, {"has_touch": True, "is_mobile": True}):
        page = sized_page(390, 844, **options)
        page.goto(lab_url)
        page.wait_for_selector("body[data-ready=true]", timeout=15_000)
        slider = page.locator("#neuron").get_by_label("Bias", exact=True)
        help_id = slider.get_attribute("aria-describedby")
        help_ = page.locator(f"#{help_id}")
        expect(help_).to_have_text(group("neuron")["bias"].help)
        expect(help_).to_be_hidden()
        assert slider.get_attribute("title") is None
        if options:
            slider.tap()
        else:  # by keyboard: Tab from the slider before
            page.locator("#neuron").get_by_label("Weight 2", exact=True).focus()
            page.keyboard.press("Tab")
            expect(slider).to_be_focused()
        expect(help_).to_be_visible()
        page.locator("#neuron h2").click()
        expect(help_).to_be_hidden()


def test_projector_shows_sliders_cards_and_the_whole_chart_at_once(sized_page, lab_url):
    page = sized_page(1280, 720)
    page.goto(lab_url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    expect(page.locator("#mnist .compare")).to_have_attribute("data-state", "done",
                                                              timeout=LONG)
    header = page.locator(".site-header").bounding_box()["height"]
    visible = 720 - header
    assert visible >= 665
    first = page.locator("#mnist .compare-controls").bounding_box()
    chart = page.locator("#mnist .compare-chart svg").bounding_box()
    assert chart["y"] + chart["height"] - first["y"] <= visible, (first, chart, visible)
    # scrolled to the sliders, the epoch axis title is on screen
    page.locator("#mnist .compare-controls").evaluate(
        "(e) => e.scrollIntoView({ block: 'start', behavior: 'instant' })")
    expect(page.locator("#mnist .chart-svg text", has_text=re.compile("^epoch$"))
           ).to_be_in_viewport(ratio=1)


CELL_CONTRASTS = """async () => {
  const { cellColours } = await import('/static/views/inside/mistakes.js');
  const lum = (rgb) => { const l = rgb.map((c) => { const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const worst = [];
  for (const ok of [true, false]) {
    for (let i = 0; i <= 200; i += 1) {
      const { background, dark } = cellColours(ok, i / 200, 1 + i);
      const bg = lum(background.match(/\\d+/g).map(Number));
      const fg = dark ? 1 : 0.0137;
      const ratio = (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
      if (ratio < 4.5) worst.push([ok, i / 200, background, dark, ratio]);
    }
  }
  return worst;
}"""


def test_every_confusion_cell_shade_keeps_its_text_readable(lab):
    page = lab.open()
    assert page.evaluate(CELL_CONTRASTS) == []
