"""What the browser-driven benchmarks share: Debian Chromium, a lab server, percentiles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def percentile(xs: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``xs``."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q / 100 * (len(xs) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    """A `neuralab serve` process on a free loopback port, and its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                             "--no-browser"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the lab server did not start")
