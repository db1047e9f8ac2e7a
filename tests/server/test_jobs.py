"""The job runner: bounded, queued in order, cancellable, and never blocking the loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from neuralab.server.jobs import JobCancelled, JobRunner


class Stopped(Exception):
    """What our fake training raises when its cancel event is set."""


def gated(gate: threading.Event, log: list, name: str):
    """A fake training that runs until ``gate`` opens or it is cancelled."""

    def fn(cancel: threading.Event) -> str:
        log.append(("start", name))
        while not gate.wait(0.005):
            if cancel.is_set():
                log.append(("stopped", name))
                raise Stopped(name)
        log.append(("end", name))
        return name

    return fn


async def until(cond, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.002)


def test_runs_in_a_thread_and_returns_its_result():
    async def main():
        runner = JobRunner(max_jobs=1)
        job = runner.submit()
        seen = {}

        def fn(cancel: threading.Event) -> int:
            seen["thread"] = threading.current_thread().name
            seen["cancel"] = cancel
            return 42

        assert await runner.run(job, fn) == 42
        assert job.state == "done" and runner.running == 0
        assert seen["thread"].startswith("neuralab-job")
        assert seen["cancel"] is job.cancel_event and not job.cancelled

    asyncio.run(main())


def test_at_most_max_jobs_run_and_the_rest_wait_in_order():
    async def main():
        runner = JobRunner(max_jobs=2)
        gate, log, waited = threading.Event(), [], []
        jobs = [runner.submit() for _ in range(5)]
        tasks = [
            asyncio.create_task(runner.run(j, gated(gate, log, f"j{i}"),
                                           on_wait=lambda *_, i=i: waited.append(i)))
            for i, j in enumerate(jobs)
        ]
        await until(lambda: len(log) == 2)
        await asyncio.sleep(0.05)
        assert runner.running == 2 and runner.waiting == 3 and len(log) == 2
        assert waited == [2, 3, 4]
        assert [j.state for j in jobs] == ["running"] * 2 + ["waiting"] * 3
        gate.set()
        assert await asyncio.gather(*tasks) == [f"j{i}" for i in range(5)]
        starts = [name for kind, name in log if kind == "start"]
        assert starts == [f"j{i}" for i in range(5)]
        assert runner.running == 0 and runner.waiting == 0

    asyncio.run(main())


def test_never_more_than_max_jobs_at_once():
    async def main():
        runner = JobRunner(max_jobs=3)
        lock, now, peak = threading.Lock(), [0], [0]

        def fn(cancel: threading.Event) -> None:
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.01)
            with lock:
                now[0] -= 1

        await asyncio.gather(*(runner.run(runner.submit(), fn) for _ in range(12)))
        assert peak[0] == 3 and runner.running == 0

    asyncio.run(main())


def test_a_cancelled_queued_job_never_runs():
    async def main():
        runner = JobRunner(max_jobs=1)
        gate, log = threading.Event(), []
        first, second, third = runner.submit(), runner.submit(), runner.submit()
        t1 = asyncio.create_task(runner.run(first, gated(gate, log, "first")))
        t2 = asyncio.create_task(runner.run(second, gated(gate, log, "second")))
        t3 = asyncio.create_task(runner.run(third, gated(gate, log, "third")))
        await until(lambda: runner.waiting == 2)
        second.cancel()
        with pytest.raises(JobCancelled):
            await t2
        assert second.state == "cancelled" and runner.waiting == 1
        gate.set()
        assert await t1 == "first" and await t3 == "third"
        assert ("start", "second") not in log

    asyncio.run(main())


def test_a_new_job_under_the_same_key_cancels_the_old_one():
    async def main():
        runner = JobRunner(max_jobs=1)
        gate, log = threading.Event(), []
        old = runner.submit(key=("compare", "client-a"))
        other = runner.submit(key=("compare", "client-b"))
        t_old = asyncio.create_task(runner.run(old, gated(gate, log, "old")))
        await until(lambda: ("start", "old") in log)
        t_other = asyncio.create_task(runner.run(other, gated(gate, log, "other")))
        new = runner.submit(key=("compare", "client-a"))
        assert old.cancelled and not other.cancelled
        t_new = asyncio.create_task(runner.run(new, gated(gate, log, "new")))
        with pytest.raises(Stopped):
            await t_old
        assert old.state == "cancelled"
        gate.set()
        assert await t_other == "other" and await t_new == "new"
        assert [n for k, n in log if k == "start"] == ["old", "other", "new"]

    asyncio.run(main())


def test_a_cancelled_task_cancels_its_job_and_frees_the_slot_only_when_the_thread_ends():
    async def main():
        runner = JobRunner(max_jobs=1)
        release = threading.Event()
        saw_cancel = threading.Event()

        def slow(cancel: threading.Event) -> None:
            cancel.wait(5)
            saw_cancel.set()
            release.wait(5)  # still busy after noticing, like a model finishing an epoch

        job = runner.submit()
        task = asyncio.create_task(runner.run(job, slow))
        await until(lambda: job.state == "running")
        task.cancel()  # the client went away
        with pytest.raises(asyncio.CancelledError):
            await task
        await until(saw_cancel.is_set)
        assert job.cancelled and job.state == "cancelled"
        assert runner.running == 1  # the thread is still working
        release.set()
        await until(lambda: runner.running == 0)

    asyncio.run(main())


def test_a_failure_propagates_and_frees_the_slot():
    async def main():
        runner = JobRunner(max_jobs=1)

        def boom(cancel: threading.Event) -> None:
            raise ValueError("bad")

        job = runner.submit()
        with pytest.raises(ValueError, match="bad"):
            await runner.run(job, boom)
        assert job.state == "failed"
        await until(lambda: runner.running == 0)
        assert await runner.run(runner.submit(), lambda cancel: "next") == "next"

    asyncio.run(main())


def test_the_loop_keeps_serving_while_jobs_run():
    async def main():
        runner = JobRunner(max_jobs=1)
        task = asyncio.create_task(runner.run(runner.submit(), lambda c: time.sleep(0.2)))
        t0 = time.perf_counter()
        ticks = 0
        while not task.done():
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks >= 10 and time.perf_counter() - t0 >= 0.19

    asyncio.run(main())


def test_the_app_owns_one_runner_with_its_max_jobs():
    from neuralab.server import create_app

    assert create_app(max_jobs=3).state.jobs.max_jobs == 3
    assert create_app().state.jobs.max_jobs >= 1


def test_shutdown_cancels_running_and_queued_jobs():
    async def main():
        runner = JobRunner(max_jobs=1)
        gate, log = threading.Event(), []
        running, queued = runner.submit(key="a"), runner.submit(key="b")
        t1 = asyncio.create_task(runner.run(running, gated(gate, log, "running")))
        t2 = asyncio.create_task(runner.run(queued, gated(gate, log, "queued")))
        await until(lambda: runner.waiting == 1 and ("start", "running") in log)
        runner.shutdown()
        with pytest.raises(Stopped):
            await t1
        with pytest.raises(JobCancelled):
            await t2
        assert running.cancelled and queued.cancelled and ("start", "queued") not in log

    asyncio.run(main())


def test_a_post_whose_client_leaves_stops_its_training(monkeypatch: pytest.MonkeyPatch) -> None:
    from neuralab.server import create_app
    from neuralab.server.routers import compare as compare_routes

    log: list = []
    gate = threading.Event()  # never opens: the training runs until it is cancelled
    monkeypatch.setattr(compare_routes, "train",
                        lambda values, cancel, cache: gated(gate, log, "post")(cancel))
    app = create_app()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/compare", "raw_path": b"/api/compare",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", b"2")],
    }
    sent: list[dict] = []

    async def scenario() -> None:
        left = asyncio.Event()
        messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

        async def receive() -> dict:
            if messages:
                return messages.pop(0)
            if not left.is_set():
                await left.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        request = asyncio.ensure_future(app(scope, receive, send))
        await until(lambda: ("start", "post") in log)
        left.set()  # the learner closed the tab
        await asyncio.wait_for(request, 5)
        await until(lambda: ("stopped", "post") in log)
        await until(lambda: app.state.jobs.running == 0)

    asyncio.run(scenario())
    assert ("end", "post") not in log
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 499


def test_wait_percentiles_describe_the_recent_waits():
    async def main():
        runner = JobRunner(max_jobs=1)
        assert runner.wait_percentiles() == {"count": 0, "p50": None, "p95": None}
        release = threading.Event()
        first = asyncio.ensure_future(runner.run(runner.submit(), lambda c: release.wait(10)))
        await asyncio.sleep(0)  # the first takes the only slot at once
        second = asyncio.ensure_future(runner.run(runner.submit(), lambda c: 2))
        while not runner.waiting:
            await asyncio.sleep(0.001)
        release.set()
        assert await second == 2 and await first is True
        figures = runner.wait_percentiles()
        assert figures["count"] == 2
        assert figures["p50"] == 0.0 < figures["p95"]  # one started at once, one queued

    asyncio.run(main())
