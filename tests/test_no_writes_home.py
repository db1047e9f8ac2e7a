"""The test run keeps its caches in a temporary folder, never in the user's home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_CACHE


def test_every_cache_of_the_run_is_in_its_temporary_folder():
    import matplotlib

    from neuralab.data.mnist import cache_dir

    assert cache_dir().is_relative_to(TEST_CACHE)
    assert Path(matplotlib.get_cachedir()).is_relative_to(TEST_CACHE)
    for name in ("NEURALAB_CACHE", "MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_DATA_DIR"):
        assert Path(os.environ[name]).is_relative_to(TEST_CACHE)


def test_processes_the_tests_start_inherit_it():
    code = "from neuralab.data.mnist import cache_dir; print(cache_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert Path(out).is_relative_to(TEST_CACHE)
