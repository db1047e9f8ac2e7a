"""Screenshots of every section at projector and phone size, with layout checks.

The PNGs land in test-artifacts/ (e.g. ``neuron-1280x720.png``). At both sizes nothing may
overflow the page sideways, and no two controls may overlap or stick out of their section.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

VIEWPORTS = {"projector": (1280, 720), "phone": (390, 844)}
SECTIONS = ("functions", "pixels", "descent", "surfaces", "mnist", "neuron",
            "next")  # and any newer ones
# A state worth looking at: a header typed in, the neuron solving AND with both inputs on.
QUERY = "&".join([
    "functions.pedestrian=" + quote("def has_pedestrian(photo: np.ndarray) -> bool:"),
    "neuron.w1=1", "neuron.w2=1", "neuron.bias=-1", "neuron.x1=1", "neuron.x2=1",
    "pixels.resolution=32", "descent.learning_rate=0.3", "descent.rate=0.4",
])

LAYOUT_PROBLEMS = """
(sel) => {
  const problems = [];
  const visible = (e) => { const r = e.getBoundingClientRect();  // decorations are skipped
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      && !e.closest('[aria-hidden=true]'); };
  for (const section of document.querySelectorAll('main > section')) {
    const box = section.getBoundingClientRect();
    const els = [...section.querySelectorAll(sel)].filter(visible);
    for (const e of els) {
      const r = e.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        problems.push(`${section.id}: ${e.outerHTML.slice(0, 80)} sticks out of its section`);
      }
      if (['BUTTON', 'OUTPUT', 'SELECT'].includes(e.tagName) && e.scrollWidth > e.clientWidth + 1) {
        problems.push(`${section.id}: the text of ${e.outerHTML.slice(0, 80)} is clipped`);
      }
    }
    for (let i = 0; i < els.length; i++) {
      for (let j = i + 1; j < els.length; j++) {
        const a = els[i], b = els[j];
        if (a.contains(b) || b.contains(a)) continue;
        const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) {
          const [x, y] = [a.outerHTML.slice(0, 60), b.outerHTML.slice(0, 60)];
          problems.push(`${section.id}: ${x} overlaps ${y}`);
        }
      }
    }
  }
  return problems;
}
"""
CONTROLS = "input, select, button, textarea, summary, output, label, canvas, .badge"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_sections_look_right(sized_page, lab_url, artifacts, size):
    width, height = VIEWPORTS[size]
    page = sized_page(width, height)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{lab_url}/?{QUERY}")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.wait_for_function("[...document.images].every((i) => i.complete)")
    page.locator("#functions .fn-summary").first.filter(has_text="Well done").wait_for()
    page.screenshot(path=artifacts / f"page-top-{width}x{height}.png")
    for section in ("#descent", "#surfaces"):
        step = page.locator(section).get_by_role("button", name="Step", exact=True)
        for _ in range(3 if section == "#descent" else 12):
            step.click()
    # The sticky bar would cover the top of each section's picture.
    page.add_style_tag(content=".site-header { position: static; }")
    names = page.eval_on_selector_all("main > section", "els => els.map((e) => e.id)")
    assert set(SECTIONS) <= set(names)
    for name in names:
        section = page.locator(f"#{name}")
        section.scroll_into_view_if_needed()
        section.screenshot(path=artifacts / f"{name}-{width}x{height}.png")
        assert (artifacts / f"{name}-{width}x{height}.png").stat().st_size > 5_000

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide at {width} px"
    assert page.evaluate(LAYOUT_PROBLEMS, CONTROLS) == []
    assert errors == []
