"""Engine throughput: one training epoch of a 784-64-64-10 MLP on 5,000 MNIST images.

Batch 200, Adam (lr 1e-3), float32, relu; the same work for neuralab (and for its plain numpy
code, with the fused C loops of ``neuralab.nn.kernels`` switched off), scikit-learn's
``MLPClassifier`` (through ``partial_fit``, one epoch per call) and PyTorch on the CPU (a plain
tensor-slicing loop with ``torch.optim.Adam``, same number of threads as numpy's BLAS). Each
figure is the median of several warm epochs, each epoch including its shuffle. A large float32
matmul measured in the same run shows what the machine's BLAS can do.

Run:  .venv/bin/python benchmarks/bench_engine.py [--epochs 15]
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
from neuralab.nn import Network, train

SIZES = (784, 64, 64, 10)
N, BATCH, LR, ALPHA = 5000, 200, 1e-3, 1e-4


def epoch_flops(n: int = N, sizes: tuple[int, ...] = SIZES) -> float:
    """Matmul flops of one epoch: forward, weight gradients, and deltas below the top layer.

    No framework computes the gradient with respect to the input images.
    """
    macs = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2.0 * n * (2 * sum(macs) + sum(macs[1:]))


def time_rounds(
    runs: dict[str, Callable[[], None]], warmup: int, epochs: int, rounds: int
) -> dict[str, tuple[float, float]]:
    """(median, min) seconds per epoch of each run, over ``rounds`` rounds of turns.

    In each round every contender trains ``epochs // rounds`` epochs in a row, after a short
    pause (so PyTorch's OpenMP threads stop spinning before numpy's BLAS threads start).
    Taking turns spreads any load from other processes on the machine over every contender.
    """
    for run in runs.values():
        for _ in range(warmup):
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    per_round = max(1, epochs // rounds)
    for _ in range(rounds):
        for name, run in runs.items():
            time.sleep(0.3)
            for _ in range(per_round):
                t0 = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}


def bench_neuralab(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    net = Network(SIZES, activation="relu", seed=0, dtype=np.float32)
    opt = net.make_optimizer("adam", LR)
    seeds = iter(range(10**6))

    def run() -> None:
        train(net, X, y, optimizer=opt, learning_rate=LR, batch_size=BATCH, max_epochs=1,
              alpha=ALPHA, n_iter_no_change=None, seed=next(seeds))

    return run


def bench_neuralab_numpy(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    """The same, with the fused C loops switched off: what the plain numpy code does."""
    from neuralab.nn import kernels

    inner = bench_neuralab(X, y)

    def run() -> None:
        kernels.ENABLED = False
        try:
            inner()
        finally:
            kernels.ENABLED = kernels.compiled is not None

    return run


def bench_sklearn(X: np.ndarray, y: np.ndarray) -> Callable[[], None]:
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=SIZES[1:-1], activation="relu", solver="adam",
                        alpha=ALPHA, batch_size=BATCH, learning_rate_init=LR, random_state=0)
    classes = np.arange(10)

    def run() -> None:
        clf.partial_fit(X, y, classes=classes)

    return run


def bench_torch(X: np.ndarray, y: np.ndarray) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    layers: list = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    # weight_decay = alpha / batch is the same L2 gradient as ours (torch also decays biases)
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=ALPHA / BATCH)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    loss_fn = torch.nn.functional.cross_entropy

    def run() -> None:
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


def _blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 0
    return max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
               default=0)


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
    parser.add_argument("--epochs", type=int, default=20, help="timed epochs per framework")
    parser.add_argument("--rounds", type=int, default=4, help="turns each framework takes")
    parser.add_argument("--warmup", type=int, default=3, help="untimed epochs first")
    parser.add_argument("--threads", type=int, default=0,
                        help="BLAS/torch threads for everyone (default: numpy's BLAS default)")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)

    mnist = load_mnist()
    X = np.ascontiguousarray(mnist.features(slice(0, N)))
    y = mnist.labels[:N].astype(np.int64)
    flops = epoch_flops()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numpy {np.__version__}, BLAS threads {_threads()}")
    print(f"784-64-64-10, batch {BATCH}, Adam, float32, {N} MNIST images: "
          f"{flops / 1e9:.3f} GFLOP of matmuls per epoch")
    peak = matmul_gflops()
    print(f"large float32 matmul (2048^3): {peak:.1f} GFLOP/s\n")

    runs = {"neuralab": bench_neuralab(X, y),
            "neuralab, numpy only (no C loops)": bench_neuralab_numpy(X, y),
            "scikit-learn": bench_sklearn(X, y)}
    torch_run = bench_torch(X, y)
    if torch_run is None:
        print("PyTorch is not installed: skipping it (pip install torch)")
    else:
        import torch

        torch.set_num_threads(args.threads or _blas_threads() or os.cpu_count() or 1)
        runs[f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)"] = torch_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning on every call
        results = time_rounds(runs, args.warmup, args.epochs, args.rounds)

    ours = results["neuralab"][0]
    print(f"{'':38} {'median ms':>10} {'min ms':>8} {'GFLOP/s':>8} {'% of matmul':>11} "
          f"{'neuralab is':>12}")
    for name, (med, best) in results.items():
        ratio = "" if name == "neuralab" else f"{med / ours:.2f}x faster"
        print(f"{name:38} {med * 1e3:10.1f} {best * 1e3:8.1f} {flops / med / 1e9:8.1f} "
              f"{100 * flops / med / 1e9 / peak:10.0f}% {ratio:>12}")
    print("\ntargets: >= 2.5x faster than scikit-learn, >= 1.5x faster than PyTorch")


if __name__ == "__main__":
    main()
