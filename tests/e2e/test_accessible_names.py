"""Every control has an accessible name; the lesson's controls have exactly its names."""

import pytest

pytestmark = pytest.mark.e2e

NAMES = """
(sel) => [...document.querySelectorAll(sel)].map((e) => {
  const labelled = e.labels && e.labels.length ? [...e.labels].map((l) => l.textContent).join(" ")
    : "";
  const name = (e.getAttribute("aria-label") || labelled || e.textContent || "").trim();
  return [e.closest("section").id, e.tagName.toLowerCase(), name];
})
"""
MINE = ("functions", "pixels", "descent", "surfaces", "neuron", "next")


def test_every_control_in_my_sections_is_named(lab):
    page = lab.open()
    sel = ", ".join(f"#{s} :is(input, select, textarea, button, summary, [tabindex='0'])"
                    for s in MINE)
    controls = page.evaluate(NAMES, sel)
    assert len(controls) > 40
    unnamed = [c for c in controls if not c[2]]
    assert unnamed == []


def test_neuron_controls_have_the_lesson_names(lab):
    page = lab.open()
    names = [n for _, _, n in page.evaluate(NAMES, "#neuron :is(input, select)")]
    assert names[:8] == ["Target Function", "Weight 1", "Weight 2", "Bias", "First input ON",
                         "Second input ON", "Activation", "Hidden layer"]
    assert names[8:] == [f"Hidden {j} {w}" for j in (1, 2) for w in ("weight 1", "weight 2",
                                                                     "bias")] + [
        "Output weight from hidden 1", "Output weight from hidden 2", "Output bias"]
    neuron = page.locator("#neuron")  # the playground has an "Activation" too
    for label in names[:8]:
        assert neuron.get_by_role("slider" if label.startswith(("Weight", "Bias")) else
                                  "checkbox" if label.endswith(("ON", "layer")) else "combobox",
                                  name=label, exact=True).count() == 1


def test_issue_10_contract_names(lab):
    page = lab.open("neuron.hidden=1")
    neuron = page.locator("#neuron")
    assert neuron.get_by_role("combobox", name="Target Function", exact=True).count() == 1
    options = neuron.get_by_label("Target Function", exact=True).locator("option")
    assert options.all_inner_texts() == ["AND", "OR", "NAND", "NOR", "XOR"]
    assert neuron.get_by_role("combobox", name="Activation", exact=True).count() == 1
    assert neuron.get_by_role("button", name="Learn the weights", exact=True).count() == 1
    assert neuron.get_by_role("checkbox", name="Hidden layer", exact=True).count() == 1
    assert neuron.get_by_role("slider", name="Output bias", exact=True).count() == 1
    surfaces = page.locator("#surfaces")
    assert surfaces.get_by_role("combobox", name="Loss Surface", exact=True).count() == 1
    for name in ("Learning Rate", "Momentum β"):
        assert surfaces.get_by_role("slider", name=name, exact=True).count() == 1
    for name in ("Gradient descent", "Momentum", "Adam"):
        assert surfaces.get_by_role("checkbox", name=name, exact=True).count() == 1
    for name in ("Step", "Play", "Reset"):
        assert surfaces.get_by_role("button", name=name, exact=True).count() == 1


def test_issue_11_contract_names(lab):
    page = lab.open("sections=playground")
    pg = page.locator("#playground")
    for name in ("Circle", "Exclusive or", "Gaussian", "Spiral", "Plane", "Multi gaussian",
                 "Regenerate data", "Run/Pause", "Step", "Reset the network", "Add a layer",
                 "Remove a layer"):
        assert pg.get_by_role("button", name=name, exact=True).count() == 1, name
    for name in ("Noise", "Ratio of training to test data", "Batch size"):
        assert pg.get_by_role("slider", name=name, exact=True).count() == 1, name
    for name in ("X1", "X2", "X1²", "X2²", "X1X2", "sin(X1)", "sin(X2)", "Show test data",
                 "Discretize output"):
        assert pg.get_by_role("checkbox", name=name, exact=True).count() == 1, name
    for name in ("Learning rate", "Activation", "Regularization", "Regularization rate",
                 "Problem type", "Loss"):
        assert pg.get_by_role("combobox", name=name, exact=True).count() == 1, name
    for name in ("Epoch", "Training loss", "Test loss"):
        assert pg.get_by_role("status", name=name, exact=True).count() == 1, name
    controls = page.evaluate(NAMES, "#playground :is(input, select, textarea, button)")
    assert [c for c in controls if not c[2]] == []
