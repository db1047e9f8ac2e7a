"""The whole page and the API docs with no network: server and browser both run under
``unshare -n``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
PROBE = Path(__file__).with_name("offline_probe.py")


def test_every_section_works_offline(offline_cmd, chromium):
    executable, args = chromium
    cmd = offline_cmd([sys.executable, str(PROBE), executable, *args])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["ready"]
    lesson = ["functions", "pixels", "descent", "mnist", "neuron", "next"]
    assert [s for s in report["sections"] if s in lesson] == lesson  # all there, in order
    assert report["outside"] == [], f"requests left loopback: {report['outside']}"
    assert report["console_errors"] == [], report["console_errors"]
    assert len(report["requests"]) > 10
    assert any(u.endswith("/static/lib/chart.js") for u in report["requests"])
    assert not [u for u in report["requests"] if "/vendor/" in u]
    # /docs drew the API from the package's own copy of Swagger UI
    assert report["docs"] >= 10
    assert any(u.endswith("/static/docs-assets/swagger-ui-bundle.js")
               for u in report["requests"])
