"""The C extension is built and current wherever the tests run.

The tests that hold the C loops to their numpy reference skip where the loops are absent, so
that a machine without a C compiler can still run the rest. This file is what keeps those
skips honest: unless NEURALAB_KERNELS=0 switches the loops off on purpose, a missing or stale
build (one without a loop that _kernels.c defines) fails here instead of skipping in silence.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from neuralab.nn import kernels


def test_every_loop_of_kernels_c_is_built():
    if os.environ.get("NEURALAB_KERNELS") == "0":
        pytest.skip("NEURALAB_KERNELS=0 switches the C loops off on purpose")
    source = Path(kernels.__file__).with_name("_kernels.c").read_text()
    names = re.findall(r'^\s*\{"(\w+)", \w+, METH_', source, flags=re.M)
    assert {"csr_matmul", "tree_grow", "pg_epoch"} <= set(names), names
    assert kernels.compiled is not None, "neuralab.nn._kernels is not built: pip install -e ."
    missing = [name for name in names if kernels.loop(name) is None]
    assert not missing, f"the built extension predates {missing}: pip install -e . again"
