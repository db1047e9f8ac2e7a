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
