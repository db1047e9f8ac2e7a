"""How long `load_mnist()` takes, against the lesson's way of getting the same array.

Run: .venv/bin/python benchmarks/bench_data.py

Each figure is a fresh process (import numpy, load all 70,000 images and labels), best of
5: from the bundled compressed file with an empty cache (the first run on a machine), and
from the decompressed copy neuralab keeps in the user cache (every later run). The lesson's
`fetch_openml('mnist_784')` needs a network on first use; its cached re-load is timed when
scikit-learn already has it cached, and skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

LOAD = "from neuralab.data import load_mnist; m = load_mnist(); assert len(m) == 70000"
OPENML = ("from sklearn.datasets import fetch_openml; "
          "fetch_openml('mnist_784', version=1, return_X_y=True, as_frame=False)")


def fresh(code: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    base = {**os.environ}
    startup = min(fresh("import numpy", base) for _ in range(5))
    with tempfile.TemporaryDirectory() as cache:
        env = {**base, "NEURALAB_CACHE": cache}
        cold = []
        for _ in range(5):
            for f in os.scandir(os.path.join(cache, "neuralab")) if os.path.isdir(
                    os.path.join(cache, "neuralab")) else []:
                os.remove(f.path)
            cold.append(fresh(LOAD, env))
        warm = [fresh(LOAD, env) for _ in range(5)]
    print(f"python + numpy start-up:                  {startup:.3f} s")
    print(f"load_mnist(), empty cache (first run):    {min(cold):.3f} s "
          f"({min(cold) - startup:.3f} s beyond start-up)")
    print(f"load_mnist(), decompressed cache (later): {min(warm):.3f} s "
          f"({min(warm) - startup:.3f} s beyond start-up)")
    try:
        t = fresh(OPENML + "; import sys", {**base, "SCIKIT_LEARN_DATA": os.path.expanduser(
            "~/scikit_learn_data")})
        print(f"fetch_openml('mnist_784') from its cache: {t:.3f} s "
              f"({t / min(warm):.1f}x neuralab's)")
    except subprocess.CalledProcessError:
        print("fetch_openml('mnist_784'): not cached here and no network, not timed")


if __name__ == "__main__":
    main()
