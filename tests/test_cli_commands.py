"""The `neuralab` command: compare and data, every kind of bad flag, and no network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from neuralab.cli import main
from tests.helpers import needs_unshare, offline

SMALL = ["--mlp-width", "8", "--mlp-depth", "1", "--tree-depth", "3", "--train-size", "200"]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neuralab", *args], capture_output=True,
                          text=True, timeout=timeout)


def test_compare_prints_a_readable_table(capsys):
    assert main(["compare", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "logistic regression" in out and "decision tree (depth 3)" in out
    assert "MLP (1 x 8, ReLU" in out and "validation accuracy" in out


def test_compare_json_is_exactly_to_dict(capsys):
    from neuralab import compare_models

    assert main(["compare", *SMALL, "--seed", "3", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = compare_models(mlp_width=8, mlp_depth=1, tree_depth=3, train_size=200,
                              seed=3).to_dict()
    assert printed["params"] == expected["params"]
    for name, model in expected["models"].items():
        assert printed["models"][name]["accuracy"] == model["accuracy"]
    assert set(printed["models"]["mlp"]) == set(expected["models"]["mlp"])


def test_compare_as_a_process_with_defaults():
    proc = run("compare", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["params"] == {"mlp_width": 32, "mlp_depth": 2, "tree_depth": 5,
                           "train_size": 1000, "val_size": 2000, "seed": 0}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--mlp-width", "0"], "--mlp-width must be an integer from 1 to 1024 (got '0')"),
        (["--mlp-depth", "99"], "--mlp-depth must be an integer from 1 to 16"),
        (["--tree-depth", "-3"], "--tree-depth must be an integer from 1 to 40"),
        (["--train-size", "70000"], "--train-size must be an integer from 10 to 68000"),
        (["--train-size", "1e3"], "--train-size must be an integer"),
        (["--mlp-width", "wide"], "--mlp-width must be an integer from 1 to 1024 (got 'wide')"),
        (["--seed", "1.5"], "--seed must be an integer"),
        (["--train-size", "65000", "--val-size", "10000"],
         "--train-size must be an integer from 10 to 60000 when --val-size is 10000"),
        (["--colour", "red"], "unrecognized argument '--colour'"),
        (["--mlp-width"], "argument --mlp-width: expected one argument"),
    ],
)
def test_bad_flags_exit_2_with_one_line(capsys, args, needle):
    with pytest.raises(SystemExit) as info:
        main(["compare", *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_command_and_serve_flags_exit_2(capsys):
    for argv in (["fly"], ["serve", "--port", "70000"], ["--port", "x"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["serve", "--port", "70000"])
    assert "--port must be an integer from 1 to 65535" in capsys.readouterr().err


def test_data_describes_the_bundled_sets(capsys):
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and "70000 x 28 x 28" in out and "CC BY-SA 3.0" in out
    assert main(["data", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[1]["name"] == "digits"


def test_help_lists_ranges():
    proc = run("compare", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "an integer from 1 to 1024" in text and "--train-size" in text


@needs_unshare
def test_compare_and_data_work_with_no_network():
    outputs = {}
    for args in (["compare", "--json", *SMALL], ["data"]):
        proc = subprocess.run(offline([sys.executable, "-m", "neuralab", *args]),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outputs[args[0]] = proc.stdout
    assert json.loads(outputs["compare"])["params"]["train_size"] == 200
    assert "mnist" in outputs["data"]


def _serve_banner(args: list[str]) -> str:
    """Start `neuralab serve` (in a network namespace of its own when we can), return what it
    says on stderr before serving, and stop it."""
    from tests.helpers import free_port

    cmd = [sys.executable, "-m", "neuralab", "serve", "--port", str(free_port()),
           "--no-browser", *args]
    if shutil.which("unshare") and os.geteuid() == 0:
        cmd = offline(cmd)  # a wildcard bind then reaches nothing but this namespace's loopback
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stderr.readline() for _ in range(1 + 2 * ("--host" in args))]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return "".join(lines)


def test_serve_binds_loopback_by_default_and_says_so_otherwise():
    quiet = _serve_banner([])
    assert "the lab is at http://127.0.0.1:" in quiet and "NOT only" not in quiet
    loud = _serve_banner(["--host", "0.0.0.0"])
    assert "listening on 0.0.0.0" in loud and "NOT only on this computer" in loud
    # a token is made and printed in the URLs, the local one and the learners' ones
    token = re.search(r"http://127\.0\.0\.1:\d+/\?token=([0-9a-f]{48}) ", loud).group(1)
    assert "learners open http://" in loud and loud.count(f"?token={token}") >= 2
    given = _serve_banner(["--host", "0.0.0.0", "--token", "class-7b"])
    assert "?token=class-7b" in given
