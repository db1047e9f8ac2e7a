"""Section 2 in Chromium: the editable 3x3 matrices and the astronaut at any resolution."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#pixels"


def cell(page, picture, index):
    return page.locator(f"{S} .picture[aria-label='{picture} picture'] .px").nth(index)


@pytest.mark.parametrize(("channel", "colour"), [
    ("Red", "rgb(51, 0, 0)"), ("Green", "rgb(0, 51, 0)"), ("Blue", "rgb(0, 0, 51)")])
def test_each_matrix_redraws_its_pictures(lab, channel, colour):
    page = lab.open()
    box = page.get_by_label(f"{channel} row 3 column 2", exact=True)
    box.fill("0.2")
    expect(cell(page, channel, 7)).to_have_css("background-color", colour)
    expect(cell(page, "Combined", 7)).to_have_css("background-color", colour)
    assert f"pixels.{channel.lower()}=" in lab.query()


def test_bad_value_is_flagged_and_reload_keeps_values(lab):
    page = lab.open()
    box = page.get_by_label("Red row 1 column 1", exact=True)
    box.fill("1.5")
    expect(page.locator(f"{S} .error")).to_contain_text("from 0 to 1")
    expect(box).to_have_attribute("aria-invalid", "true")
    box.fill("0.4")
    expect(page.locator(f"{S} .error")).to_be_hidden()
    expect(cell(page, "Red", 0)).to_have_css("background-color", "rgb(102, 0, 0)")
    page = lab.reload()
    expect(page.get_by_label("Red row 1 column 1", exact=True)).to_have_value("0.4")
    expect(cell(page, "Combined", 0)).to_have_css("background-color", "rgb(102, 0, 0)")


def test_keyboard_arrows_edit_a_cell(lab):
    page = lab.open()
    lab.press("Blue row 1 column 1", "ArrowUp", 3, within=S)
    expect(page.get_by_label("Blue row 1 column 1", exact=True)).to_have_value("0.3")
    # 0.3 x 255 = 76.5, rounded to even
    expect(cell(page, "Blue", 0)).to_have_css("background-color", "rgb(0, 0, 76)")


def test_resolution_slider_shape_and_pixel_readout(lab):
    page = lab.open()
    shape = page.locator(f"{S} output.shape")
    expect(shape).to_have_text("(64, 64, 3)")
    lab.press("Resolution", "End", within=S)
    expect(shape).to_have_text("(128, 128, 3)")
    lab.press("Resolution", "Home", within=S)
    expect(shape).to_have_text("(8, 8, 3)")
    lab.press("Resolution", "ArrowRight", 2, within=S)
    expect(shape).to_have_text("(10, 10, 3)")
    assert page.locator(f"{S} canvas").first.evaluate("c => c.width") == 10
    canvas = page.get_by_label(re.compile("^Low resolution of the astronaut"))
    canvas.hover(position={"x": 5, "y": 5})
    hover = page.locator(f"{S} .hover")
    expect(hover).to_have_text(re.compile(r"row 0, column 0: \(r, g, b\) = \(\d+, \d+, \d+\)"))
    canvas.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    expect(hover).to_contain_text("row 1, column 1")
    page = lab.reload()
    expect(page.locator(f"{S} output.shape")).to_have_text("(10, 10, 3)")
    assert lab.errors == []


def test_every_bad_cell_is_named_by_row_and_column(lab):
    page = lab.open()
    page.get_by_label("Red row 1 column 1", exact=True).fill("1.5")
    page.get_by_label("Green row 2 column 3", exact=True).fill("lots")
    error = page.locator(f"{S} .error")
    expect(error).to_contain_text("Red, row 1, column 1 must be a number from 0 to 1 (got 1.5)")
    expect(error).to_contain_text("Green, row 2, column 3 must be a number from 0 to 1")
    expect(error).not_to_contain_text("[0]")
    for name in ("Red row 1 column 1", "Green row 2 column 3"):
        expect(page.get_by_label(name, exact=True)).to_have_attribute("aria-invalid", "true")


def test_decimal_comma_reads_as_a_point(lab):
    page = lab.open()
    page.get_by_label("Red row 1 column 1", exact=True).fill("0,5")
    # 0.5 x 255 = 127.5, rounded to even
    expect(cell(page, "Red", 0)).to_have_css("background-color", "rgb(128, 0, 0)")
    expect(page.locator(f"{S} .error")).to_be_hidden()
    assert "pixels.red=0.5" in lab.query()


def test_pixel_help_speaks_of_0_to_1_not_hex(lab):
    page = lab.open()
    expect(cell(page, "Combined", 0)).to_have_attribute(
        "title", "Row 1, column 1: (r, g, b) = (0.8, 0, 0)")
    cell(page, "Combined", 1).hover()
    readout = page.locator(f"{S} .px-readout")
    expect(readout).to_have_text("Combined, row 1, column 2: (r, g, b) = (0, 0.8, 0)")
    page.get_by_label("Blue row 1 column 3", exact=True).focus()  # keyboard reaches it too
    expect(readout).to_have_text("Blue, row 1, column 3: (r, g, b) = (0, 0, 0.6)")
    assert "#" not in (cell(page, "Green", 2).get_attribute("title") or "")


def test_tap_on_the_astronaut_shows_the_readout_on_a_phone(sized_page, lab_url):
    page = sized_page(390, 844, has_touch=True, is_mobile=True)
    page.goto(lab_url)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    canvas = page.get_by_label(re.compile("^Green channel of the astronaut"))
    canvas.scroll_into_view_if_needed()
    canvas.tap(position={"x": 1, "y": 1})
    hover = page.locator(f"{S} .hover")
    expect(hover).to_have_text(re.compile(r"row 0, column 0: \(r, g, b\)"))
    expect(hover).to_be_in_viewport(ratio=1)
