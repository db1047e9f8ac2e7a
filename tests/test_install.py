"""What `make lab` installs: the lab and what it runs on, no test tools, no PyTorch."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_FOR_THE_LAB = {"pytest", "playwright", "pytest-playwright", "ruff", "torch", "jupyterlab",
                   "nbclient", "ipykernel", "matplotlib", "axe-playwright-python"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_make_lab_installs_the_package_without_extras():
    recipe = (ROOT / "Makefile").read_text().split("$(LAB):", 1)[1].split("\n\n", 1)[0]
    installs = [line for line in recipe.splitlines() if "pip install" in line]
    assert installs[-1].rstrip().endswith("install -q -e ."), installs


def test_the_package_alone_pulls_in_no_test_tools_and_no_torch(tmp_path):
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                    "-q", "--report", str(report), str(ROOT)], check=True,
                   capture_output=True, timeout=300)
    items = json.loads(report.read_text())["install"]
    names = {_normal(item["metadata"]["name"]) for item in items}
    assert {"neuralab", "numpy", "scikit-learn", "fastapi", "fastapi-offline"} <= names
    assert not names & NOT_FOR_THE_LAB, names & NOT_FOR_THE_LAB
