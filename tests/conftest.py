"""Shared fixtures: Debian Chromium for Playwright, a live lab server, offline helpers.

The tests never write into the user's home: every cache (MNIST's uncompressed copy,
matplotlib's fonts, IPython and Jupyter's files) goes to one temporary folder for the run,
which the processes the tests start inherit, and which is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers import free_port, offline, wait_for_port

TEST_CACHE = Path(tempfile.mkdtemp(prefix="neuralab-tests-"))
CACHE_VARIABLES = {
    "NEURALAB_CACHE": TEST_CACHE,
    "MPLCONFIGDIR": TEST_CACHE / "matplotlib",
    "IPYTHONDIR": TEST_CACHE / "ipython",
    "JUPYTER_DATA_DIR": TEST_CACHE / "jupyter",
    "JUPYTER_RUNTIME_DIR": TEST_CACHE / "jupyter" / "runtime",
}
os.environ.update({name: str(path) for name, path in CACHE_VARIABLES.items()})


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(TEST_CACHE, ignore_errors=True)


ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def lab_server():
    """A real `neuralab serve` process on a free loopback port, for the browser tests: its
    URL and its process (whose children are the worker processes that train)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "neuralab", "serve", "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def lab_url(lab_server):
    """The URL of :func:`lab_server`."""
    return lab_server[0]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests write screenshots (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def offline_cmd():
    """:func:`offline` for tests in subfolders; skips where ``unshare -n`` cannot run."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("unshare -n needs root and util-linux (CI runs as root)")
    return offline


@pytest.fixture(scope="session")
def chromium() -> tuple[str, list[str]]:
    """The Chromium executable and its launch arguments, for scripts run outside pytest."""
    return CHROMIUM, list(CHROMIUM_ARGS)


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last: Playwright's sync API keeps an asyncio loop running in
    the main thread for the rest of the session, which breaks later ``asyncio.run`` calls."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
