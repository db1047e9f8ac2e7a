"""Section 3 in Chromium: curve, learning rate, start, steps; step / play / reset; divergence,
oscillation and local minima named (issue 9)."""

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
    assert value(page, "Next move") == "−0.1 × 7.000 = −0.700"  # one minus sign, not a hyphen
    page.locator(S).get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("1 of 50")
    assert value(page, "x") == "2.800"  # 3.5 - 0.1 * 7
    page.locator(S).get_by_role("button", name="Reset", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("0 of 50")


def test_each_control_changes_the_numbers(lab):
    page = lab.open()
    lab.press("Learning Rate", "ArrowRight", 10, within=S)  # 0.2
    expect(page.locator(S).get_by_label("Learning Rate", exact=True)).to_have_value("0.2")
    page.locator(S).get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("2.100")  # 3.5 - 0.2 * 7
    lab.press("Start", "ArrowLeft", 5, within=S)  # 3.0
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("3.000")
    lab.press("Steps", "ArrowRight", 3, within=S)
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("0 of 53")
    page.locator(S).get_by_label("Loss Curve", exact=True).select_option("valleys")
    expect(page.locator(f"{S} .formula")).to_contain_text("sin(3x)")
    q = lab.query()
    assert all(k in q for k in ("descent.learning_rate=0.2", "descent.start=3", "descent.steps=53",
                                "descent.curve=valleys"))
    page = lab.reload()
    expect(page.locator(S).get_by_label("Learning Rate", exact=True)).to_have_value("0.2")
    expect(page.locator(f"{S} .formula")).to_contain_text("sin(3x)")
    assert value(page, "Step") == "0 of 53"


def test_play_runs_and_large_rate_diverges(lab):
    page = lab.open("descent.learning_rate=1.2")
    play = page.locator(S).get_by_role("button", name="Play")
    play.focus()
    page.keyboard.press("Enter")  # keyboard works on the buttons
    expect(page.locator(f"{S} .status")).to_contain_text("Diverged", timeout=5_000)
    expect(page.locator(f"{S} .point")).to_have_class("point out")
    expect(page.locator(f"{S} .escape")).to_contain_text("out of view")
    page.locator(S).get_by_role("button", name="Pause").click()


def test_small_rate_settles(lab):
    page = lab.open("descent.learning_rate=0.4&descent.steps=20")
    step = page.locator(S).get_by_role("button", name="Step", exact=True)
    for _ in range(20):
        step.click()
    expect(page.locator(f"{S} .status")).to_contain_text("Settled")
    expect(step).to_be_disabled()
    assert lab.errors == []


def _play_to_the_end(page, section):
    page.emulate_media(reduced_motion="reduce")  # Play shows the last step at once
    page.locator(section).get_by_role("button", name="Play").click()


def test_rate_just_above_one_diverges_and_one_oscillates(lab):
    page = lab.open("descent.learning_rate=1.01")
    _play_to_the_end(page, S)
    status = page.locator(f"{S} .status")
    expect(status).to_contain_text("Diverged: every step lands farther from the minimum")
    expect(status).to_contain_text("9.421")
    assert page.locator(S).get_attribute("data-outcome") == "diverged"
    page.locator(S).get_by_label("Learning Rate", exact=True).press("ArrowLeft")  # 1.00
    expect(page.locator(f"{S} .descent-readout")).to_contain_text("−1 × 7.000")  # new path
    _play_to_the_end(page, S)
    expect(status).to_contain_text("Oscillating")
    expect(status).to_have_class("status warn")


def test_a_local_minimum_is_not_greeted_as_the_best(lab):
    page = lab.open("descent.curve=valleys&descent.learning_rate=0.05&descent.steps=200")
    _play_to_the_end(page, S)
    status = page.locator(f"{S} .status")
    expect(status).to_contain_text("Settled in a local minimum")
    expect(status).to_contain_text("global minimum is at x = -0.481")
    expect(status).not_to_have_class("status ok")
    page = lab.open("descent.curve=valleys&descent.learning_rate=0.05&descent.steps=200"
                    "&descent.start=-0.5")
    _play_to_the_end(page, S)
    expect(status).to_contain_text("Settled in the global minimum")
    expect(status).to_have_class("status ok")


# --- 3b: two weights --------------------------------------------------------------------------

T = "#surfaces"


def ready(page):
    expect(page.locator(T)).to_have_attribute("data-state", "ready")


def test_three_optimizers_on_the_valley_one_diverges_at_a_large_rate(lab):
    page = lab.open()
    section = page.locator(T)
    ready(page)
    expect(section.get_by_label("Loss Surface", exact=True)).to_have_value("valley")
    for name in ("Gradient descent", "Momentum", "Adam"):
        expect(section.get_by_label(name, exact=True)).to_be_checked()
    colours = {section.locator(f"g[data-optimizer={o}] .path").get_attribute("stroke")
               for o in ("gd", "momentum", "adam")}
    assert len(colours) == 3  # each in its own colour
    section.get_by_role("button", name="Step", exact=True).click()
    expect(section.locator("tr[data-optimizer=gd] td").first).to_have_text("1")
    # a large rate, by keyboard: End puts the slider at its top (1.5)
    drawn = int(section.get_attribute("data-drawn"))
    section.get_by_label("Learning Rate", exact=True).press("End")
    expect(section).not_to_have_attribute("data-drawn", str(drawn))
    assert "descent.rate=1.5" in lab.query()
    _play_to_the_end(page, T)
    expect(section.locator("tr[data-optimizer=gd]")).to_have_attribute("data-status", "diverged")
    for o in ("momentum", "adam"):
        assert section.locator(f"tr[data-optimizer={o}]").get_attribute("data-status") != \
            "diverged"
    status = section.locator(".surf-status")
    expect(status).to_contain_text("Gradient descent diverged")
    expect(status).to_contain_text("Make the learning rate smaller")
    expect(section.locator("g[data-optimizer=gd] .boom")).to_have_text("✕ diverged")
    section.get_by_role("button", name="Reset", exact=True).click()
    expect(section).to_have_attribute("data-step", "0")
    expect(status).to_have_text("")
    assert lab.errors == []


def test_click_the_map_to_choose_the_start(lab):
    page = lab.open()
    section = page.locator(T)
    ready(page)
    section.locator(".map-svg").scroll_into_view_if_needed()
    box = section.locator(".map-svg").bounding_box()
    # the valley's map: w1 from -5 to 5, w2 from -3 to 3; click near (2.5, -1.5)
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75)
    expect(section.get_by_label("Start w1", exact=True)).to_have_value("2.5")
    expect(section.get_by_label("Start w2", exact=True)).to_have_value("-1.5")
    q = lab.query()
    assert "descent.start_x=2.5" in q and "descent.start_y=-1.5" in q
    ready(page)
    x0 = float(section.locator("g[data-optimizer=adam] .head").get_attribute("cx"))
    assert x0 == pytest.approx(box["width"] * 0.75 / box["width"] * 520, abs=6)


def test_the_learning_rate_curve(lab):
    page = lab.open("descent.surface=bowl&descent.start_x=-4&descent.start_y=3")
    section = page.locator(T)
    ready(page)
    expect(section.locator(".rate-note")).to_contain_text("at rates from 0.0")
    gd = section.locator(".rate-svg .series.gd")
    assert gd.locator(".marks circle").count() >= 15  # the rates that reach the minimum
    assert section.locator(".rate-svg .extremes .div").count() >= 3  # and those that diverge
    # no label of the axes runs into another ("> 500" into "500", the axis name into "0.1")
    clashes = section.locator(".rate-svg").evaluate("""(g) => {
      const ts = [...g.querySelectorAll('.axes text')].map((t) => [t.textContent,
        t.getBoundingClientRect()]);
      const out = [];
      ts.forEach(([n, a], i) => ts.slice(i + 1).forEach(([m, b]) => {
        if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5) out.push([n, m]);
      }));
      return out; }""")
    assert clashes == []
    section.get_by_label("Adam", exact=True).uncheck()
    expect(section.locator(".rate-svg .series.adam")).to_be_hidden()
    expect(section.locator("tr[data-optimizer=adam]")).to_have_count(0)
    assert "descent.adam=0" in lab.query()
    # with none ticked, the empty table says what to do
    status = section.locator(".surf-status")
    expect(status).to_have_text("")
    for name in ("Gradient descent", "Momentum"):
        section.get_by_label(name, exact=True).uncheck()
    expect(status).to_contain_text("No optimizer is ticked")
    section.get_by_label("Momentum", exact=True).check()
    expect(status).to_have_text("")


def test_switching_surfaces_keeps_the_start_on_the_map(lab):
    page = lab.open()
    section = page.locator(T)
    ready(page)
    section.get_by_label("Loss Surface", exact=True).select_option("banana")
    expect(section.locator(".formula")).to_contain_text("banana")
    expect(section.get_by_label("Start w1", exact=True)).to_have_value("-1.5")
    expect(section.get_by_label("Start w2", exact=True)).to_have_value("2.5")
    ready(page)
    section.get_by_label("Loss Surface", exact=True).select_option("minima")
    ready(page)
    _play_to_the_end(page, T)
    expect(section.locator(".surf-status")).to_contain_text("Stuck in a local minimum")
    assert lab.errors == []


def test_fit_a_line_by_dragging_and_by_keyboard(lab):
    page = lab.open("descent.surface=line")
    section = page.locator(T)
    ready(page)
    expect(section.locator(".line-svg .pt")).to_have_count(5)
    first = section.locator(".line-svg .pt").first
    first.focus()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    assert "descent.points=-0.8%2C-0.45" in lab.query()
    ready(page)  # the points are drawn afresh: drag only then
    section.locator(".line-svg").scroll_into_view_if_needed()
    box = section.locator(".line-svg .pt").nth(4).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 60, steps=4)
    page.mouse.up()
    ready(page)
    q = lab.query()
    assert "0.8%2C0.4" not in q  # the fifth point moved down
    section.get_by_role("button", name="Step", exact=True).click()
    assert section.locator(".line-svg .fit").count() == 3
    page = lab.reload()
    expect(page.locator(T).locator(".line-svg .pt")).to_have_count(5)
    assert lab.errors == []


def test_a_broken_point_list_in_a_link_falls_back_to_the_lessons_points(lab):
    page = lab.open("descent.surface=line&descent.points=0,0;9,9")
    ready(page)
    expect(page.locator(T).locator(".line-svg .pt")).to_have_count(5)
    assert "descent.points" not in lab.query()


def test_the_start_sliders_span_only_the_map(lab):
    """Dragging a start slider to its end stays on the map (the valley's w2 runs -3 to 3)."""
    page = lab.open()
    section = page.locator(T)
    ready(page)
    w1 = section.get_by_label("Start w1", exact=True)
    w2 = section.get_by_label("Start w2", exact=True)
    expect(w2).to_have_attribute("max", "3")
    for slider, key, want in ((w2, "End", "3"), (w2, "Home", "-3"), (w1, "End", "5")):
        slider.press(key)
        expect(slider).to_have_value(want)
        ready(page)
    assert "descent.start_y=-3" in lab.query()
    expect(section.locator(".surf-status")).to_have_text("")
    section.get_by_label("Loss Surface", exact=True).select_option("banana")
    expect(w1).to_have_attribute("min", "-2")
    ready(page)
    assert lab.errors == []
