"""The front end's files: served from memory (``server/assets.py``) against Starlette's
``StaticFiles``, in one server, while comparisons train in the server's threads.

A server process mounts the same folder twice, ``/a`` with ``StaticFiles`` and ``/b`` with
neuralab's ``Assets``, and trains comparisons back to back in two threads (a class at work).
This process then loads "the page's files" (every script and style sheet, six at a time, as
a browser does) from each mount in turn, interleaved, and prints the median and p95 of a
whole load and their ratio. Only loopback, a bounded number of loads.

    .venv/bin/python benchmarks/bench_assets.py [--loads 40] [--idle]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "neuralab" / "web"
PARALLEL = 6

SERVER = textwrap.dedent("""
    import sys, threading
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles
    from neuralab.server.app import WEB, SWITCH_INTERVAL
    from neuralab.server.assets import Assets
    import neuralab

    sys.setswitchinterval(SWITCH_INTERVAL)  # as the lab's server sets it
    busy = sys.argv[2] == "busy"

    def train(seed):
        while True:
            neuralab.compare_models(train_size=2000, seed=seed)
            seed += 2

    if busy:
        for first in (1, 2):
            threading.Thread(target=train, args=(first,), daemon=True).start()
    app = Starlette(routes=[Mount("/a", StaticFiles(directory=WEB)),
                            Mount("/b", Assets(WEB, fallback=StaticFiles(directory=WEB)))])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
""")


def files() -> list[str]:
    return [str(p.relative_to(WEB)) for p in sorted(WEB.rglob("*"))
            if p.suffix in (".js", ".css", ".html")]


async def load(client: httpx2.AsyncClient, mount: str, names: list[str]) -> float:
    gate = asyncio.Semaphore(PARALLEL)

    async def one(name: str) -> None:
        async with gate:
            r = await client.get(f"/{mount}/{name}", headers={"Accept-Encoding": "gzip"})
            r.raise_for_status()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(n) for n in names))
    return time.perf_counter() - t0


async def measure(port: int, loads: int) -> dict[str, list[float]]:
    names = files()
    times: dict[str, list[float]] = {"a": [], "b": []}
    limits = httpx2.Limits(max_connections=PARALLEL)
    async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                  timeout=60) as client:
        for _ in range(30):  # the server is up when it answers
            try:
                await client.get("/b/index.html")
                break
            except httpx2.TransportError:
                await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # the trainings under way
        for i in range(loads):
            for mount in ("a", "b") if i % 2 else ("b", "a"):
                times[mount].append(await load(client, mount, names))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=40)
    parser.add_argument("--idle", action="store_true", help="no trainings in the server")
    args = parser.parse_args()
    port = 8765
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port),
                               "idle" if args.idle else "busy"], env=env)
    try:
        times = asyncio.run(measure(port, args.loads))
    finally:
        server.terminate()
        server.wait(10)

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(0.95 * (len(xs) - 1))]

    state = "idle" if args.idle else "two comparisons training in its threads"
    print(f"{len(files())} files, {PARALLEL} at a time, {args.loads} loads each; server {state};"
          f" load {os.getloadavg()[0]:.1f}")
    print("| served by | page's files, median | p95 |")
    print("|---|---|---|")
    for mount, name in (("a", "Starlette StaticFiles"), ("b", "neuralab Assets (memory)")):
        print(f"| {name} | {statistics.median(times[mount]) * 1000:.0f} ms | "
              f"{p95(times[mount]) * 1000:.0f} ms |")
    ratio = statistics.median(times["a"]) / statistics.median(times["b"])
    print(f"Assets is {ratio:.1f}x faster (median); "
          f"p95 {p95(times['a']) / p95(times['b']):.1f}x")


if __name__ == "__main__":
    main()
