"""One update, slowly, in Chromium: every stage walked with Next (and the arrow keys), the
numbers on the drawing checked against the server's trace, the update applied, axe-clean,
and screenshots of a forward and a backward stage at projector and phone size.

Waits on the panel's ``data-stage`` and ``data-applied`` and on the socket's messages,
never on time.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_screenshots import CONTROLS, LAYOUT_PROBLEMS

pytestmark = pytest.mark.e2e

QUERY = "playground.seed=3&playground.layers=3,2"


def open_with_socket(page, base: str):
    """Open the full-page playground and collect the JSON the server sends on its socket."""
    received: list[dict] = []

    def on_socket(ws):
        ws.on("framereceived", lambda payload: received.append(json.loads(payload))
              if isinstance(payload, str) else None)
    page.on("websocket", on_socket)
    page.goto(f"{base}/playground?{QUERY}")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    expect(page.locator(".pg")).not_to_have_attribute("data-frames", "0")
    return received


def last(received: list[dict], kind: str) -> dict:
    return [m for m in received if m["type"] == kind][-1]


def written(v: float) -> str:
    """``v`` as the walk-through writes it (update.js ``num``): three decimals, or three
    significant digits below 0.01 (a loss near its end is often a few ten-thousandths)."""
    if 0.01 <= abs(v) < 1e4:
        return f"{v:.3f}"
    x = float(f"{v:.3g}")
    if x == 0 or 1e-6 <= abs(x) < 1e21:  # JavaScript writes these without an exponent
        return np.format_float_positional(x, trim="-")
    return f"{x:.3g}".replace("e-0", "e-")


def walk_through(page, point: int):
    """Open "One update, slowly" and trace training point ``point``: the walk-through's panel,
    at its first stage."""
    page.get_by_role("button", name="One update, slowly", exact=True).click()
    panel = page.get_by_role("region", name="One update, slowly")
    page.get_by_label("Training point", exact=True).fill(str(point))
    page.get_by_role("button", name="Use this point", exact=True).click()
    expect(panel).to_have_attribute("data-stage", "input")
    return panel


def stage_ids(trace: dict) -> list[str]:
    n = len(trace["layers"])
    return (["pick", "input", *[f"forward-{k}" for k in range(1, n + 1)], "loss",
             *[f"backward-{k}" for k in range(n, 0, -1)], "change"])


def test_step_through_one_update_and_apply_it(lab, artifacts):
    page = lab.page
    received = open_with_socket(page, lab.base)
    view = page.locator(".pg")
    page.get_by_role("button", name="Run/Pause", exact=True).click()
    expect(view).to_have_attribute("data-state", "playing")
    page.get_by_role("button", name="One update, slowly", exact=True).click()
    expect(view).to_have_attribute("data-state", "paused")  # it paused training
    panel = page.get_by_role("region", name="One update, slowly")
    expect(panel).to_have_attribute("data-stage", "pick")
    # pick a point by clicking on the output picture: the nearest training point is taken
    points = last(received, "points")["train"]
    x1, x2 = points[0], points[1]
    canvas = page.locator("canvas.pg-output")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    canvas.click(position={"x": (x1 + 6) / 12 * box["width"],
                           "y": (6 - x2) / 12 * box["height"]})
    expect(panel).to_have_attribute("data-stage", "input")
    trace = last(received, "trace")["trace"]
    assert trace["point"] == 0 and trace["xy"] == pytest.approx([x1, x2], abs=1e-3)
    stages = stage_ids(trace)
    live = panel.locator(".pg-slow-say")
    assert live.get_attribute("aria-live") == "polite"
    seen = {}
    for stage in stages[2:]:
        panel.get_by_role("button", name="Next", exact=True).click()
        expect(panel).to_have_attribute("data-stage", stage)
        seen[stage] = live.inner_text()
        assert seen[stage]
    # the numbers shown are the trace's: the output on the drawing and in the loss sentence
    out_layer = len(trace["layers"])
    panel.get_by_role("button", name="Back", exact=True).click()  # back through the stages
    page.keyboard.press("ArrowLeft")
    expect(panel).to_have_attribute("data-stage", stages[-3])
    for _ in range(stages.index(stages[-3]) - stages.index(f"forward-{out_layer}")):
        page.keyboard.press("ArrowLeft")
    expect(panel).to_have_attribute("data-stage", f"forward-{out_layer}")
    shown = page.locator(f".pg-slow-val[data-layer='{out_layer}'][data-index='0'] text")
    assert float(shown.text_content()) == pytest.approx(trace["output"][0], abs=6e-4)
    assert written(trace["loss"]) in seen["loss"]
    first = trace["layers"][-1]["delta"][0]
    assert written(first) in seen[f"backward-{out_layer}"]
    # forward to the end with the arrow keys: every weight's change, and apply it
    for _ in range(len(stages)):
        page.keyboard.press("ArrowRight")
    expect(panel).to_have_attribute("data-stage", "change")
    row = panel.locator("tr[data-layer='1'][data-from='0'][data-to='0']")
    cells = row.locator("td")
    step = trace["layers"][0]
    assert float(cells.nth(0).inner_text()) == pytest.approx(step["weights"][0][0], abs=6e-4)
    # (three decimals, or three significant digits under 0.01: 0.0159 is shown 0.016)
    assert float(cells.nth(2).inner_text()) == pytest.approx(step["weight_changes"][0][0],
                                                             rel=6e-3, abs=6e-4)
    assert float(cells.nth(3).inner_text()) == pytest.approx(step["new_weights"][0][0], abs=6e-4)
    frames_before = int(view.get_attribute("data-frames"))
    epoch = view.get_attribute("data-epoch")
    page.get_by_role("button", name="Apply this update", exact=True).click()
    expect(panel).to_have_attribute("data-applied", "1")
    expect(view).to_have_attribute("data-frames", str(frames_before + 1))
    frame = last(received, "frame")
    assert frame["epoch"] == int(epoch) and view.get_attribute("data-epoch") == epoch
    for layer, traced in zip(frame["layers"], trace["layers"], strict=True):
        assert layer["weights"] == traced["new_weights"] != traced["weights"]
    page.get_by_role("button", name="Close", exact=True).click()
    expect(panel).to_be_hidden()
    assert lab.errors == []


def test_a_random_point_and_the_keyboard_alone(lab):
    page = lab.page
    received = open_with_socket(page, lab.base)
    start = page.get_by_role("button", name="One update, slowly", exact=True)
    start.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("region", name="One update, slowly")
    expect(panel).to_have_attribute("data-stage", "pick")
    page.get_by_label("Training point", exact=True).fill("7")
    page.get_by_role("button", name="Use this point", exact=True).click()
    expect(panel).to_have_attribute("data-stage", "input")
    assert last(received, "trace")["trace"]["point"] == 7
    page.get_by_role("button", name="Back", exact=True).click()
    page.get_by_role("button", name="A random point", exact=True).click()
    expect(panel).to_have_attribute("data-stage", "input")
    count = len(last(received, "points")["train"]) // 3
    assert 0 <= last(received, "trace")["trace"]["point"] < count
    # a step of training moves the weights: the trace is stale, the walk-through says so
    page.get_by_role("button", name="Step", exact=True).click()
    expect(panel).to_have_attribute("data-stage", "pick")
    expect(panel.locator(".pg-slow-say")).to_contain_text("changed")
    # Run closes the walk-through
    page.get_by_role("button", name="Run/Pause", exact=True).click()
    expect(panel).to_be_hidden()
    assert lab.errors == []


def axe_bad(page) -> list:
    """axe-core's serious and critical violations on the page: (rule, impact, first node)."""
    results = Axe().run(page)
    return [(v["id"], v["impact"], v["nodes"][0]["target"])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_axe_and_screenshots_while_stepping(sized_page, lab_url, artifacts, width, height):
    page = sized_page(width, height)
    received = open_with_socket(page, lab_url)
    panel = walk_through(page, 12)
    trace = last(received, "trace")["trace"]
    nxt = panel.get_by_role("button", name="Next", exact=True)
    nxt.click()
    expect(panel).to_have_attribute("data-stage", "forward-1")
    net = page.locator(".pg-net-col")
    net.scroll_into_view_if_needed()
    net.screenshot(path=artifacts / f"playground-update-forward-{width}x{height}.png")
    assert axe_bad(page) == []
    n = len(trace["layers"])
    while panel.get_attribute("data-stage") != f"backward-{n - 1}":
        nxt.click()
    net.scroll_into_view_if_needed()
    net.screenshot(path=artifacts / f"playground-update-backward-{width}x{height}.png")
    while panel.get_attribute("data-stage") != "change":
        nxt.click()
    net.scroll_into_view_if_needed()
    net.screenshot(path=artifacts / f"playground-update-change-{width}x{height}.png")
    assert axe_bad(page) == []
    width_now = page.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width  # nothing pushes the page sideways
    # nothing of the walk-through overlaps another control or sticks out of the section
    # (the upload label, 312 px wide in a 216 px column, is another view's matter)
    problems = page.evaluate(LAYOUT_PROBLEMS, CONTROLS)
    assert [p for p in problems if "pg-slow" in p and "pg-file" not in p] == []


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_adams_arithmetic_is_the_change_apply_makes(sized_page, lab_url, artifacts, width,
                                                     height):
    page = sized_page(width, height)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    received = open_with_socket(page, lab_url)
    view = page.locator(".pg")
    page.get_by_label("Optimizer", exact=True).select_option("adam")
    frames = int(view.get_attribute("data-frames"))
    page.get_by_role("button", name="Step", exact=True).click()  # Adam's moments fill up
    expect(view).to_have_attribute("data-frames", str(frames + 1))
    weights_before = last(received, "frame")["layers"]
    panel = walk_through(page, 4)
    trace = last(received, "trace")["trace"]
    assert trace["optimizer"] == "adam" and trace["t"] > 0
    while panel.get_attribute("data-stage") != "change":
        panel.get_by_role("button", name="Next", exact=True).click()
    expect(panel.locator(".pg-slow-say")).to_contain_text("Adam")
    expect(panel).not_to_contain_text("plain gradient step")
    # choose a weight of the second layer: its Adam arithmetic, numbers in
    box = panel.locator(".pg-slow-opt")
    panel.get_by_label("Show the arithmetic for", exact=True).select_option("2:1:0")
    expect(box).to_have_attribute("data-weight", "2:1:0")
    expect(box).to_contain_text(f"Adam's update number {trace['t'] + 1}")
    expect(page.locator("path.pg-slow-chosen")).to_have_count(1)  # its line, marked
    layer = trace["layers"][1]
    rows = box.locator(".pg-opt-row")
    rules = box.locator(".pg-opt-row .rule").all_inner_texts()
    assert [r.split(" ")[0] for r in rules] == ["g", "m", "s", "m̂", "ŝ", "Δw", "new"]
    assert rules[5] == "Δw = −rate·m̂ ÷ (√ŝ + ε)"
    result = [float(r.locator(".res").inner_text().lstrip("= ").replace("−", "-"))
              for r in rows.all()]
    state = layer["state"]["weights"]
    for shown, want in zip(result, [layer["weight_grads"][1][0], state["new_m"][1][0],
                                    state["new_s"][1][0], state["m_hat"][1][0],
                                    state["s_hat"][1][0], -layer["weight_steps"][1][0],
                                    layer["new_weights"][1][0]], strict=True):
        assert shown == pytest.approx(want, rel=6e-3, abs=6e-4)
    # hovering a row of the table shows that weight's numbers; leaving shows the chosen
    panel.locator("tr[data-layer='1'][data-bias='0']").hover()
    expect(box).to_have_attribute("data-weight", "1:b:0")
    page.mouse.move(0, 0)
    expect(box).to_have_attribute("data-weight", "2:1:0")
    net = page.locator(".pg-net-col")
    net.scroll_into_view_if_needed()
    net.screenshot(path=artifacts / f"playground-update-adam-{width}x{height}.png")
    box.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"playground-update-adam-box-{width}x{height}.png")
    assert axe_bad(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    problems = page.evaluate(LAYOUT_PROBLEMS, CONTROLS)
    assert [p for p in problems if "pg-slow" in p and "pg-file" not in p] == []
    # apply: the weight moves by the change shown
    frames = int(view.get_attribute("data-frames"))
    page.get_by_role("button", name="Apply this update", exact=True).click()
    expect(panel).to_have_attribute("data-applied", "1")
    expect(view).to_have_attribute("data-frames", str(frames + 1))
    after = last(received, "frame")["layers"]
    moved = after[1]["weights"][1][0] - weights_before[1]["weights"][1][0]
    assert moved == pytest.approx(result[5], rel=6e-3, abs=6e-4)
    assert moved == pytest.approx(-layer["weight_steps"][1][0], rel=1e-9)
    assert errors == []


def test_a_new_optimizer_mid_walk_through_shows_its_own_step(lab):
    page = lab.page
    received = open_with_socket(page, lab.base)
    panel = walk_through(page, 3)
    while panel.get_attribute("data-stage") != "change":
        panel.get_by_role("button", name="Next", exact=True).click()
    box = panel.locator(".pg-slow-opt")
    expect(box).to_contain_text("Plain gradient descent (sgd)")
    sgd = last(received, "trace")["trace"]
    # momentum chosen now: the same point traced again, the same stage, a fresh velocity
    page.get_by_label("Optimizer", exact=True).select_option("momentum")
    expect(box).to_contain_text("Momentum was just chosen: its velocity starts at 0.")
    expect(panel).to_have_attribute("data-stage", "change")
    trace = last(received, "trace")["trace"]
    assert trace["optimizer"] == "momentum" and trace["optimizer_fresh"]
    assert trace["layers"][0]["weight_steps"] == sgd["layers"][0]["weight_steps"]  # v = g
    rules = box.locator(".pg-opt-row .rule").all_inner_texts()
    assert rules == ["g = gradient", "v ← 0.9·v + g", "Δw = −rate·v", "new w = w + Δw"]
    assert lab.errors == []
