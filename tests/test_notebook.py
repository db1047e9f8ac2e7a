"""The lesson notebook runs top to bottom, with no network (`unshare -n`) where we can."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import offline

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "lesson.ipynb"

RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=False).execute()
texts = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
             for o in c.outputs)
html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
        if "text/html" in o.get("data", {})]
print(json.dumps({"text": "".join(texts), "images": images, "html": html}))
"""


def test_the_notebook_runs_offline_and_shows_the_lesson():
    cmd = [sys.executable, "-c", RUN, str(NOTEBOOK)]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = offline(cmd)  # the kernel talks to nbclient over loopback only
    # the kernel's own inline backend draws the figures into the notebook
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    text = out["text"]
    assert "a function: True | named: has_pedestrian" in text
    assert "(70000, 784)" in text
    assert "logistic regression" in text and "decision tree (depth 5)" in text
    assert "AND and OR are both one neuron away." in text
    assert "three optimizers: {'gd': 'diverged', 'momentum': 'reached', 'adam': 'reached'}" in text
    assert "XOR: not solved" in text and "XOR needs a hidden layer" in text
    assert out["images"] >= 8  # every figure of the lesson was drawn
    assert "MLP 4 x 32: mean accuracy" in text and "over 2 seeds" in text  # the sweep
    assert any(h.startswith("<iframe") and "sections=mnist" in h for h in out["html"])


def test_the_notebook_is_stored_without_outputs():
    nb = json.loads(NOTEBOOK.read_text())
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
