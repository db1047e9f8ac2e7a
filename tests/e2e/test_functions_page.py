"""Section 1 in Chromium: write a header, get feedback, reveal a solution, keep it in the URL."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
S = "#functions"


def test_worked_example_and_two_exercises(lab):
    page = lab.open()
    expect(page.locator(f"{S} .fn-card")).to_have_count(3)
    expect(page.locator(f"{S} .fn-card.worked pre")).to_contain_text("comment: str) -> float")


def test_feedback_on_a_good_and_a_bad_header(lab):
    page = lab.open()
    box = page.get_by_label("Your function header for the pedestrian detector", exact=True)
    card = page.locator(f"{S} .fn-card", has=box)
    box.fill("def spots_person(photo: np.ndarray) -> bool:")
    card.get_by_role("button", name="Check my header").click()
    expect(card.locator(".fn-summary")).to_have_text("Well done: this header fits the system.")
    expect(card.locator(".feedback")).to_contain_text("named spots_person")
    box.fill("def spots_person(photo: np.ndarray) -> bool")
    box.press("Control+Enter")
    expect(card.locator(".fn-summary")).to_have_text("Python cannot read line 1 yet.")
    expect(card.locator(".feedback")).to_contain_text("colon")


def test_untyped_chatbot_gets_hints_then_passes(lab):
    page = lab.open()
    box = page.get_by_label("Your function header for the chatbot", exact=True)
    card = page.locator(f"{S} .fn-card", has=box)
    box.fill("def reply(message):")
    expect(card.locator(".feedback")).to_contain_text("Say what type message is")  # live
    box.fill("def reply(message: str) -> str:")
    expect(card.locator(".fn-summary")).to_contain_text("Well done")
    assert "functions.chatbot=" in lab.query()
    page = lab.reload()
    box = page.get_by_label("Your function header for the chatbot", exact=True)
    expect(box).to_have_value("def reply(message: str) -> str:")
    expect(page.locator(f"{S} .fn-card", has=box).locator(".fn-summary")).to_contain_text(
        "Well done")


def test_reveal_solution_by_keyboard(lab):
    page = lab.open()
    summary = page.locator(f"{S} details.solution summary").first
    solution = page.locator(f"{S} details.solution pre").first
    expect(solution).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(solution).to_be_visible()
    expect(solution).to_contain_text("-> bool")
    assert lab.errors == []


def test_next_section_is_there(lab):
    page = lab.open()
    nxt = page.locator("#next")
    for word in ("GPT-1", "GPT-2", "transformers"):
        expect(nxt).to_contain_text(word)


def test_comment_after_the_header_passes(lab):
    page = lab.open()
    box = page.get_by_label("Your function header for the pedestrian detector", exact=True)
    card = page.locator(f"{S} .fn-card", has=box)
    box.fill("def has_pedestrian(photo: np.ndarray) -> bool:  # True if a person")
    expect(card.locator(".fn-summary")).to_have_text("Well done: this header fits the system.")


def test_curly_arrow_gets_a_clear_message(lab):
    page = lab.open()
    box = page.get_by_label("Your function header for the chatbot", exact=True)
    card = page.locator(f"{S} .fn-card", has=box)
    box.fill("def reply(message: str) → str:")
    expect(card.locator(".feedback")).to_contain_text("type -> (a minus")
    expect(card.locator(".fn-summary")).to_have_text("Python cannot read line 1 yet.")


def test_ctrl_enter_is_offered_only_with_a_keyboard(sized_page, lab_url):
    for touch, shown in ((False, 2), (True, 0)):
        page = sized_page(390, 844, has_touch=touch, is_mobile=touch)
        page.goto(lab_url)
        page.wait_for_selector("body[data-ready=true]", timeout=15_000)
        expect(page.locator(f"{S} .fn-actions", has_text="Ctrl+Enter")).to_have_count(shown)


def test_next_section_counts_the_mlps_weights(lab):
    page = lab.open()
    size = page.locator("#next .mlp-size")
    # 784 x 32 + 32 + 32 x 32 + 32 + 32 x 10 + 10
    expect(size).to_contain_text("default MLP of section 4 (2 hidden layers of 32 neurons) "
                                 "already has 26,506 weights and biases")
    expect(page.locator("#next")).not_to_contain_text("few dozen")
    page = lab.open("compare.mlp_width=64&compare.mlp_depth=1")
    # 784 x 64 + 64 + 64 x 10 + 10 = 50,890
    expect(page.locator("#next .mlp-size")).to_contain_text("(1 hidden layer of 64 neurons) "
                                                            "already has 50,890 weights")
