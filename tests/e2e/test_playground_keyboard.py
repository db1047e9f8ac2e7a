"""The playground's weights by keyboard alone: Tab to the network (one tab stop), arrows to a
neuron, Enter opens its incoming weights and bias with clear names, a typed value is checked
and sent as the click editor sends it, Escape gives the focus back to the neuron; axe-clean.

Waits on the view's ``data-frames`` and on the socket's messages, never on time.
"""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

QUERY = "playground.seed=3&playground.layers=3,2"
FOCUSED = "document.activeElement.getAttribute('aria-label')"


def serious_axe_violations(page) -> list:
    return [(v["id"], v["impact"], v["nodes"][0]["target"])
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_read_and_edit_a_weight_with_the_keyboard_alone(lab, artifacts):
    sent: list[dict] = []
    received: list[dict] = []

    def on_socket(ws):
        ws.on("framesent", lambda p: sent.append(json.loads(p)) if isinstance(p, str) else None)
        ws.on("framereceived", lambda p: received.append(json.loads(p))
              if isinstance(p, str) else None)
    lab.page.on("websocket", on_socket)
    page, view = lab.playground(QUERY)
    # Tab from the top of the page until the network's one tab stop has the focus
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pg-node')"):
            break
    assert page.evaluate(FOCUSED) == "Layer 1, neuron 1"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED) == "Layer 2, neuron 2"
    page.keyboard.press("Enter")
    editor = page.get_by_role("group", name="Weights into layer 2 neuron 2", exact=False)
    expect(editor).to_be_visible()
    names = [f"Weight from layer 1 neuron {i} to layer 2 neuron 2" for i in (1, 2, 3)]
    fields = editor.locator("input")
    expect(fields).to_have_count(4)
    assert [f.get_attribute("aria-label") for f in fields.all()] == [
        *names, "Bias of layer 2 neuron 2"]
    assert page.evaluate(FOCUSED) == names[0]  # the focus moved in
    frame = [m for m in received if m["type"] == "frame"][-1]
    weight = frame["layers"][1]["weights"][1][1]  # from layer 1 neuron 2 to layer 2 neuron 2
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == names[1]
    assert float(page.evaluate("document.activeElement.value")) == pytest.approx(weight,
                                                                                 abs=6e-4)
    expect(page.locator(".pg-explain")).to_contain_text(
        "Weight from neuron 2 of layer 1 to layer 2, neuron 2")
    # out of range: refused on the spot, nothing sent, the field says why
    page.keyboard.press("Control+A")
    page.keyboard.type("250")
    page.keyboard.press("Enter")
    expect(editor.get_by_role("alert")).to_contain_text("a number from -100 to 100")
    field = editor.get_by_label(names[1], exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    assert not [m for m in sent if m["type"] == "edit"]
    assert serious_axe_violations(page) == []  # with the editor open and a field invalid
    page.locator(".pg-net-col").screenshot(path=artifacts / "playground-keyboard-editor.png")
    # a good value: the same message as the click editor, and the network has it
    frames = int(view.get_attribute("data-frames"))
    page.keyboard.press("Control+A")
    page.keyboard.type("-1.25")
    page.keyboard.press("Enter")
    expect(view).not_to_have_attribute("data-frames", str(frames))
    assert [m for m in sent if m["type"] == "edit"] == [
        {"type": "edit", "layer": 2, "neuron": 1, "source": 1, "value": -1.25}]
    frame = [m for m in received if m["type"] == "frame"][-1]
    assert frame["layers"][1]["weights"][1][1] == -1.25
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(editor.locator(".pg-editor-error")).to_have_text("")
    # Escape closes and hands the focus back to the neuron
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    assert page.evaluate(FOCUSED) == "Layer 2, neuron 2"
    # W opens it too; an input has no weights coming in, and says so
    page.keyboard.press("w")
    expect(editor).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(FOCUSED).startswith("Input")
    page.keyboard.press("Enter")
    expect(page.locator(".pg-explain")).to_contain_text("has no weights coming in")
    expect(editor).to_be_hidden()
    assert lab.errors == []
