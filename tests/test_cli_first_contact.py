"""First contact with the command: a busy port, a bad host, Ctrl+C, a mistyped flag."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from neuralab.cli import main
from tests.helpers import default_sigint, free_port, start_serve

DEFAULT_PORT = 8000


def neuralab(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "neuralab", *args], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_sigint)


@contextlib.contextmanager
def held(port: int):
    """Keep ``port`` busy (it may already be: then someone else holds it for us)."""
    sock = socket.socket()
    try:
        with contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            sock.listen()
        yield
    finally:
        sock.close()


def interrupt(proc: subprocess.Popen) -> tuple[float, str]:
    """Ctrl+C: seconds until the process ended, and what it printed on stderr (read to its
    end, which may come later: a worker-process server that is still starting holds it)."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    seconds = time.monotonic() - t0
    _, err = proc.communicate(timeout=30)
    return seconds, err


def test_a_busy_default_port_moves_to_the_next_free_one_and_says_so():
    with held(DEFAULT_PORT):
        proc = neuralab("serve", "--no-browser")
        lines = []
        while not any("the lab is at" in line for line in lines):
            line = proc.stderr.readline()
            assert line, f"serve ended: {lines}"
            lines.append(line)
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", lines[-1]).group(1))
        assert port != DEFAULT_PORT
        assert f"port {DEFAULT_PORT} is in use" in lines[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/params", timeout=10) as r:
            assert r.status == 200
        seconds, err = interrupt(proc)
    assert proc.returncode == 130 and seconds < 5
    assert err.strip() == "neuralab: stopped (Ctrl+C)"


def test_a_busy_port_given_with_port_is_one_line_and_status_1():
    port = free_port()
    with held(port):
        proc = subprocess.run([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                               "--no-browser"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr
    assert "the lab is at" not in proc.stderr


def test_an_unknown_host_is_one_line_and_status_1():
    proc = subprocess.run([sys.executable, "-m", "neuralab", "serve", "--host",
                           "no-such-host.invalid", "--no-browser"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "no-such-host.invalid" in proc.stderr


def test_ctrl_c_stops_a_long_comparison_at_once():
    proc = neuralab("compare", "--train-size", "30000", "--mlp-width", "256",
                    "--mlp-depth", "6")
    time.sleep(3)  # past the imports: the models are training
    assert proc.poll() is None, "the comparison ended before it was interrupted"
    seconds, err = interrupt(proc)
    assert proc.returncode == 130
    assert err.strip() == "neuralab: stopped (Ctrl+C)"
    assert seconds < 2, f"took {seconds:.1f} s to stop"


def test_ctrl_c_right_after_start_leaves_no_traceback():
    proc, _ = start_serve()
    seconds, err = interrupt(proc)
    assert proc.returncode == 130 and "Traceback" not in err and seconds < 5, (
        proc.returncode, err, seconds)


@pytest.mark.parametrize(("argv", "needle"), [
    (["compare", "--mlp-widht", "32"],
     "neuralab compare: error: unrecognized argument '--mlp-widht'; did you mean --mlp-width?"),
    (["compare", "--tree-deph=3"], "did you mean --tree-depth?"),
    (["serve", "--prot", "9000"], "neuralab serve: error: unrecognized argument '--prot'; "
     "did you mean --port?"),
    (["data", "--jsn"], "did you mean --json?"),
    (["compare", "--colour", "red"], "unrecognized argument '--colour' (see"),
])
def test_an_unknown_flag_is_reported_by_its_subcommand(capsys, argv, needle):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1
    assert f"see 'neuralab {argv[0]} --help'" in err


def test_messages_write_flags_with_dashes_and_values_as_typed(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--train-size", "65000", "--val-size", "10000"])
    err = capsys.readouterr().err
    assert ("--train-size must be an integer from 10 to 60000 when --val-size is 10000 "
            "(got '65000')") in err
    assert "val_size" not in err and "train_size" not in err
