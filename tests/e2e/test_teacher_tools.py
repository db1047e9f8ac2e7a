"""The teacher's tools in Chromium: the link builder (sections, settings, hidden controls, a
task), a task checked from what the page shows, a link's bad fields named, the class view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#neuron"

# The neuron section's controls (single neuron) and readouts, by role and accessible name.
NEURON = {
    "slider": ("Weight 1", "Weight 2", "Bias"),
    "combobox": ("Target Function", "Activation"),
    "checkbox": ("First input ON", "Second input ON", "Hidden layer"),
}


def open_builder(lab, query: str = ""):
    page = lab.open(query)
    page.get_by_role("button", name="For teachers").click()
    dialog = page.get_by_role("dialog", name="A link for your class")
    expect(dialog).to_be_visible()
    return page, dialog


def test_the_builder_makes_a_link_that_shows_exactly_what_was_chosen(lab):
    page, dialog = open_builder(lab, "neuron.w1=-1")
    for name in ("1 Functions", "2 Images", "3 Gradient descent", "3b Two weights", "4 MNIST",
                 "4b Inside", "4c Answers", "5b Playground", "6 What next"):
        dialog.get_by_label(name, exact=True).uncheck()
    dialog.get_by_label("Task", exact=True).select_option("nand")
    dialog.get_by_label("Hide Weight 1", exact=True).check()
    dialog.get_by_label("Hide Bias", exact=True).check()
    link = dialog.get_by_label("Link for the class", exact=True).input_value()
    assert "sections=neuron" in link and "task=nand" in link
    assert "neuron.hide=w1,bias" in link and "neuron.target=NAND" in link
    assert "neuron.w1=-1" in link  # the page's current settings travel with it
    assert "neuron.target=NAND" in link  # and the task's own (its target)
    dialog.get_by_role("button", name="Copy the link").click()
    expect(dialog.locator(".teach-copied")).not_to_have_text("")

    page.goto(link)
    lab.wait_ready()
    section = page.locator(S)
    hidden = {"Weight 1", "Bias"}
    for role, names in NEURON.items():
        for name in names:
            control = section.get_by_role(role, name=name, exact=True)
            if name in hidden:
                expect(control).to_be_hidden()
            else:
                expect(control).to_be_visible()
    # the readouts stay: the truth table, the verdict, the picture
    expect(section.locator("table.truth")).to_be_visible()
    expect(section.locator(".verdict")).to_be_visible()
    expect(section.get_by_role("combobox", name="Target Function")).to_have_value("NAND")
    expect(page.locator("#playground")).to_be_hidden()
    expect(section.locator(".task-box")).to_be_visible()
    expect(page.locator(".link-note")).to_have_count(0)  # nothing in it was wrong
    assert lab.errors == []


def test_the_playground_link_still_hides_its_parts_and_keeps_its_readouts(lab):
    page = lab.page
    page.goto(f"{lab.base}/playground?playground.hide=features,layers&task=spiral")
    lab.wait_ready()
    pg = page.locator("#playground")
    expect(pg.get_by_role("checkbox", name="X1", exact=True)).to_be_hidden()
    for name in ("Epoch", "Training loss", "Test loss"):
        expect(pg.get_by_role("status", name=name, exact=True)).to_be_visible()
    for name in ("Learning rate", "Activation", "Regularization"):
        expect(pg.get_by_role("combobox", name=name, exact=True)).to_be_visible()
    expect(pg.locator(".task-box")).to_contain_text("Spiral")


def test_bad_and_unknown_fields_fall_back_and_are_named(lab):
    page = lab.open("neuron.w1=9&neuron.bogus=1&neuron.hide=w1,nothing&sections=neuron,nope"
                    "&task=fly")
    note = page.locator(".link-note")
    expect(note).to_contain_text("neuron.w1 (now 2)")
    expect(note).to_contain_text("neuron.bogus (unknown)")
    expect(note).to_contain_text("neuron.hide: nothing")
    expect(note).to_contain_text("sections: nope (unknown)")
    expect(note).to_contain_text('no task named "fly"')
    expect(page.locator(S).get_by_role("slider", name="Weight 1", exact=True)).to_be_hidden()
    expect(page.locator(S).get_by_role("slider", name="Weight 2", exact=True)).to_be_visible()


def _set(lab, label, presses):
    key = "ArrowRight" if presses > 0 else "ArrowLeft"
    lab.press(label, key, abs(presses), within=S)


def test_nand_is_checked_from_the_neurons_outputs(lab):
    page = lab.open("sections=neuron&task=nand")
    box = page.locator(f"{S} .task-box")
    expect(box).to_have_attribute("data-state", "todo")
    expect(box.locator(".task-progress")).to_contain_text("of 4 input pairs right")
    # the task's preset: the neuron's own target is NAND too, and the link says so
    expect(page.locator(S).get_by_role("combobox", name="Target Function")).to_have_value("NAND")
    assert "neuron.target=NAND" in lab.query()
    # w1 = w2 = -1, bias = 1.5: ON unless both inputs are ON (relu: ON when the sum > 0)
    _set(lab, "Weight 1", -10)
    _set(lab, "Weight 2", -10)
    expect(box.locator(".task-progress")).to_have_text("1 of 4 input pairs right.")
    _set(lab, "Bias", 10)  # bias 1: the sum of (0, 1) is 0, which is not ON
    expect(box.locator(".task-progress")).to_have_text("2 of 4 input pairs right.")
    expect(box).to_have_attribute("data-state", "todo")
    _set(lab, "Bias", 5)
    expect(box).to_have_attribute("data-state", "done")
    expect(box.get_by_role("status")).to_have_text("Task done: Make the neuron compute NAND.")
    # the class view counted it (the server checked the weights itself)
    counts = page.request.get(f"{lab.base}/api/class").json()
    assert {t["id"]: t["done"] for t in counts["tasks"]}["nand"] >= 1


def test_a_task_not_met_stays_not_done(lab):
    page = lab.open("sections=neuron&task=nand&neuron.w1=-1&neuron.w2=-1&neuron.bias=1.5"
                    "&neuron.hidden=1")
    box = page.locator(f"{S} .task-box")
    expect(box.locator(".task-progress")).to_contain_text("Turn the hidden layer off")
    expect(box).to_have_attribute("data-state", "todo")
    lab.press("Hidden layer", "Space", within=S)  # off: the single neuron computes NAND
    expect(box).to_have_attribute("data-state", "done")


def test_the_banana_task_is_checked_from_the_paths(lab):
    page = lab.open("sections=surfaces&task=banana&descent.surface=banana")
    box = page.locator("#surfaces .task-box")
    expect(box.locator(".task-progress")).to_have_text("Reached the minimum in 56 steps.")
    expect(box).to_have_attribute("data-state", "todo")
    page = lab.open("sections=surfaces&task=banana&descent.surface=banana&descent.rate=0.12"
                    "&descent.beta=0.7")
    expect(box).to_have_attribute("data-state", "done")
    expect(box.locator(".task-progress")).to_have_text("Reached the minimum in 29 steps.")


def test_the_pixel_task_is_checked_from_the_picture(lab):
    page = lab.open("sections=pixels&task=yellow")
    box = page.locator("#pixels .task-box")
    expect(box.locator(".task-progress")).to_contain_text("channels still to set")
    expect(box).to_have_attribute("data-state", "todo")
    page = lab.open("sections=pixels&task=yellow&pixels.red=0.8,0,0,0,1,0,0,0,0.9"
                    "&pixels.green=0,0.8,1,0.6,1,0,0,0,0.5&pixels.blue=0,0,0.6,0,0,0,0.7,0,0")
    expect(box).to_have_attribute("data-state", "done")


def test_the_class_view_counts_learners_live(lab):
    page = lab.page
    lab.open("sections=neuron")  # this tab reports itself
    page.goto(f"{lab.base}/class")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#class-learners")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator(".class-tasks tbody tr")).to_have_count(6)
    # each task's place in the lesson as its heading reads, not the view's id
    expect(page.locator('.class-tasks tr[data-task="nand"] td').first).to_have_text(
        "5 A single neuron, tuned by hand")
    before = int(page.locator(".class-view").get_attribute("data-refreshed"))
    expect(page.locator(".class-view")).not_to_have_attribute("data-refreshed", str(before))


def _axe_serious(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["impact"], v["nodes"][0]["target"])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_teacher_views_are_accessible_and_photographed(sized_page, lab_url, artifacts, size):
    width, height = size
    page = sized_page(width, height)
    page.goto(f"{lab_url}/?sections=neuron&task=nand&neuron.hide=bias")
    page.wait_for_selector("body[data-ready=true]")
    box = page.locator(f"{S} .task-box")
    expect(box.locator(".task-progress")).to_contain_text("of 4")
    page.locator(S).screenshot(path=artifacts / f"teach-task-todo-{width}x{height}.png")
    page.goto(f"{lab_url}/?sections=neuron&task=nand&neuron.w1=-1&neuron.w2=-1"
              "&neuron.bias=1.5")
    page.wait_for_selector("body[data-ready=true]")
    expect(box).to_have_attribute("data-state", "done")
    assert _axe_serious(page) == []
    page.locator(S).screenshot(path=artifacts / f"teach-task-done-{width}x{height}.png")

    page.goto(f"{lab_url}/")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="For teachers").click()
    dialog = page.get_by_role("dialog", name="A link for your class")
    dialog.get_by_label("Task", exact=True).select_option("spiral")
    expect(dialog.get_by_label("Hide Features", exact=True)).to_be_visible()
    assert _axe_serious(page) == []
    page.screenshot(path=artifacts / f"teach-builder-{width}x{height}.png")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="For teachers")).to_be_focused()

    page.goto(f"{lab_url}/class")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator(".class-view")).to_have_attribute("data-state", "ready")
    assert _axe_serious(page) == []
    page.screenshot(path=artifacts / f"teach-class-{width}x{height}.png")


def test_the_small_mlp_task_reads_the_finished_comparison(lab):
    page = lab.open("sections=mnist&task=small-mlp&compare.mlp_width=4&compare.mlp_depth=1"
                    "&compare.train_size=100")
    expect(page.locator("#mnist .compare")).to_have_attribute("data-state", "done",
                                                               timeout=30_000)
    box = page.locator("#mnist .task-box")
    # 784 x 4 + 4 x 10 weights and 4 + 10 biases; 100 training images are far from 87%
    expect(box.locator(".task-progress")).to_have_text(
        re.compile(r"^Last MLP: \d+\.\d% with 3,190 weights\.$"))
    expect(box).to_have_attribute("data-state", "todo")


def test_the_spiral_task_asks_for_the_spiral_then_reads_the_test_loss(lab):
    page = lab.page
    page.goto(f"{lab.base}/playground?task=spiral")
    lab.wait_ready()
    expect(page.locator(".pg")).not_to_have_attribute("data-frames", "0")
    box = page.locator("#playground .task-box")
    expect(box.locator(".task-progress")).to_have_text("Pick the spiral data.")
    page.goto(f"{lab.base}/playground?task=spiral&playground.dataset=spiral"
              "&playground.layers=4,4,2")
    lab.wait_ready()
    expect(page.locator(".pg")).not_to_have_attribute("data-frames", "0")
    expect(box.locator(".task-progress")).to_have_text("Use 2 hidden layers (now 3).")
    page.goto(f"{lab.base}/playground?task=spiral&playground.dataset=spiral")
    lab.wait_ready()
    expect(page.locator(".pg")).not_to_have_attribute("data-frames", "0")
    expect(box.locator(".task-progress")).to_have_text(re.compile(r"^Test loss 0\.\d{3}\.$"))
    expect(box).to_have_attribute("data-state", "todo")  # an untrained network is far off
