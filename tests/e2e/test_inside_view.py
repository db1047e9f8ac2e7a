"""Section 4b in Chromium: draw digits, read the predictions, hover the diagram, click cells.

Screenshots of the section with a digit drawn land in test-artifacts/
(``inside-drawn-1280x720.png``, ``inside-drawn-390x844.png``).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e
S = "#inside"
LONG = 20_000  # ms: the comparison above trains first
def ready(page: Page) -> None:
    expect(page.locator(f"{S} .inside")).to_have_attribute("data-complete", re.compile(r"\d"),
                                                           timeout=LONG)


def stroke(page: Page, points: list[tuple[float, float]], *, release: bool = True) -> None:
    """Draw through ``points`` (fractions of the pad) with the mouse button held."""
    pad = page.get_by_role("img", name="Draw a digit", exact=True)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    if release:
        page.mouse.up()


def predictions(page: Page) -> dict[str, str]:
    cards = page.locator(f"{S} .pred-card")
    return {cards.nth(i).get_attribute("data-model"):
            cards.nth(i).locator(".pred-digit").inner_text() for i in range(cards.count())}


def wait_predicted(page: Page) -> None:
    """Until the predictions on screen are those of the drawing as it is now."""
    page.wait_for_function("""() => { const d = document.querySelector('#inside .draw');
        return d.dataset.shown === d.dataset.seq; }""")


def test_drawing_digits_shows_three_predictions_and_probabilities(lab):
    page = lab.open(anchor="inside")
    ready(page)
    draw = page.locator(f"{S} .draw")
    # a "1": predictions arrive while the pen is still down
    stroke(page, [(0.5, 0.12), (0.5, 0.5), (0.52, 0.88)], release=False)
    expect(draw).not_to_have_attribute("data-shown", "0")
    page.mouse.up()
    wait_predicted(page)
    said = predictions(page)
    assert set(said) == {"mlp", "logistic_regression", "decision_tree"}
    assert all(re.fullmatch(r"\d", d) for d in said.values()), said
    assert said["mlp"] == "1" and said["logistic_regression"] == "1"
    values = page.locator(f"{S} .prob-value").all_inner_texts()
    assert len(values) == 10 and all(v.endswith("%") for v in values)
    assert sum(float(v[:-1]) for v in values) == pytest.approx(100, abs=2)
    expect(page.locator(f"{S} .prob.top")).to_have_attribute("data-digit", "1")
    # the 28x28 input the models saw is shown, and it has ink
    ink = page.evaluate("""() => { const c = document.querySelector('#inside .draw-input');
        const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
        let dark = 0; for (let i = 0; i < d.length; i += 4) dark += d[i] < 128; return dark; }""")
    assert ink > 10

    # Clear, then a "7" in two strokes
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.locator(f"{S} .pred-digit").first).to_have_text("–")
    stroke(page, [(0.22, 0.15), (0.5, 0.15), (0.78, 0.15)])
    stroke(page, [(0.78, 0.15), (0.62, 0.5), (0.45, 0.88)])
    wait_predicted(page)
    assert predictions(page)["mlp"] == "7"

    # a random validation digit comes with its label and the three predictions
    page.get_by_role("button", name="Random validation digit", exact=True).click()
    expect(page.locator(f"{S} .draw-note")).to_contain_text("Validation digit #")
    expect(draw).to_have_attribute("data-source", "validation")
    assert all(re.fullmatch(r"\d", d) for d in predictions(page).values())
    assert lab.errors == []


@pytest.mark.parametrize("device", ["touch", "pen"])
def test_a_finger_or_a_pen_draws_too(sized_page, lab_url, device):
    page = sized_page(390, 844, has_touch=True, is_mobile=device == "touch")
    page.goto(f"{lab_url}/#inside")
    ready(page)
    pad = page.get_by_role("img", name="Draw a digit", exact=True)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    points = [(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * f)
              for f in (0.12, 0.3, 0.5, 0.7, 0.88)]
    scrolled = page.evaluate("window.scrollY")
    cdp = page.context.new_cdp_session(page)
    if device == "touch":
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [
            {"x": points[0][0], "y": points[0][1]}]})
        for x, y in points[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                  "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        pen = {"pointerType": "pen", "button": "left", "clickCount": 1}
        cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": points[0][0],
                                              "y": points[0][1], **pen, "force": 0.5})
        for x, y in points[1:]:
            cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y,
                                                  "pointerType": "pen", "buttons": 1,
                                                  "force": 0.5})
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": points[-1][0],
                                              "y": points[-1][1], **pen})
    wait_predicted(page)
    assert predictions(page)["mlp"] == "1"
    assert page.evaluate("window.scrollY") == scrolled  # the stroke did not scroll the page


def test_the_diagram_hover_a_neuron_and_the_lit_activations(lab):
    page = lab.open("compare.mlp_depth=3&compare.mlp_width=16", anchor="inside")
    ready(page)
    net = page.locator(f"{S} .net")
    expect(net).to_have_attribute("data-layers", "784-16-16-16-10")
    expect(page.locator(f"{S} .net-rule")).to_contain_text(
        "8 incoming connections with the largest |weight|")
    expect(page.locator(f"{S} circle.neuron")).to_have_count(16 * 3 + 10)
    # hover a neuron of the second hidden layer: its incoming weights and bias
    page.locator(f'{S} circle.neuron[data-layer="2"][data-index="5"]').hover()
    info = page.locator(f"{S} .neuron-info")
    expect(info.locator("h4")).to_have_text("Hidden layer 2, neuron 6")
    expect(info).to_contain_text("16 weights")
    expect(info.locator(".neuron-bias")).to_have_text(re.compile(r"^[+−]\d\.\d{3}$"))
    expect(info.locator(".w-bars rect")).to_have_count(16)
    expect(page.locator(f"{S} .net-hl line")).to_have_count(8)
    # a first-layer neuron shows its 784 weights as an image
    page.locator(f'{S} circle.neuron[data-layer="1"][data-index="0"]').hover()
    expect(info.locator("canvas.w-img")).to_have_count(1)
    # arrow keys move between neurons
    page.locator(f"{S} .net-nodes").focus()
    page.keyboard.press("ArrowRight")
    expect(net).to_have_attribute("data-selected", "2:0")
    # a digit lights the neurons up
    page.get_by_role("button", name="Random validation digit", exact=True).click()
    expect(net).to_have_class(re.compile(r"\blit\b"))
    lit = page.evaluate("""() => [...document.querySelectorAll('#inside circle.neuron')]
        .filter((c) => c.style.fill && c.style.fill !== 'rgb(255, 255, 255)').length""")
    assert lit >= 5
    expect(info).to_contain_text("activation")
    # fewer connections per neuron
    page.locator(S).get_by_label("Connections per neuron", exact=True).focus()
    page.keyboard.press("Home")
    expect(net).to_have_attribute("data-k", "1")
    assert "inside.k=1" in lab.query()
    # the first hidden layer's weight images and logistic regression's ten
    expect(page.locator(f"{S} .first-layer .w-tile")).to_have_count(16)
    expect(page.locator(f"{S} .lr-tile")).to_have_count(10)
    assert lab.errors == []


def test_confusion_cells_gallery_and_tree(lab):
    page = lab.open(anchor="inside")
    ready(page)
    expect(page.locator(f"{S} table.cm")).to_have_count(3)
    mlp = page.locator(f'{S} table.cm[data-model="mlp"]')
    # the biggest mistake of the MLP
    counts = mlp.locator(".cm-cell:not(.ok)").evaluate_all(
        "cs => cs.map((c) => [+c.dataset.count, c.dataset.true, c.dataset.pred])")
    n, true, pred = max(counts)
    assert n > 0
    mlp.locator(f'.cm-cell[data-true="{true}"][data-pred="{pred}"]').click()
    out = page.locator(f"{S} .cm-out")
    expect(out.locator(".cm-what")).to_contain_text(f"{n} images of {true} that the MLP read "
                                                    f"as {pred}")
    expect(out.locator(".d-tile")).to_have_count(min(n, 40))
    # the gallery: the MLP's mistakes, then the tree's
    gallery = page.locator(f"{S} .gallery")
    expect(gallery.locator(".d-tile")).to_have_count(40)
    first = gallery.locator("figcaption").first.inner_text()
    a, b = (s.strip() for s in first.split("→"))
    assert a != b
    page.locator(S).get_by_label("Model", exact=True).select_option("decision_tree")
    expect(gallery).to_have_attribute("data-model", "decision_tree")
    # clicking a mistake loads it into the drawing pad
    gallery.locator(".d-tile").first.click()
    expect(page.locator(f"{S} .draw")).to_have_attribute("data-source", "validation")
    # the tree: three levels of questions at the default depth 5, the path outlined
    tree = page.locator(f"{S} .tree-wrap")
    expect(tree).to_have_attribute("data-levels", "3")
    expect(tree.locator(".t-ask")).to_have_count(7)
    expect(tree.locator(".t-node.on-path")).to_have_count(4)
    assert lab.errors == []


# Holds every message the page sends on the comparison's socket until the test releases them.
# Done inside the page: intercepting the socket in Playwright left a window, right after it
# connected to the server, in which a message could slip through and the run finish early.
HOLD_COMPARE_RUNS = """(() => {
  const Native = window.WebSocket;
  const held = [];
  let open = false;
  window.releaseCompareRuns = () => {
    open = true;
    for (const [socket, message] of held.splice(0)) Native.prototype.send.call(socket, message);
  };
  window.WebSocket = class extends Native {
    send(message) {
      if (open || !this.url.endsWith("/api/compare/ws")) super.send(message);
      else held.push([this, message]);
    }
  };
})();"""


def test_the_section_waits_for_a_comparison_then_shows_it(lab, page):
    # The comparison's run is held, so the section is seen before any model exists.
    page.add_init_script(HOLD_COMPARE_RUNS)
    page = lab.open("compare.seed=4711&compare.train_size=200", anchor="inside")
    expect(page.locator(f"{S} .inside")).to_have_attribute("data-state", "empty")
    expect(page.locator(f"{S} .inside-status")).to_have_text(
        "Run the comparison above to look inside its models.")
    expect(page.locator(f"{S} .inside-body")).to_be_hidden()
    page.evaluate("window.releaseCompareRuns()")
    ready(page)
    expect(page.locator(f"{S} .inside-status")).to_contain_text("seed 4711")
    assert lab.errors == []


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_screenshots(sized_page, lab_url, artifacts, size):
    width, height = size
    page = sized_page(width, height)
    page.goto(f"{lab_url}/#inside")
    ready(page)
    stroke(page, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    wait_predicted(page)
    page.locator(f'{S} circle.neuron[data-layer="2"][data-index="3"]').hover()
    page.locator(f'{S} table.cm[data-model="mlp"] .cm-cell[data-true="4"]'
                 '[data-pred="9"]').click()
    expect(page.locator(f"{S} .cm-what")).to_be_visible()
    page.add_style_tag(content=".site-header { position: static; }")
    path = artifacts / f"inside-drawn-{width}x{height}.png"
    page.locator(S).screenshot(path=path)
    assert path.stat().st_size > 20_000
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def phone(browser, lab_url, query: str = "", **options) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, **options)
    page = context.new_page()
    page.goto(f"{lab_url}/?{query}#inside")
    ready(page)
    return page


def test_a_tapped_confusion_cell_shows_its_digits_in_view_on_a_phone(browser, lab_url):
    page = phone(browser, lab_url)
    try:
        # the first matrix is the MLP's: the digits go below all three, far down a phone
        cell = page.locator(f'{S} table.cm[data-model="mlp"] .cm-cell[data-true="4"]'
                            '[data-pred="9"]')
        cell.scroll_into_view_if_needed()
        cell.tap()
        out = page.locator(f"{S} .cm-out")
        expect(out).to_have_attribute("data-state", "ready")
        expect(out.locator(".cm-what")).to_be_focused()
        expect(out.locator(".cm-what")).to_be_in_viewport(ratio=1)
        tiles = out.locator(".d-tile")
        if tiles.count():
            expect(tiles.first).to_be_in_viewport()
        # nothing of it under the sticky header
        top = page.evaluate("document.querySelector('.site-header').getBoundingClientRect()"
                            ".bottom")
        assert out.locator(".cm-what").bounding_box()["y"] >= top - 1
        # and back to the matrix
        page.get_by_role("button", name="Back to the MLP matrix").tap()
        expect(cell).to_be_focused()
        expect(cell).to_be_in_viewport()
    finally:
        page.context.close()


def test_counts_say_image_or_images(lab):
    page = lab.open(anchor="inside")
    ready(page)
    mlp = page.locator(f'{S} table.cm[data-model="mlp"]')
    labels = mlp.locator(".cm-cell").evaluate_all(
        "cs => cs.map((c) => [+c.dataset.count, c.getAttribute('aria-label')])")
    for n, label in labels:
        assert f": {n} image{'' if n == 1 else 's'} of " in label, label
    ones = [c for c in mlp.locator(".cm-cell").evaluate_all(
        "cs => cs.filter((c) => c.dataset.count === '1').map((c) => [c.dataset.true, "
        "c.dataset.pred])")]
    if ones:
        t, p = ones[0]
        mlp.locator(f'.cm-cell[data-true="{t}"][data-pred="{p}"]').click()
        expect(page.locator(f"{S} .cm-what")).to_contain_text(f"1 image of {t} that the MLP")


def test_tree_boxes_name_the_row_and_ask_plain_questions(lab):
    page = lab.open("inside.levels=4", anchor="inside")
    ready(page)
    tree = page.locator(f"{S} .tree-wrap")
    expect(tree.locator(".t-ask")).to_have_count(15)
    wheres = tree.locator(".t-where").all_inner_texts()
    assert wheres and all(re.fullmatch(r"Row \d+, column \d+:", w) for w in wheres), wheres
    asks = tree.locator(".t-ask-text").all_inner_texts()
    assert all(re.fullmatch(r"is the pixel blank\?|ink at most \d\.\d\d\?", a) for a in asks)
    assert not any("0.00" in a for a in asks)
    assert not any("≤" in a for a in asks)
    more = tree.locator(".t-more").all_inner_texts()
    assert set(more) <= {"More questions follow (not drawn).", "Final answer."}
    # a leaf reads as sentences, its answer apart from its count ("4140 images" before)
    leaf = " ".join(tree.locator(".t-leaf").first.text_content().split())
    assert re.fullmatch(r"Answer (\d): \d+ images, \d+% are \1\. (More questions follow "
                        r"\(not drawn\)|Final answer)\.", leaf), leaf
    assert "asks more below" not in tree.inner_text()
    # the pixel's little map says the same row and column
    first = tree.locator(".t-ask").first
    row, col = re.findall(r"\d+", first.locator(".t-where").inner_text())
    expect(first.locator(".px-map")).to_have_attribute(
        "aria-label", f"pixel at row {row}, column {col} of the 28 by 28 image")


def test_gallery_model_is_kept_in_the_url(lab):
    page = lab.open(anchor="inside")
    ready(page)
    gallery = page.locator(f"{S} .gallery")
    page.locator(S).get_by_label("Model", exact=True).select_option("logistic_regression")
    expect(gallery).to_have_attribute("data-model", "logistic_regression")
    assert "inside.model=logistic_regression" in lab.query()
    page = lab.reload()
    ready(page)
    expect(page.locator(S).get_by_label("Model", exact=True)).to_have_value(
        "logistic_regression")
    expect(page.locator(f"{S} .gallery")).to_have_attribute("data-model", "logistic_regression")


def test_predictions_stay_in_view_while_drawing_on_a_phone(sized_page, lab_url):
    page = sized_page(390, 844)
    page.goto(f"{lab_url}/#inside")
    ready(page)
    pad = page.get_by_role("img", name="Draw a digit", exact=True)
    # the pad at the bottom of the screen, where the cards below it would be off screen
    page.evaluate("""() => { const r = document.querySelector('#inside .draw-canvas')
        .getBoundingClientRect();
        window.scrollBy({ top: r.bottom - innerHeight + 4, behavior: "instant" }); }""")
    box = pad.bounding_box()
    assert box["y"] + box["height"] <= 844
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] * 0.85, steps=6)
    wait_predicted(page)  # the pen is still down
    cards = page.locator(f"{S} .pred-cards")
    expect(cards).to_be_in_viewport(ratio=1)
    assert re.fullmatch(r"\d", page.locator(f"{S} .pred-card .pred-digit").first.inner_text())
    card = cards.bounding_box()
    assert card["y"] + card["height"] <= 844 + 1
    page.mouse.up()
