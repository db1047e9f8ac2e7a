"""A small job runner for trainings: bounded, queued in order, cancellable.

At most ``max_jobs`` trainings run at once (default: one per core), each in a worker thread;
more wait their turn in arrival order. Every job carries a :class:`threading.Event` that the
training checks between epochs. Starting a job under a ``key`` already in use (the same view
of the same client) cancels the older job. The event loop is never blocked, so the server
keeps answering everyone else while trainings run.

All methods are meant to be called from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from fastapi import Request

T = TypeVar("T")
State = Literal["waiting", "running", "done", "cancelled", "failed"]


class JobCancelled(Exception):
    """The job was cancelled before or while it ran."""


class Job:
    """One training: its cancel event, its state and (while queued) its turn."""

    _ids = itertools.count(1)

    def __init__(self, key: Hashable | None = None) -> None:
        self.id = next(self._ids)
        self.key = key
        self.cancel_event = threading.Event()
        self.state: State = "waiting"
        self._turn: asyncio.Future[None] | None = None  # resolved when a slot is free

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        """Ask the job to stop: a queued job leaves the queue, a running one stops soon."""
        self.cancel_event.set()
        if self._turn is not None and not self._turn.done():
            self._turn.set_exception(JobCancelled())

    def __repr__(self) -> str:
        return f"Job(id={self.id}, key={self.key!r}, state={self.state!r})"


class JobRunner:
    """Runs blocking functions ``fn(cancel_event)`` in threads, ``max_jobs`` at a time."""

    def __init__(self, max_jobs: int | None = None) -> None:
        self.max_jobs = max(1, max_jobs or os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(self.max_jobs, thread_name_prefix="neuralab-job")
        self._running = 0
        self._queue: deque[Job] = deque()
        self._by_key: dict[Hashable, Job] = {}

    @property
    def running(self) -> int:
        """How many jobs hold a slot (their threads are working)."""
        return self._running

    @property
    def waiting(self) -> int:
        """How many jobs wait for a slot."""
        return sum(not job.cancelled for job in self._queue)

    def submit(self, key: Hashable | None = None) -> Job:
        """A new job; an older job under the same ``key`` is cancelled."""
        job = Job(key)
        if key is not None:
            older = self._by_key.get(key)
            if older is not None:
                older.cancel()
            self._by_key[key] = job
        return job

    async def run(
        self,
        job: Job,
        fn: Callable[[threading.Event], T],
        *,
        on_wait: Callable[[], object] | None = None,
    ) -> T:
        """Wait for a slot, then run ``fn(job.cancel_event)`` in a worker thread.

        ``on_wait()`` is called once if the job has to queue. Raises :class:`JobCancelled`
        if the job is cancelled while queued; while running, ``fn`` decides how it stops
        (its own exception propagates). If the awaiting task itself is cancelled (say, the
        client left), the job is cancelled too and its slot is freed only when its thread
        has really finished.
        """
        try:
            await self._take_turn(job, on_wait)
            if job.cancelled:  # cancelled just as its turn came
                self._hand_over()
                raise JobCancelled()
            job.state = "running"
            future = asyncio.get_running_loop().run_in_executor(self._pool, fn, job.cancel_event)
            future.add_done_callback(self._release)
            try:
                result = await asyncio.shield(future)
            except asyncio.CancelledError:
                job.cancel()
                raise
            job.state = "done"
            return result
        except BaseException:
            job.state = "cancelled" if job.cancelled else "failed"
            raise
        finally:
            if job.key is not None and self._by_key.get(job.key) is job:
                del self._by_key[job.key]

    async def _take_turn(self, job: Job, on_wait: Callable[[], object] | None) -> None:
        if job.cancelled:
            raise JobCancelled()
        if self._running < self.max_jobs and not self.waiting:
            self._running += 1
            return
        job._turn = asyncio.get_running_loop().create_future()
        self._queue.append(job)
        if on_wait is not None:
            on_wait()
        try:
            await job._turn  # the slot is handed over by _release, already counted
        except BaseException:
            if job in self._queue:
                self._queue.remove(job)
            elif job._turn.done() and not job._turn.cancelled() and not job._turn.exception():
                self._hand_over()  # we were given a slot but will not use it
            raise

    def _release(self, future: asyncio.Future) -> None:
        if not future.cancelled():
            future.exception()  # mark as retrieved; the awaiting task re-raises it if alive
        self._hand_over()

    def _hand_over(self) -> None:
        """A slot is free: give it to the first job still waiting, or put it back."""
        while self._queue:
            job = self._queue.popleft()
            if job._turn is not None and not job._turn.done():
                job._turn.set_result(None)
                return
        self._running -= 1

    def shutdown(self) -> None:
        """Cancel everything queued and stop the threads once the running jobs end."""
        for job in list(self._queue) + list(self._by_key.values()):
            job.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)


class ClientLeft(Exception):
    """The HTTP client disconnected before its answer was ready."""


async def while_connected(request: Request, work: Awaitable[T], poll: float = 0.1) -> T:
    """Await ``work`` (e.g. :meth:`JobRunner.run`), cancelling it if the client goes away.

    Starlette keeps running a request's handler after its client disconnects; a training
    nobody waits for would hold a core. Checked every ``poll`` seconds; raises
    :class:`ClientLeft` once ``work`` is cancelled.
    """
    task = asyncio.ensure_future(work)
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=poll)
            if not task.done() and await request.is_disconnected():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, JobCancelled):
                    await task
                raise ClientLeft()
        return task.result()
    finally:
        task.cancel()  # no-op when done; stops the work if we are cancelled ourselves


async def stream_job(
    runner: JobRunner, work: Callable[[threading.Event, Callable[[T], None]], object],
) -> AsyncIterator[T]:
    """Run ``work(cancel, emit)`` as a job and yield what it emits, as it emits it.

    For streamed answers (NDJSON): when the consumer stops (the client left, and Starlette
    closes the generator), the job is cancelled. The job's own exception is raised after
    the items emitted before it.
    """
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[tuple[bool, T | None]] = asyncio.Queue()
    job = runner.submit()
    task = asyncio.ensure_future(runner.run(
        job, lambda cancel: work(cancel, lambda item: loop.call_soon_threadsafe(
            items.put_nowait, (True, item)))))
    task.add_done_callback(lambda _: items.put_nowait((False, None)))
    try:
        while True:
            more, item = await items.get()
            if not more:
                break
            yield item  # type: ignore[misc]
        task.result()
    finally:
        job.cancel()
        task.cancel()
