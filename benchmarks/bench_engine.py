"""Engine throughput, through the public estimators: 784-64-64-10 on 5,000 MNIST images.

``neuralab.MLPClassifier(...).fit`` against scikit-learn's ``MLPClassifier.fit`` with the same
settings (batch 200, Adam, lr 1e-3, alpha 1e-4, relu, float32 input, 15 epochs, no early stop:
``n_iter_no_change=inf``) and a plain PyTorch CPU loop doing the same 15 epochs
(``torch.optim.Adam``, a shuffle per epoch), at 1 and at 2 BLAS/torch threads. neuralab is also
timed with its fused C loops switched off (the plain numpy code), and, at 2+ threads, with its
sparse first-layer products kept on one thread (what the thread split of those products buys).
Each figure is seconds per epoch of a whole fit (its input checks and set-up included), the
best and the median of several rounds in which the contenders take turns, so load from other
processes falls on all of them.
A large float32 matmul measured in the same run shows what the machine's BLAS can do.

Run:  .venv/bin/python benchmarks/bench_engine.py [--rounds 5] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from neuralab.data import load_mnist

SIZES = (784, 64, 64, 10)
N, BATCH, LR, ALPHA, EPOCHS = 5000, 200, 1e-3, 1e-4, 15
SETTINGS = dict(hidden_layer_sizes=SIZES[1:-1], activation="relu", solver="adam", alpha=ALPHA,
                batch_size=BATCH, learning_rate_init=LR, max_iter=EPOCHS,
                n_iter_no_change=np.inf, random_state=0)


def epoch_flops(n: int = N, sizes: tuple[int, ...] = SIZES) -> float:
    """Matmul flops of one epoch: forward, weight gradients, and deltas below the top layer.

    No framework computes the gradient with respect to the input images.
    """
    macs = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2.0 * n * (2 * sum(macs) + sum(macs[1:]))


def time_rounds(
    runs: dict[str, Callable[[], None]], rounds: int
) -> dict[str, tuple[float, float]]:
    """(best, median) seconds per epoch of each run over ``rounds`` rounds of turns.

    One untimed fit each first (imports, caches). In each round every contender fits once,
    after a short pause (so PyTorch's OpenMP threads stop spinning before numpy's BLAS starts).
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            time.sleep(0.3)
            t0 = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - t0) / EPOCHS)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def bench_neuralab(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    from neuralab import MLPClassifier

    def run() -> None:
        MLPClassifier(**SETTINGS).fit(X, y)

    return run


def bench_neuralab_numpy(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """The same, with the fused C loops switched off: what the plain numpy code does."""
    from neuralab.nn import kernels

    inner = bench_neuralab(X, y)

    def run() -> None:
        kernels.ENABLED = False  # read once, when fit() makes its network
        try:
            inner()
        finally:
            kernels.ENABLED = kernels.compiled is not None

    return run


def bench_neuralab_one_thread_loops(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """The same, with the first layer's sparse products on one thread whatever BLAS may use."""
    from neuralab.nn import network

    inner = bench_neuralab(X, y)

    def run() -> None:
        real = network.blas.threads
        network.blas.threads = lambda: 1  # read once, when fit() converts its input
        try:
            inner()
        finally:
            network.blas.threads = real

    return run


def bench_sklearn(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    from sklearn.neural_network import MLPClassifier

    def run() -> None:
        MLPClassifier(**SETTINGS).fit(X, y)

    return run


def bench_torch(X: np.ndarray, y: np.ndarray) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    loss_fn = torch.nn.functional.cross_entropy

    def run() -> None:
        torch.manual_seed(0)
        layers: list = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
            layers.append(torch.nn.Linear(a, b))
            if i < len(SIZES) - 2:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)
        # weight_decay = alpha / batch is the same L2 gradient as ours (torch also decays biases)
        opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=ALPHA / BATCH)
        for _ in range(EPOCHS):
            perm = torch.randperm(len(Xt))
            Xs, ys = Xt[perm], yt[perm]
            for s in range(0, len(Xs), BATCH):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xs[s:s + BATCH]), ys[s:s + BATCH])
                loss.backward()
                opt.step()

    return run


def matmul_gflops(n: int = 2048, repeat: int = 5) -> float:
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b = np.random.default_rng(1).random((n, n), dtype=np.float32)
    c = np.empty_like(a)
    np.matmul(a, b, out=c)
    best = min(_timed(lambda: np.matmul(a, b, out=c)) for _ in range(repeat))
    return 2.0 * n**3 / best / 1e9


def _timed(f: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def _threads() -> str:
    try:
        from threadpoolctl import threadpool_info

        info = [f"{p['internal_api']}:{p['num_threads']}" for p in threadpool_info()
                if p["user_api"] == "blas"]
        return ", ".join(info) or "?"
    except ImportError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed fits per contender")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="BLAS/torch thread counts to measure at")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    mnist = load_mnist()
    X = np.ascontiguousarray(mnist.features(slice(0, N)), dtype=np.float32)
    y = mnist.labels[:N].astype(np.int64)
    flops = epoch_flops()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numpy {np.__version__}, BLAS {_threads()}, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"784-64-64-10, batch {BATCH}, Adam, float32, {N} MNIST images "
          f"({np.count_nonzero(X) / X.size:.0%} nonzero), {EPOCHS} epochs per fit: "
          f"{flops / 1e9:.3f} GFLOP of dense matmuls per epoch")
    torch_run = bench_torch(X, y)
    if torch_run is None:
        print("PyTorch is not installed: skipping it (pip install torch)")
    for threads in args.threads:
        with threadpool_limits(threads, user_api="blas"):
            peak = matmul_gflops()
            runs = {"neuralab MLPClassifier": bench_neuralab(X, y),
                    "neuralab, numpy only (no C loops)": bench_neuralab_numpy(X, y),
                    "scikit-learn MLPClassifier": bench_sklearn(X, y)}
            if threads > 1:
                runs["neuralab, sparse products 1 thread"] = bench_neuralab_one_thread_loops(X, y)
            if torch_run is not None:
                import torch

                torch.set_num_threads(threads)
                runs[f"PyTorch {torch.__version__}"] = torch_run
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning: 15 epochs, by design
                results = time_rounds(runs, args.rounds)
        ours = results["neuralab MLPClassifier"][0]
        print(f"\n{threads} thread(s); large float32 matmul (2048^3): {peak:.1f} GFLOP/s")
        print(f"{'ms per epoch':38} {'best':>7} {'median':>7} {'neuralab is':>18}")
        for name, (best, med) in results.items():
            ratio = "" if name == "neuralab MLPClassifier" else f"{best / ours:.2f}x faster"
            print(f"{name:38} {best * 1e3:7.1f} {med * 1e3:7.1f} {ratio:>18}")
    print("\ntargets: >= 2.5x faster than scikit-learn and >= 2x faster than PyTorch, "
          "through the estimator, at every thread count")


if __name__ == "__main__":
    main()
