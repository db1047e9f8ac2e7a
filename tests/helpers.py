"""Helpers the tests share (fixtures live in conftest.py files)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# The in-process tests' base URL: the lab answers only to loopback names by default, and
# TestClient's own default host ("testserver") is not one of them.
LOCAL = "http://127.0.0.1"
COMPARE_WS = "ws://127.0.0.1/api/compare/ws"  # TestClient's WebSockets ignore its base_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_sigint() -> None:
    """For ``Popen(preexec_fn=...)``: the child takes Ctrl+C as a terminal gives it, even if
    the tests run where SIGINT is ignored (a background job of a script)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_serve(*args: str, stdout: int | None = subprocess.DEVNULL,
                tries: int = 3) -> tuple[subprocess.Popen, int]:
    """``neuralab serve --port P *args`` on a free port P, returned once it has said where
    the lab is; started again on another port if P was taken in between (``free_port``
    only finds a port that was free a moment ago)."""
    for _ in range(tries):
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                                 "--no-browser", *args], stdout=stdout,
                                stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
        lines = []
        while not lines or "the lab is at" not in lines[-1]:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
        if lines and "the lab is at" in lines[-1]:
            return proc, port
        proc.wait(timeout=30)
        if "is in use" not in "".join(lines):
            raise AssertionError(f"neuralab serve ended: {''.join(lines)}")
    raise AssertionError(f"no free port in {tries} tries")


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def offline(cmd: list[str]) -> list[str]:
    """Wrap ``cmd`` to run with no network but loopback (``unshare -n``)."""
    inner = "ip link set lo up && exec " + " ".join(shlex.quote(c) for c in cmd)
    return ["unshare", "-n", "sh", "-c", inner]


# The offline tests cut the network with `unshare -n`, which needs root. CI and these machines
# run as root, so there they always run; elsewhere they skip and say why.
needs_unshare = pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0,
    reason="unshare -n needs root and util-linux (CI runs as root)",
)


@contextmanager
def uvicorn_thread(app, **options) -> Iterator[int]:
    """``app`` served with the lab's uvicorn settings (:mod:`neuralab.server.serving`,
    ``options`` passed on) in a thread, on a free loopback port (yielded); stopped at the end."""
    import uvicorn

    from neuralab.server.serving import config

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(config(app, log_level="warning", **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
