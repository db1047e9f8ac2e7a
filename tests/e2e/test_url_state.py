"""A setting in the URL is what the page shows: an out-of-range or unreadable value is clamped
or dropped on the control and corrected in the URL too, so a shared link matches the screen."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_out_of_range_values_are_corrected_in_the_url(lab):
    page = lab.open("pixels.resolution=9999&descent.learning_rate=-3&descent.steps=abc"
                    "&neuron.w1=7&functions.chatbot=def%20f(x)%3A")
    expect(page.locator("#pixels output.shape")).to_have_text("(128, 128, 3)")
    expect(page.locator("#neuron").get_by_label("Weight 1", exact=True)).to_have_value("2")
    query = lab.query()
    assert "pixels.resolution=128" in query
    assert "neuron.w1=2" in query
    assert "descent.learning_rate=0.01" in query
    assert "descent.steps" not in query  # unreadable: the default, which the URL leaves out
    assert "functions.chatbot=def" in query  # an in-range value is left alone
    # a reload reproduces the screen, and the URL stays as corrected
    page = lab.reload()
    expect(page.locator("#pixels output.shape")).to_have_text("(128, 128, 3)")
    assert lab.query() == query


def test_a_value_that_clamps_to_the_default_leaves_the_url(lab):
    page = lab.open("inside.levels=0")  # clamped to 1, not the default 3
    assert "inside.levels=1" in lab.query()
    expect(page.locator("#inside").get_by_label("Tree levels shown", exact=True)).to_have_value(
        "1")
    lab.open("compare.val_size=5")  # the only value is 2000, the default
    assert "compare.val_size" not in lab.query()


def test_an_unreadable_switch_keeps_its_default(lab):
    page = lab.open("descent.gd=abc&descent.momentum=0&descent.adam=true&neuron.hidden=maybe")
    section = page.locator("#surfaces")
    expect(section.get_by_label("Gradient descent", exact=True)).to_be_checked()  # default on
    expect(section.get_by_label("Momentum", exact=True)).not_to_be_checked()
    expect(section.get_by_label("Adam", exact=True)).to_be_checked()
    expect(page.locator("#neuron").get_by_label("Hidden layer", exact=True)).not_to_be_checked()
    query = lab.query()
    assert "descent.gd" not in query and "neuron.hidden" not in query
    assert "descent.momentum=0" in query
    assert lab.errors == []


def test_a_link_can_show_only_some_sections_embedded(lab):
    page = lab.open("sections=mnist,inside&embed=1", anchor="mnist")
    assert page.locator("main > section:visible").evaluate_all(
        "els => els.map((e) => e.id)") == ["mnist", "inside"]
    assert not page.locator(".site-header").is_visible()
    # the hidden sections were not even started
    assert page.locator("#functions textarea").count() == 0
    page.locator("#mnist .compare[data-state=done]").wait_for(timeout=20_000)
    assert lab.errors == []
