"""Section 5 in Chromium: sliders, toggles, solving AND and OR by hand, URL state, keyboard."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#neuron"


def sums(page):
    return page.locator(f"{S} table.truth tbody td:nth-child(3)").all_inner_texts()


def verdict(page):
    return page.locator(f"{S} .verdict")


def sum_cell(page, row):
    return page.locator(f"{S} table.truth tbody tr").nth(row).locator("td").nth(2)


def set_slider(lab, label, presses):
    key = "ArrowRight" if presses > 0 else "ArrowLeft"
    lab.press(label, key, abs(presses), within=S)


def test_each_slider_changes_the_numbers(lab):
    page = lab.open()
    assert sums(page) == ["0.00"] * 4
    set_slider(lab, "Weight 1", 5)
    expect(sum_cell(page, 2)).to_have_text("0.50")
    set_slider(lab, "Weight 2", -3)
    expect(sum_cell(page, 1)).to_have_text("-0.30")
    set_slider(lab, "Bias", 2)
    expect(sum_cell(page, 0)).to_have_text("0.20")
    assert sums(page) == ["0.20", "-0.10", "0.70", "0.40"]
    # The drawing: positive weight blue, negative red, opacity by |w|.
    lines = page.locator(f"{S} svg line")
    assert lines.nth(0).get_attribute("data-sign") == "positive"
    assert lines.nth(0).get_attribute("stroke") == "var(--pos)"
    assert lines.nth(1).get_attribute("stroke") == "var(--neg)"
    assert float(lines.nth(1).get_attribute("stroke-opacity")) == pytest.approx(0.15)
    assert lab.errors == []


def test_toggles_change_expected_and_actual(lab):
    page = lab.open()
    readout = page.locator(f"{S} .readout")
    expect(readout).to_have_text(re.compile(r"Expected:\s*OFF\s*Actual:\s*OFF"))
    page.get_by_label("First input ON", exact=True).check()
    page.get_by_label("Second input ON", exact=True).check()
    expect(readout).to_have_text(re.compile(r"Expected:\s*ON\s*Actual:\s*OFF"))
    set_slider(lab, "Bias", 3)
    expect(readout).to_have_text(re.compile(r"Expected:\s*ON\s*Actual:\s*ON"))
    expect(page.locator(f"{S} svg .act")).to_have_text("0.30")
    expect(page.locator(f"{S} tr.current td").first).to_have_text("1")


def test_solve_and_then_or_by_hand_and_reload(lab):
    page = lab.open()
    expect(verdict(page)).to_contain_text("3 of 4")
    set_slider(lab, "Weight 1", 10)
    set_slider(lab, "Weight 2", 10)
    set_slider(lab, "Bias", -15)
    expect(verdict(page)).to_have_text("Solved: the neuron computes AND on all four input pairs.")
    assert page.locator(S).get_attribute("data-solved") == "true"
    page.get_by_label("Target Function", exact=True).select_option("OR")
    expect(verdict(page)).not_to_contain_text("Solved")
    set_slider(lab, "Bias", 10)  # bias -0.5: one input alone is enough
    expect(verdict(page)).to_have_text("Solved: the neuron computes OR on all four input pairs.")
    q = lab.query()
    assert "neuron.target=OR" in q and "neuron.w1=1" in q and "neuron.bias=-0.5" in q
    page = lab.reload()
    expect(verdict(page)).to_contain_text("Solved: the neuron computes OR")
    expect(page.get_by_label("Bias", exact=True)).to_have_value("-0.5")
    expect(page.get_by_label("Target Function", exact=True)).to_have_value("OR")


def test_keyboard_only(lab):
    page = lab.open("neuron.x1=1")
    expect(page.get_by_label("First input ON", exact=True)).to_be_checked()
    page.get_by_label("Target Function", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "w1"
    before = page.locator(S).get_attribute("data-drawn")
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{S} .readout")).to_contain_text("Actual: ON")
    assert int(page.locator(S).get_attribute("data-drawn")) == int(before) + 1  # drawn once
    for _ in range(4):  # w2, bias, then the first toggle
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "x2"
    page.keyboard.press("Space")
    expect(page.get_by_label("Second input ON", exact=True)).to_be_checked()
    assert "neuron.x2=1" in lab.query()


# --- issue 10: more gates, the unit square, learning, the hidden layer -----------------------


def texts(locator):
    return locator.evaluate_all("(els) => els.map((e) => e.textContent)")


def test_unit_square_draws_the_line_and_the_targets(lab):
    page = lab.open("neuron.w1=1&neuron.w2=1&neuron.bias=-1.5")
    square = page.locator(f"{S} .square-svg")
    expect(square.locator(".corner.on")).to_have_count(1)  # AND: only (1, 1) is ON
    expect(square.locator(".lines line")).to_have_count(1)
    line = square.locator(".lines line")
    before = line.get_attribute("x1"), line.get_attribute("y1")
    set_slider(lab, "Bias", 5)  # -1.0: the line moves
    expect(square.locator(".corner.wrong")).to_have_count(0)
    assert (line.get_attribute("x1"), line.get_attribute("y1")) != before
    page.get_by_label("Target Function", exact=True).select_option("NOR")
    expect(square.locator(".corner.on")).to_have_count(1)
    expect(square.locator(".corner.wrong")).to_have_count(2)  # (0,0) OFF, (1,1) ON: wrong
    # the caption says what the red (wrong) dots mean, red being "negative" elsewhere
    expect(page.locator(f"{S} .square-note")).to_contain_text("A red dot is a pair it still "
                                                             "gets wrong.")
    assert lab.errors == []


def test_learn_and_with_the_button(lab):
    page = lab.open()
    button = page.get_by_role("button", name="Learn the weights")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(S)).to_have_attribute("data-learn", "done", timeout=15_000)
    assert page.locator(S).get_attribute("data-learned") == "solved"
    expect(verdict(page)).to_have_text("Solved: the neuron computes AND on all four input pairs.")
    expect(page.locator(f"{S} .rule")).to_contain_text("gradient descent on the cross-entropy")
    expect(page.locator(f"{S} .learn-status")).to_contain_text("Found weights that compute AND")
    assert page.locator(f"{S} .loss-svg .marks circle").count() > 10  # the loss, step by step
    w1 = float(page.get_by_label("Weight 1", exact=True).input_value())
    assert w1 > 0 and f"neuron.w1={w1:g}" in lab.query()
    # the perceptron rule for the step activation
    page.locator("#neuron").get_by_label("Activation", exact=True).select_option("step")
    page.get_by_label("Target Function", exact=True).select_option("NAND")
    button.click()
    expect(page.locator(S)).to_have_attribute("data-learn", "done", timeout=15_000)
    expect(page.locator(f"{S} .rule")).to_contain_text("perceptron rule")
    expect(verdict(page)).to_contain_text("Solved: the neuron computes NAND")
    assert lab.errors == []


def test_one_neuron_cannot_learn_xor_and_the_page_says_why(lab):
    page = lab.open("neuron.target=XOR&neuron.activation=sigmoid&neuron.learn_steps=60")
    why = page.locator(f"{S} .why")
    expect(why).to_contain_text("One neuron can never compute XOR")
    page.emulate_media(reduced_motion="reduce")  # straight to the last step
    page.get_by_role("button", name="Learn the weights").click()
    expect(page.locator(S)).to_have_attribute("data-learn", "done", timeout=15_000)
    assert page.locator(S).get_attribute("data-learned") == "unsolved"
    expect(page.locator(f"{S} .learn-status")).to_contain_text("at most")
    expect(verdict(page)).not_to_contain_text("Solved")


def test_solve_xor_by_hand_with_the_hidden_layer(lab):
    page = lab.open("neuron.target=XOR")
    expect(verdict(page)).to_contain_text("2 of 4")
    page.get_by_label("Hidden layer", exact=True).check()
    expect(page.locator(f"{S} .network-svg")).to_be_visible()
    expect(page.get_by_label("Weight 1", exact=True)).to_be_hidden()
    # hidden 1 = x1 - x2, hidden 2 = x2 - x1 (ReLU keeps only the positive one), output = sum
    for label, presses in [("Hidden 1 weight 1", 10), ("Hidden 1 weight 2", -10),
                           ("Hidden 2 weight 1", -10), ("Hidden 2 weight 2", 10),
                           ("Output weight from hidden 1", 10)]:
        set_slider(lab, label, presses)
    expect(verdict(page)).to_contain_text("3 of 4")
    set_slider(lab, "Output weight from hidden 2", 10)
    expect(verdict(page)).to_have_text(
        "Solved: the network computes XOR on all four input pairs.")
    assert page.locator(S).get_attribute("data-solved") == "true"
    expect(page.locator(f"{S} .why")).to_be_hidden()
    # every neuron's value for the chosen inputs: (1, 0) lights hidden 1 only
    page.get_by_label("First input ON", exact=True).check()
    expect(page.locator(f"{S} .network-svg .net-act").first).to_have_text("1.00")
    assert texts(page.locator(f"{S} .network-svg .net-act")) == ["1.00", "0.00", "1.00"]
    expect(page.locator(f"{S} table.truth thead th")).to_have_count(9)  # H1 and H2 too
    q = lab.query()
    assert "neuron.hidden=1" in q and "neuron.h1_w2=-1" in q and "neuron.out_w2=1" in q
    page = lab.reload()
    expect(verdict(page)).to_contain_text("Solved: the network computes XOR")
    assert lab.errors == []


def test_xor_as_and_of_or_and_nand(lab):
    page = lab.open()
    page.get_by_role("button", name="Show XOR = AND(OR, NAND)").click()
    expect(verdict(page)).to_contain_text("XOR = AND(OR, NAND)")
    expect(page.locator("#neuron").get_by_label("Activation", exact=True)).to_have_value("step")
    gates = texts(page.locator(f"{S} .network-svg .gate"))
    assert gates[:2] == ["= OR", "= NAND"]
    expect(page.locator(f"{S} .square-svg .lines line")).to_have_count(2)


def test_a_hand_on_the_weights_stops_learning_and_says_so(lab):
    page = lab.open("neuron.target=XOR&neuron.hidden=1")
    page.get_by_role("button", name="Learn the weights").click()
    status = page.locator(f"{S} .learn-status")
    expect(status).to_have_text("Learning…")
    page.get_by_role("button", name="Show XOR = AND(OR, NAND)").click()
    expect(page.locator(S)).to_have_attribute("data-learn", "stopped")
    expect(status).to_contain_text("Stopped: you set the weights yourself")
    expect(verdict(page)).to_contain_text("Solved: the network computes XOR")
    page.wait_for_timeout(600)  # a stopped run draws no further frame
    expect(status).to_contain_text("Stopped")
    assert lab.errors == []


def test_the_network_learns_xor_with_the_button(lab):
    page = lab.open("neuron.target=XOR&neuron.hidden=1")
    page.emulate_media(reduced_motion="reduce")
    page.get_by_role("button", name="Learn the weights").click()
    expect(page.locator(S)).to_have_attribute("data-learn", "done", timeout=15_000)
    expect(verdict(page)).to_contain_text("Solved: the network computes XOR")
    expect(page.locator(f"{S} .rule")).to_contain_text("backpropagation")
    assert "neuron.h1_w1=" in lab.query()


def test_a_stuck_network_can_try_another_nudge(lab):
    # ReLU, seed 3: a hidden neuron dies (OFF for all four pairs) and learning gets stuck
    page = lab.open("neuron.target=XOR&neuron.hidden=1&neuron.seed=3")
    page.emulate_media(reduced_motion="reduce")
    page.get_by_role("button", name="Learn the weights").click()
    expect(page.locator(S)).to_have_attribute("data-learned", "unsolved", timeout=15_000)
    expect(page.locator(f"{S} .learn-status")).to_contain_text("Try another random nudge")
    page.get_by_role("button", name="Learn again with seed 4").click()
    expect(page.locator(S)).to_have_attribute("data-learned", "solved", timeout=15_000)
    expect(verdict(page)).to_contain_text("Solved: the network computes XOR")
    assert "neuron.seed=4" in lab.query()
