"""Section 3 in Chromium: curve, learning rate, start, steps; step / play / reset; divergence."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#descent"


def value(page, name):
    dt = page.locator(f"{S} .descent-readout dt", has_text=name).first
    return dt.locator("xpath=following-sibling::dd[1]").inner_text()


def test_step_and_reset(lab):
    page = lab.open()
    assert value(page, "Step") == "0 of 50"
    assert value(page, "x") == "3.500"
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("1 of 50")
    assert value(page, "x") == "2.800"  # 3.5 - 0.1 * 7
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("0 of 50")


def test_each_control_changes_the_numbers(lab):
    page = lab.open()
    lab.press("Learning Rate", "ArrowRight", 10, within=S)  # 0.2
    expect(page.get_by_label("Learning Rate", exact=True)).to_have_value("0.2")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("2.100")  # 3.5 - 0.2 * 7
    lab.press("Start", "ArrowLeft", 5, within=S)  # 3.0
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("3.000")
    lab.press("Steps", "ArrowRight", 3, within=S)
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("0 of 53")
    page.get_by_label("Loss Curve", exact=True).select_option("valleys")
    expect(page.locator(f"{S} .formula")).to_contain_text("sin(3x)")
    q = lab.query()
    assert all(k in q for k in ("descent.learning_rate=0.2", "descent.start=3", "descent.steps=53",
                                "descent.curve=valleys"))
    page = lab.reload()
    expect(page.get_by_label("Learning Rate", exact=True)).to_have_value("0.2")
    expect(page.locator(f"{S} .formula")).to_contain_text("sin(3x)")
    assert value(page, "Step") == "0 of 53"


def test_play_runs_and_large_rate_diverges(lab):
    page = lab.open("descent.learning_rate=1.2")
    play = page.get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")  # keyboard works on the buttons
    expect(page.locator(f"{S} .status")).to_contain_text("Diverged", timeout=5_000)
    expect(page.locator(f"{S} .point")).to_have_class("point out")
    expect(page.locator(f"{S} .escape")).to_contain_text("out of view")
    page.get_by_role("button", name="Pause").click()


def test_small_rate_settles(lab):
    page = lab.open("descent.learning_rate=0.4&descent.steps=20")
    step = page.get_by_role("button", name="Step", exact=True)
    for _ in range(20):
        step.click()
    expect(page.locator(f"{S} .status")).to_contain_text("Settled")
    expect(step).to_be_disabled()
    assert lab.errors == []
