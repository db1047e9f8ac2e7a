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
MINE = ("functions", "pixels", "descent", "neuron", "next")


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
    assert names == ["Target Function", "Weight 1", "Weight 2", "Bias", "First input ON",
                     "Second input ON"]
    for label in names:
        assert page.get_by_role("slider" if label.startswith(("Weight", "Bias")) else
                                "checkbox" if label.endswith("ON") else "combobox",
                                name=label, exact=True).count() == 1
