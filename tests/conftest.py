"""Shared fixtures: Debian Chromium for Playwright, a live lab server, offline helpers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@pytest.fixture(scope="session")
def lab_url():
    """A real `neuralab serve` process on a free loopback port, for the browser tests."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "neuralab", "serve", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests write screenshots (test-artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def offline(cmd: list[str]) -> list[str]:
    """Wrap ``cmd`` to run with no network but loopback (``unshare -n``)."""
    inner = "ip link set lo up && exec " + " ".join(_quote(c) for c in cmd)
    return ["unshare", "-n", "sh", "-c", inner]


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(s)


# The offline tests cut the network with `unshare -n`, which needs root. CI and these machines
# run as root, so there they always run; elsewhere they skip and say why.
needs_unshare = pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0,
    reason="unshare -n needs root and util-linux (CI runs as root)",
)


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
