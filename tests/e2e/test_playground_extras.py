"""The playground page's optimizer, per-layer activations, own points, confusion matrices and
explanations, in Chromium. Waits on DOM attributes and texts, never on time."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def frames_after(page, view):
    n = int(view.get_attribute("data-frames"))
    page.wait_for_function(f"Number(document.querySelector('.pg').dataset.frames) > {n}")


def test_the_optimizer_changes_without_a_reset_and_goes_into_the_url(lab):
    page, view = lab.playground()
    step = page.get_by_role("button", name="Step", exact=True)
    step.click()
    expect(view).to_have_attribute("data-epoch", "1")
    optimizer = page.get_by_label("Optimizer", exact=True)
    expect(optimizer).to_have_value("sgd")
    optimizer.select_option("adam")
    step.click()
    expect(view).to_have_attribute("data-epoch", "2")  # no reset
    assert "playground.optimizer=adam" in page.url
    page.goto(page.url)
    lab.wait_ready()
    expect(page.get_by_label("Optimizer", exact=True)).to_have_value("adam")
    assert lab.errors == []


def test_each_layer_has_its_activation_and_the_global_one_sets_all(lab):
    page, view = lab.playground("playground.layers=4,2")
    second = page.get_by_label("Activation of layer 2", exact=True)
    expect(second).to_have_value("tanh")
    second.select_option("relu")
    expect(view).to_have_attribute("data-epoch", "0")
    assert "playground.activations=tanh,relu" in unquote(page.url)
    page.goto(page.url)
    lab.wait_ready()
    expect(page.get_by_label("Activation of layer 1", exact=True)).to_have_value("tanh")
    expect(page.get_by_label("Activation of layer 2", exact=True)).to_have_value("relu")
    # adding a layer keeps the others' activations; the new one takes the one Activation
    page.get_by_role("button", name="Add a layer", exact=True).click()
    expect(page.get_by_label("Activation of layer 3", exact=True)).to_have_value("tanh")
    expect(page.get_by_label("Activation of layer 2", exact=True)).to_have_value("relu")
    assert "playground.activations=tanh,relu,tanh" in unquote(page.url)
    page.get_by_label("Activation", exact=True).select_option("sigmoid")
    for i in (1, 2, 3):
        expect(page.get_by_label(f"Activation of layer {i}", exact=True)).to_have_value(
            "sigmoid")
    assert "activations=tanh" not in unquote(page.url)
    # the classroom link hides them with the one activation
    page.get_by_text("Classroom link: hide controls").click()
    page.get_by_label("Hide Activation (every layer's)", exact=True).check()
    page.goto(page.get_by_label("Classroom link", exact=True).input_value())
    lab.wait_ready()
    expect(page.get_by_label("Activation of layer 1", exact=True)).to_be_hidden()
    expect(page.get_by_label("Activation", exact=True)).to_be_hidden()
    expect(page.get_by_label("Optimizer", exact=True)).to_be_visible()
    assert lab.errors == []


def counts(page):
    text = page.locator(".pg-point-count").inner_text()
    train, test = map(int, re.findall(r"\d+", text))
    return train, test


def test_clicks_add_and_remove_points_and_the_download_has_them(lab):
    page, view = lab.playground()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(view).to_have_attribute("data-epoch", "1")
    toggle = page.get_by_role("button", name="Edit points", exact=True)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".pg-point-count")).to_have_text("250 training points, 250 test points")
    page.get_by_label("Class of new points", exact=True).select_option("-1")
    canvas = page.locator(".pg-output")
    box = canvas.bounding_box()
    # near the corner (5.7, 5.7): no circle point lies there
    spot = page.evaluate("""() => {
      const c = document.querySelector('.pg-output').getBoundingClientRect();
      return [c.width * (5.7 + 6) / 12, c.height * (6 - 5.7) / 12];
    }""")
    canvas.click(position={"x": spot[0], "y": spot[1]})
    expect(page.locator(".pg-point-count")).to_have_text("251 training points, 250 test points")
    expect(view).to_have_attribute("data-epoch", "0")
    href = page.locator(".pg-download").get_attribute("href")
    csv = page.request.get(f"{lab.base}{href}").text()
    added = re.compile(r"^5\.[67]\d*,5\.[67]\d*,-1$", re.M)  # where the click fell
    assert len(added.findall(csv)) == 1
    # click the point: it goes
    canvas.click(position={"x": spot[0] + 1, "y": spot[1]})
    expect(page.locator(".pg-point-count")).to_have_text("250 training points, 250 test points")
    href = page.locator(".pg-download").get_attribute("href")
    assert not added.findall(page.request.get(f"{lab.base}{href}").text())
    assert box["width"] > 100 and lab.errors == []


def test_points_can_be_added_from_the_keyboard_and_bad_ones_are_named(lab):
    page, _ = lab.playground("playground.dataset=blobs&playground.loss=cross_entropy")
    page.get_by_role("button", name="Edit points", exact=True).click()
    picker = page.get_by_label("Class of new points", exact=True)
    expect(picker.locator("option")).to_have_count(4)
    before = counts(page)
    picker.select_option("2")
    page.get_by_label("New point x1", exact=True).fill("-5.5")
    page.get_by_label("New point x2", exact=True).fill("5.5")
    page.get_by_role("button", name="Add the point", exact=True).press("Enter")
    expect(page.locator(".pg-point-count")).to_have_text(
        f"{before[0] + 1} training points, {before[1]} test points")
    page.get_by_role("button", name="Remove the point nearest", exact=True).click()
    expect(page.locator(".pg-point-count")).to_have_text(
        f"{before[0]} training points, {before[1]} test points")
    page.get_by_label("New point x1", exact=True).fill("9")
    page.get_by_role("button", name="Add the point", exact=True).click()
    expect(page.locator(".pg-message")).to_contain_text("x1")
    assert lab.errors == []


def test_a_regression_point_takes_a_value(lab):
    page, _ = lab.playground("playground.problem=regression&playground.dataset=plane")
    page.get_by_role("button", name="Edit points", exact=True).click()
    expect(page.get_by_label("Class of new points", exact=True)).to_be_hidden()
    before = counts(page)
    page.get_by_label("Value of new points", exact=True).fill("-0.5")
    page.get_by_label("New point x1", exact=True).fill("3")
    page.get_by_role("button", name="Add the point", exact=True).click()
    expect(page.locator(".pg-point-count")).to_have_text(
        f"{before[0] + 1} training points, {before[1]} test points")
    href = page.locator(".pg-download").get_attribute("href")
    assert "\n3,0,-0.5\n" in page.request.get(f"{lab.base}{href}").text()
    assert lab.errors == []


def test_the_confusion_matrices_are_tables_that_follow_the_frames(lab):
    page, view = lab.playground("playground.dataset=blobs&playground.loss=cross_entropy")
    tables = page.locator(".pg-confusion table")
    expect(tables).to_have_count(2)
    train = tables.first
    expect(train.locator("tbody tr")).to_have_count(4)
    expect(train.get_by_role("columnheader", name="Class 3")).to_be_visible()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(view).to_have_attribute("data-epoch", "1")
    cells = [int(t) for t in train.locator("tbody td").all_inner_texts()]
    assert sum(cells) == 250
    expect(train.locator("caption")).to_contain_text(re.compile(r"accuracy \d+\.\d%"))
    page.goto(f"{lab.base}/playground?playground.problem=regression&playground.dataset=plane")
    lab.wait_ready()
    expect(page.locator(".pg-confusion")).to_be_hidden()


def test_a_weight_and_a_neuron_are_explained_with_numbers(lab):
    page, _ = lab.playground()
    page.get_by_role("button", name="Layer 1, neuron 1").hover()
    explain = page.locator(".pg-explain")
    expect(explain).to_contain_text(re.compile(r"positive on \d+% of the plane"))
    expect(explain).to_contain_text("tanh")
    # the weight from X1 to layer 1, neuron 1: the middle of its curve
    x1 = page.get_by_role("button", name="Input X1").bounding_box()
    n1 = page.get_by_role("button", name="Layer 1, neuron 1").bounding_box()
    page.mouse.move((x1["x"] + x1["width"] + n1["x"]) / 2,
                    (x1["y"] + x1["height"] / 2 + n1["y"] + n1["height"] / 2) / 2)
    expect(explain).to_contain_text("Weight from X1 to layer 1, neuron 1")
    expect(explain).to_contain_text(re.compile(r"z = w1·a1 \+ w2·a2 \+ b = .* = −?\d\.\d\d; "
                                               r"this weight adds −?\d\.\d\d"))
    # keyboard: the neuron's editor lists its weights; focusing one explains it
    neuron = page.get_by_role("button", name="Layer 1, neuron 1")
    neuron.focus()
    page.keyboard.press("Enter")
    page.locator(".pg-editor").get_by_label("Bias of layer 1 neuron 1", exact=True).focus()
    expect(explain).to_contain_text("Bias of layer 1, neuron 1")
    page.get_by_role("button", name="Output", exact=True).hover()
    expect(explain).to_contain_text(re.compile(r"gets \d+\.\d% of the training points right"))
    # the loss chart's hover gives both losses at an epoch
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_role("button", name="Step", exact=True).click()
    page.locator(".pg-chart").hover()
    expect(page.locator(".pg-chart-tip")).to_contain_text(
        re.compile(r"Epoch \d+: training loss \d\.\d{3}, test loss \d\.\d{3}"))
    assert lab.errors == []


def test_a_weight_past_the_sixth_input_is_in_its_written_sum(lab):
    """A neuron with 8 inputs writes its sum in part; the explained weight's term is in it."""
    page, _ = lab.playground("playground.layers=8,2")
    page.get_by_role("button", name="Layer 2, neuron 1").focus()
    page.keyboard.press("Enter")
    page.locator(".pg-editor").get_by_label(
        "Weight from layer 1 neuron 8 to layer 2 neuron 1", exact=True).focus()
    explain = page.locator(".pg-explain")
    expect(explain).to_contain_text(re.compile(
        r"z = w1·a1 \+ w2·a2 \+ w3·a3 \+ w4·a4 \+ … \+ w8·a8 \+ b = .*\[−?\d"))
    page.locator(".pg-editor").get_by_label(
        "Weight from layer 1 neuron 2 to layer 2 neuron 1", exact=True).focus()
    expect(explain).to_contain_text(re.compile(r"z = w1·a1 \+ .* \+ w5·a5 \+ … \+ b = "))
    assert lab.errors == []


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_screenshots(sized_page, lab_url, artifacts, size):
    width, height = size
    page = sized_page(width, height)
    page.goto(f"{lab_url}/playground?playground.dataset=xor&playground.optimizer=adam"
              "&playground.activations=relu,tanh")
    view = page.locator(".pg")
    expect(view).not_to_have_attribute("data-frames", "0")
    for _ in range(20):
        page.get_by_role("button", name="Step", exact=True).click()
    expect(view).to_have_attribute("data-epoch", "20")
    page.get_by_role("button", name="Edit points", exact=True).click()
    page.get_by_role("button", name="Layer 1, neuron 2").hover()
    path = artifacts / f"playground-{width}x{height}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 20_000
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_the_new_controls_pass_axe_and_are_24_px_targets(sized_page, lab_url, size):
    from axe_playwright_python.sync_playwright import Axe

    page = sized_page(size[0], size[1])
    page.goto(f"{lab_url}/playground?playground.dataset=blobs"
              "&playground.loss=cross_entropy")
    expect(page.locator(".pg")).not_to_have_attribute("data-frames", "0")
    page.get_by_role("button", name="Edit points", exact=True).click()
    page.get_by_role("button", name="Layer 1, neuron 1").click()  # its weight editor
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["nodes"][0]["target"])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], results.generate_report()
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.pg-points button, .pg-points select, .pg-points input, .pg-layer-act')]
      .filter((e) => e.getClientRects().length)
      .map((e) => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
      .filter(([, r]) => r.width < 24 || r.height < 24).map(([h]) => h)""")
    assert small == []
