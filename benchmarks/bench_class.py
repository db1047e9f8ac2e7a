"""A class on one server: N learners at once against a real `neuralab serve`, on loopback.

Each learner (an asyncio task with its own cookies) loads the page (the HTML, every
script and style sheet, the parameter table and each view's first requests, six at a
time as a browser does), then until the time is up: a neuron change every 0.5 s, a pixel
picture and a descent every 2 s, and every ~10 s a comparison at random lesson settings
over the compare WebSocket (one in five replaced by another mid-run, one in ten closed
mid-run); after each finished comparison, its inside views, then a drawing sent for
prediction every second. It reports, per N:

- page load p95; interactive requests (neuron, pixels, descent, prediction) p95 / p99;
- the share of comparisons that had to queue, and comparisons done p50 / p95 (from the
  run message to ``done``, the queue included);
- errors (any 5xx, any unexpected 4xx, a refused or dropped connection, an ``error``
  message other than a full queue, and "queue full" answers counted apart);
- the peak resident memory of the server and its worker processes (or Dask workers).

By default the server trains in its worker processes (``--train-in threads``: in its own
threads). With ``--cluster N`` the comparisons train on a Dask ``LocalCluster`` of N
one-thread worker processes on loopback (``neuralab serve --scheduler``).
The learners' HTTP requests go through ``light_http.LightClient``: with httpx, the generator
spent more CPU per request than the server, and so measured itself (30 page loads at once:
1.65 s with httpx, 0.59 s with the light client, the server's CPU the same 0.6 s).
It only ever talks to 127.0.0.1, for a bounded time, with a bounded number of learners.
Usage::

    .venv/bin/python benchmarks/bench_class.py [--learners 10 30 50] [--seconds 60]
        [--cluster 2 | --train-in threads] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import psutil
from browser import free_port, percentile  # benchmarks/browser.py
from light_http import LightClient  # benchmarks/light_http.py
from websockets.asyncio.client import connect

WEB = Path(__file__).resolve().parents[1] / "src" / "neuralab" / "web"
MAX_LEARNERS = 100
MAX_SECONDS = 600
PAGE_PARALLEL = 6  # connections a browser opens to one host
FIRST_REQUESTS = [("GET", "/api/neuron", None), ("GET", "/api/descent", None),
                  ("GET", "/api/pixels/astronaut?resolution=64", None),
                  ("POST", "/api/pixels/compose", {}), ("GET", "/api/functions/systems", None),
                  ("GET", "/api/compare/questions", None),
                  ("GET", "/api/mnist/samples", None), ("GET", "/api/pixels/astronaut.jpg", None)]


@dataclass
class Figures:
    page: list[float] = field(default_factory=list)
    interactive: list[float] = field(default_factory=list)
    done: list[float] = field(default_factory=list)
    runs: int = 0
    queued: int = 0
    full: int = 0
    errors: list[str] = field(default_factory=list)


def statics() -> list[str]:
    return ["/static/" + str(p.relative_to(WEB)) for p in sorted(WEB.rglob("*"))
            if p.suffix in (".js", ".css")]


class Learner:
    def __init__(self, base: str, seed: int, figures: Figures, until: float) -> None:
        self.base = base
        self.rng = random.Random(seed)
        self.figures = figures
        self.until = until
        self.client = LightClient(base, connections=PAGE_PARALLEL)
        self.trained: dict | None = None

    async def request(self, method: str, path: str, body: object = None,
                      interactive: bool = False) -> int:
        t0 = time.perf_counter()
        try:
            r = await self.client.request(method, path, body)
        except Exception as exc:  # a refused or dropped connection
            self.figures.errors.append(f"{method} {path}: {type(exc).__name__}")
            return 0
        if interactive:
            self.figures.interactive.append(time.perf_counter() - t0)
        if r.status_code >= 400:
            self.figures.errors.append(f"{method} {path}: {r.status_code}")
        return r.status_code

    async def load_page(self) -> None:
        t0 = time.perf_counter()
        await self.request("GET", "/")
        gate = asyncio.Semaphore(PAGE_PARALLEL)

        async def one(method: str, path: str, body: object = None) -> None:
            async with gate:
                await self.request(method, path, body)

        await asyncio.gather(*(one("GET", path) for path in statics()))
        await self.request("GET", "/api/params")
        await asyncio.gather(*(one(*request) for request in FIRST_REQUESTS))
        self.figures.page.append(time.perf_counter() - t0)

    def settings(self) -> dict:
        r = self.rng
        return {"mlp_width": r.choice([8, 16, 32, 48, 64]), "mlp_depth": r.randint(1, 4),
                "tree_depth": r.randint(1, 20), "train_size": r.choice([500, 1000, 2000, 5000]),
                "seed": r.choice([0, 0, 0, 1, 2, 3, r.randint(0, 10**6)])}

    async def compare(self) -> None:
        """One comparison over the WebSocket; some replaced or abandoned mid-run."""
        host = self.base.removeprefix("http://")
        cookie = "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())
        fate = self.rng.random()
        settings = self.settings()
        try:
            async with connect(f"ws://{host}/api/compare/ws", open_timeout=30,
                               additional_headers={"Cookie": cookie} if cookie else {}) as ws:
                run = 1
                await ws.send(json.dumps({"type": "run", "id": run, "params": settings}))
                sent = time.perf_counter()
                self.figures.runs += 1
                queued = False
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 120))
                    if msg.get("run") != run:
                        continue
                    if msg["type"] == "waiting" and not queued:
                        queued = True
                        self.figures.queued += 1
                    if msg["type"] in ("epoch", "started") and fate < 0.3 and run == 1:
                        if fate < 0.1:
                            return  # the tab is closed mid-run
                        run, settings = 2, self.settings()  # a slider moved: a new run
                        await ws.send(json.dumps({"type": "run", "id": run,
                                                  "params": settings}))
                        sent = time.perf_counter()
                        self.figures.runs += 1
                        queued = False
                    elif msg["type"] == "done":
                        self.figures.done.append(time.perf_counter() - sent)
                        self.trained = settings
                        return
                    elif msg["type"] == "error":
                        if msg["detail"][0]["param"] == "queue":
                            self.figures.full += 1
                        else:
                            self.figures.errors.append(f"ws error: {msg['detail']}")
                        return
        except Exception as exc:
            self.figures.errors.append(f"ws: {type(exc).__name__}: {exc}")

    async def inside(self) -> None:
        if self.trained is None:
            return
        query = "&".join(f"{k}={v}" for k, v in self.trained.items())
        for view in ("status", "mlp", "logistic", "tree", "confusion"):
            await self.request("GET", f"/api/inside/{view}?{query}")

    async def draw(self) -> None:
        if self.trained is None:
            return
        pixels = [[round(self.rng.random() ** 4, 2) for _ in range(28)] for _ in range(28)]
        await self.request("POST", "/api/inside/predict",
                           {**self.trained, "pixels": pixels, "preprocess": True},
                           interactive=True)

    async def live(self) -> None:
        await self.load_page()
        tick = 0
        next_run = time.monotonic() + self.rng.uniform(0, 10)
        comparing: asyncio.Task | None = None
        while time.monotonic() < self.until:
            await self.request("GET", f"/api/neuron?w1={self.rng.uniform(-2, 2):.1f}"
                               f"&w2={self.rng.uniform(-2, 2):.1f}&bias=-1", interactive=True)
            if tick % 4 == 0:
                red = [[round(self.rng.random(), 1) for _ in range(3)] for _ in range(3)]
                await self.request("POST", "/api/pixels/compose", {"red": red},
                                   interactive=True)
                await self.request("GET", f"/api/descent?learning_rate="
                                   f"{self.rng.uniform(0.01, 1.2):.2f}", interactive=True)
            if comparing is None and time.monotonic() >= next_run:
                comparing = asyncio.create_task(self.compare())
            if comparing is not None and comparing.done():
                comparing = None
                await self.inside()
                next_run = time.monotonic() + self.rng.uniform(8, 12)
            if tick % 2 == 0:
                await self.draw()
            tick += 1
            await asyncio.sleep(0.5)
        if comparing is not None:
            comparing.cancel()
        await self.client.aclose()


def watch_memory(stop: threading.Event, peak: list[int]) -> None:
    """The peak of the summed memory of this process's children (the server, the workers)."""
    me = psutil.Process()
    while not stop.wait(0.2):
        total = 0
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue
        peak[0] = max(peak[0], total)


async def run_class(base: str, learners: int, seconds: float) -> Figures:
    figures = Figures()
    until = time.monotonic() + seconds
    await asyncio.gather(*(Learner(base, 1000 + i, figures, until).live()
                           for i in range(learners)))
    return figures


def settle(pid: int, limit: float = 30.0) -> None:
    """Wait until the server (and its worker processes) has finished starting: its CPU use
    stays under a fifth of a core for half a second (at most ``limit`` seconds). A teacher
    starts the lab before the class opens the link; ``--cold`` measures the other case."""
    server = psutil.Process(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        family = [server, *server.children(recursive=True)]
        before = sum(sum(p.cpu_times()[:2]) for p in family if p.is_running())
        time.sleep(0.5)
        after = sum(sum(p.cpu_times()[:2]) for p in family if p.is_running())
        if after - before < 0.1:
            return


def measure(learners: int, seconds: float, scheduler: str | None = None,
            train_in: str = "processes", cold: bool = False) -> dict:
    port = free_port()
    more = ["--scheduler", scheduler] if scheduler else ["--train-in", train_in]
    proc = subprocess.Popen([sys.executable, "-m", "neuralab", "serve", "--port", str(port),
                             "--no-browser", *more], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(base + "/api/health", timeout=1)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if not cold:
            settle(proc.pid)
        peak, stop = [0], threading.Event()
        watcher = threading.Thread(target=watch_memory, args=(stop, peak))
        watcher.start()
        figures = asyncio.run(run_class(base, learners, seconds))
        stop.set()
        watcher.join()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    p = percentile
    return {
        "learners": learners,
        "page_p95": p(figures.page, 95),
        "interactive_p95": p(figures.interactive, 95),
        "interactive_p99": p(figures.interactive, 99),
        "queued": figures.queued / max(1, figures.runs),
        "done_p50": p(figures.done, 50) if figures.done else float("nan"),
        "done_p95": p(figures.done, 95) if figures.done else float("nan"),
        "runs": figures.runs, "done": len(figures.done), "full": figures.full,
        "errors": len(figures.errors), "error_examples": sorted(set(figures.errors))[:5],
        "peak_rss_gb": peak[0] / 2**30,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[10, 30, 50])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cluster", type=int, default=0, metavar="N",
                        help="train on a local Dask cluster of N worker processes")
    parser.add_argument("--cold", action="store_true",
                        help="start the learners as soon as the server answers, while it is "
                             "still loading MNIST and starting its workers")
    parser.add_argument("--train-in", choices=("processes", "threads"), default="processes",
                        help="where the server trains without a cluster (its default: "
                             "processes)")
    args = parser.parse_args()
    if any(not 1 <= n <= MAX_LEARNERS for n in args.learners) or \
            not 1 <= args.seconds <= MAX_SECONDS or not 0 <= args.cluster <= 8:
        parser.error(f"--learners 1..{MAX_LEARNERS}, --seconds 1..{MAX_SECONDS}, "
                     "--cluster 0..8")
    cluster = None
    if args.cluster:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=args.cluster, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
    where = f"a Dask LocalCluster of {args.cluster}" if cluster else \
        "the server's worker processes" if args.train_in == "processes" else \
        "the server's threads"
    print(f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"{args.seconds:g} s per class, trainings on {where}, learners arriving "
          + ("as soon as the server answers" if args.cold else "once the server has started"))
    print("| N learners | page load p95 | interactive p95 / p99 | comparisons that queue | "
          "comparison done p50 / p95 | queue full | errors | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.learners:
        r = measure(n, args.seconds, cluster.scheduler_address if cluster else None,
                    args.train_in, args.cold)
        print(f"| {n} | {r['page_p95']:.2f} s | {r['interactive_p95'] * 1000:.0f} ms / "
              f"{r['interactive_p99'] * 1000:.0f} ms | {r['queued']:.0%} | "
              f"{r['done_p50']:.2f} s / {r['done_p95']:.2f} s | {r['full']} | {r['errors']} | "
              f"{r['peak_rss_gb']:.2f} GB |", flush=True)
        for example in r["error_examples"]:
            print(f"    error: {example}")
    if cluster is not None:
        cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
