"""The playground page in Chromium: its controls, a run, the URL, uploads and a divergence.

Waits on the view's DOM attributes (``data-state``, ``data-epoch``, ``data-frames``), never on
time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_full_page_shows_only_the_playground(lab):
    page, _ = lab.playground()
    assert page.locator("#playground").is_visible()
    assert page.locator("#neuron").is_hidden() and page.locator(".site-header").is_hidden()
    assert lab.errors == []


def test_step_run_pause_and_reset(lab):
    page, view = lab.playground()
    step = page.get_by_role("button", name="Step", exact=True)
    step.click()
    expect(view).to_have_attribute("data-epoch", "1")
    step.click()
    expect(view).to_have_attribute("data-epoch", "2")
    expect(page.get_by_role("status", name="Epoch")).to_have_text("2")
    run = page.get_by_role("button", name="Run/Pause", exact=True)
    run.click()
    expect(view).to_have_attribute("data-state", "playing")
    page.wait_for_function("Number(document.querySelector('.pg').dataset.epoch) > 20")
    run.click()
    expect(view).to_have_attribute("data-state", "paused")
    stopped = view.get_attribute("data-epoch")
    step.click()
    expect(view).to_have_attribute("data-epoch", str(int(stopped) + 1))
    page.get_by_role("button", name="Reset the network", exact=True).click()
    expect(view).to_have_attribute("data-epoch", "0")
    loss = page.get_by_role("status", name="Training loss").inner_text()
    assert re.fullmatch(r"\d+\.\d{3}", loss)
    assert lab.errors == []


def test_run_pause_works_by_keyboard(lab):
    page, view = lab.playground()
    page.get_by_role("button", name="Run/Pause", exact=True).focus()
    page.keyboard.press("Enter")
    expect(view).to_have_attribute("data-state", "playing")
    page.keyboard.press("Space")
    expect(view).to_have_attribute("data-state", "paused")


def test_a_rate_change_takes_effect_without_a_reset(lab):
    page, view = lab.playground("playground.seed=3")
    step = page.get_by_role("button", name="Step", exact=True)
    for epoch in ("1", "2"):
        step.click()
        expect(view).to_have_attribute("data-epoch", epoch)
    page.get_by_label("Learning rate", exact=True).select_option("1")
    assert "playground.learning_rate=1" in lab.query()
    step.click()
    expect(view).to_have_attribute("data-epoch", "3")  # the network was kept
    fast = page.get_by_role("status", name="Training loss").inner_text()
    # the same three epochs all at 0.03 end elsewhere
    page2, view2 = lab.playground("playground.seed=3")
    for epoch in ("1", "2", "3"):
        page2.get_by_role("button", name="Step", exact=True).click()
        expect(view2).to_have_attribute("data-epoch", epoch)
    assert page2.get_by_role("status", name="Training loss").inner_text() != fast


def test_the_url_reproduces_a_run(lab):
    query = "playground.dataset=xor&playground.seed=7&playground.layers=3&playground.noise=10"
    losses = []
    for _ in range(2):
        page, view = lab.playground(query)
        expect(page.get_by_role("button", name="Exclusive or")).to_have_attribute(
            "aria-pressed", "true")
        expect(page.get_by_label("Noise", exact=True)).to_have_value("10")
        for epoch in range(1, 6):
            page.get_by_role("button", name="Step", exact=True).click()
            expect(view).to_have_attribute("data-epoch", str(epoch))
        losses.append((page.get_by_role("status", name="Training loss").inner_text(),
                       page.get_by_role("status", name="Test loss").inner_text()))
    assert losses[0] == losses[1]


def test_every_setting_goes_into_the_url(lab):
    page, view = lab.playground()
    page.get_by_role("button", name="Spiral", exact=True).click()
    page.get_by_label("X1²", exact=True).check()
    page.get_by_label("Activation", exact=True).select_option("relu")
    page.get_by_label("Regularization", exact=True).select_option("l2")
    page.get_by_role("button", name="Add a layer", exact=True).click()
    page.get_by_role("button", name="More neurons in layer 1").click()
    query = lab.query()
    for part in ("playground.dataset=spiral", "playground.x1_squared=1",
                 "playground.activation=relu", "playground.regularization=l2",
                 "playground.layers=5%2C2%2C2"):
        assert part in query
    expect(page.locator(".pg-node[data-layer='3']")).to_have_count(2)
    page.get_by_role("button", name="Remove a layer", exact=True).click()
    expect(page.locator(".pg-node[data-layer='3']")).to_have_count(1)  # now the output
    page.get_by_role("button", name="Regenerate data", exact=True).click()
    assert "playground.seed=" in lab.query()
    expect(view).to_have_attribute("data-epoch", "0")
    assert lab.errors == []


def test_hovering_a_neuron_explains_it_and_a_click_edits_its_weights(lab):
    page, view = lab.playground()
    neuron = page.get_by_role("button", name="Layer 1, neuron 2")
    neuron.hover()
    expect(page.locator(".pg-explain")).to_contain_text("Layer 1, neuron 2")
    neuron.click()
    bias = page.locator(".pg-editor").get_by_label("Bias of layer 1 neuron 2", exact=True)
    bias.fill("2.5")
    frames = int(view.get_attribute("data-frames"))
    bias.press("Enter")
    page.wait_for_function(f"Number(document.querySelector('.pg').dataset.frames) > {frames}")
    page.get_by_role("button", name="Layer 1, neuron 2").click()
    expect(page.locator(".pg-editor").get_by_label("Bias of layer 1 neuron 2", exact=True)) \
        .to_have_value("2.500")


def test_an_upload_with_bad_rows_is_refused_naming_the_line(lab):
    page, view = lab.playground()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(view).to_have_attribute("data-epoch", "1")
    upload = page.get_by_label("Upload points (CSV)")
    upload.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv",
                                   "buffer": b"x1,x2,label\n1,1,1\n2,two,1\n"}])
    message = page.locator(".pg-message")
    expect(message).to_contain_text("line 3")
    expect(message).to_contain_text("unchanged")
    expect(view).to_have_attribute("data-epoch", "1")  # the run was kept
    upload.set_input_files(files=[{"name": "good.csv", "mimeType": "text/csv",
                                   "buffer": b"1,1,1\n-1,-1,-1\n2,2,1\n-2,-2,-1\n"}])
    expect(message).to_contain_text("your 4 points")
    expect(view).to_have_attribute("data-epoch", "0")
    href = page.get_by_role("link", name="Download the points (CSV)").get_attribute("href")
    assert page.request.get(f"{lab.base}{href}").text().count("\n") == 5


def test_a_diverging_run_is_stopped_and_explained(lab):
    page, view = lab.playground(
        "playground.problem=regression&playground.dataset=plane&playground.learning_rate=10")
    page.get_by_role("button", name="Run/Pause", exact=True).click()
    expect(view).to_have_attribute("data-state", "diverged")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("learning rate is too large")
    expect(page.get_by_role("status", name="Training loss")).to_have_text("—")
    alert.get_by_role("button", name="Lower the learning rate").click()
    expect(view).to_have_attribute("data-state", "paused")
    expect(view).to_have_attribute("data-epoch", "0")
    expect(page.get_by_label("Learning rate", exact=True)).to_have_value("3")
    expect(alert).to_be_hidden()
    assert "playground.learning_rate=3" in lab.query()


def test_the_data_sets_and_the_network_are_one_tab_stop_each_with_arrow_keys(lab):
    page, view = lab.playground()
    circle = page.get_by_role("button", name="Circle", exact=True)
    circle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Exclusive or", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Exclusive or")).to_have_attribute(
        "aria-pressed", "true")
    assert "playground.dataset=xor" in lab.query()
    first = page.get_by_role("button", name="Layer 1, neuron 1")
    expect(first).to_have_attribute("tabindex", "0")
    first.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Layer 1, neuron 2")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Layer 2, neuron 2")).to_be_focused()
    expect(page.locator(".pg-explain")).to_contain_text("Layer 2, neuron 2")


def test_export_saves_a_numpy_script(lab, tmp_path):
    page, view = lab.playground()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export numpy script").click()
    path = tmp_path / "network.py"
    download.value.save_as(path)
    assert download.value.suggested_filename == "network_numpy.py"
    assert "def predict(points):" in path.read_text()


def test_a_link_with_bad_settings_says_which_fell_back(lab):
    page, view = lab.playground("playground.noise=80&playground.activation=swish"
                                      "&playground.wings=2&playground.seed=4")
    message = page.locator(".pg-message")
    expect(message).to_contain_text("Noise (now 50)")
    expect(message).to_contain_text("Activation (now tanh)")
    expect(message).to_contain_text("wings (unknown)")
    expect(message).not_to_contain_text("Seed")
    expect(page.get_by_label("Noise", exact=True)).to_have_value("50")



@pytest.mark.parametrize(("query", "named"), [
    ("playground.layers=abc", "Hidden layers (now 4,2)"),
    ("playground.layers=4,99", "Hidden layers (now 4,2)"),
    ("playground.layers=3,3&playground.activations=relu,swish",
     "Activation per layer (now the default)"),
])
def test_bad_layers_in_a_link_fall_back_and_are_named(lab, query, named):
    page, view = lab.playground(query)
    expect(page.locator(".pg-message")).to_contain_text(named)
    assert "abc" not in lab.query() and "99" not in lab.query() and "swish" not in lab.query()
    assert lab.errors == []


def test_the_loss_chart_says_what_it_will_show_before_training(lab):
    page, view = lab.playground()
    painted = page.evaluate("""() => {
        const c = document.querySelector('.pg-chart');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] < 120) dark++;
        return dark;
    }""")
    assert painted > 50  # the sentence is written in the empty box


CONTRACT = {
    "button": ("Circle", "Exclusive or", "Gaussian", "Spiral", "Plane", "Multi gaussian",
               "Regenerate data", "Run/Pause", "Step", "Reset the network", "Add a layer",
               "Remove a layer"),
    "slider": ("Noise", "Ratio of training to test data", "Batch size"),
    "checkbox": ("X1", "X2", "X1²", "X2²", "X1X2", "sin(X1)", "sin(X2)", "Show test data",
                 "Discretize output"),
    "combobox": ("Learning rate", "Activation", "Regularization", "Regularization rate",
                 "Problem type", "Loss"),
    "status": ("Epoch", "Training loss", "Test loss"),
}


def test_the_classroom_link_hides_exactly_what_was_chosen(lab):
    page, _ = lab.playground("playground.dataset=xor&playground.ratio=30")
    page.get_by_text("Classroom link: hide controls").click()
    page.get_by_label("Hide Features", exact=True).check()
    page.get_by_label("Hide Regularization", exact=True).check()
    link = page.get_by_label("Classroom link", exact=True).input_value()
    assert "playground.hide=features,regularization" in link
    assert "playground.dataset=xor" in link and "playground.ratio=30" in link
    page.goto(link)
    lab.wait_ready()
    hidden = {"X1", "X2", "X1²", "X2²", "X1X2", "sin(X1)", "sin(X2)", "Regularization",
              "Regularization rate"}
    pg = page.locator("#playground")
    for role, names in CONTRACT.items():
        for name in names:
            control = pg.get_by_role(role, name=name, exact=True)
            if name in hidden:
                expect(control).to_be_hidden()
            else:
                expect(control).to_be_visible()
    expect(page.get_by_role("button", name="Exclusive or")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator(".pg-message")).to_have_text("")  # hide is not a bad setting
