"""The exported scripts, run in a subprocess, predict what the network predicts."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from neuralab.labs.playground import Playground
from neuralab.labs.playground.data import features
from neuralab.labs.playground.export import numpy_script, to_json, torch_script

RUNS = [
    {"dataset": "spiral", "layers": "5,3", "sin_x1": True, "x1_x2": True, "activation": "relu",
     "optimizer": "adam"},
    {"dataset": "blobs", "loss": "cross_entropy", "layers": "4", "activation": "sigmoid",
     "optimizer": "momentum"},
    {"dataset": "circle", "loss": "cross_entropy", "layers": "", "x2_squared": True},
    {"problem": "regression", "dataset": "plane", "layers": "3", "activation": "linear"},
]
POINTS = np.random.default_rng(0).uniform(-6, 6, (50, 2))


def trained(settings):
    run = Playground(seed=5, **settings)
    run.step(5)
    return run


def run_script(path, points):
    out = subprocess.run([sys.executable, str(path)], input=json.dumps(points.tolist()),
                         capture_output=True, text=True, timeout=60, check=True)
    return np.array(json.loads(out.stdout))


@pytest.mark.parametrize("settings", RUNS)
def test_the_numpy_script_predicts_what_the_network_predicts(tmp_path, settings):
    run = trained(settings)
    path = tmp_path / "network.py"
    path.write_text(numpy_script(run))
    expected = run.net.predict(features(POINTS, run.inputs))
    np.testing.assert_allclose(run_script(path, POINTS), expected, rtol=0, atol=1e-6)
    one = subprocess.run([sys.executable, str(path), "1.5", "-2"], capture_output=True,
                         text=True, check=True).stdout
    assert one.strip()


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed")
@pytest.mark.parametrize("settings", RUNS)
def test_the_pytorch_script_predicts_what_the_network_predicts(tmp_path, settings):
    run = trained(settings)
    path = tmp_path / "network.py"
    path.write_text(torch_script(run))
    expected = run.net.predict(features(POINTS, run.inputs))
    np.testing.assert_allclose(run_script(path, POINTS), expected, rtol=0, atol=1e-6)


def test_json_has_every_layer_and_round_trips():
    run = trained(RUNS[0])
    data = json.loads(json.dumps(to_json(run)))
    assert data["inputs"] == ["x1", "x2", "x1_x2", "sin_x1"] and data["epoch"] == 5
    assert [np.array(layer["weights"]).shape for layer in data["layers"]] == [(4, 5), (5, 3),
                                                                              (3, 1)]
    assert data["layers"][0]["activation"] == "relu"
