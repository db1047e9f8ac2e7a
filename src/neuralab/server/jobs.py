"""A small job runner for trainings: bounded, queued in order, cancellable.

At most ``max_jobs`` trainings run at once (default: one per core), each in a worker thread;
more wait their turn, at most ``max_waiting`` of them: past that a new job
is refused at once with :class:`QueueFull` (answered 503 or "queue full", never a wait
without end). A waiting job is told its place in the queue, and again whenever it moves,
with the wait expected at the pace of the recent jobs. Every job carries a
:class:`threading.Event` that the training checks between epochs. Starting a job under a
``key`` already in use (the same view of the same client) cancels the older job. A free
slot goes to the waiting job whose ``owner`` (a learner) holds the fewest slots, counting
the owner's jobs queued ahead of it, then to the earliest: each learner gets a fair share,
not first come first served (one learner's ten runs do not all pass before another's
one). The event
loop is never blocked, so the server keeps answering everyone else while trainings run;
:meth:`JobRunner.shutdown` cancels every job, queued or running.

All methods are meant to be called from the event loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, TypeVar

from fastapi import Request

T = TypeVar("T")
State = Literal["waiting", "running", "done", "cancelled", "failed"]


class JobCancelled(Exception):
    """The job was cancelled before or while it ran."""


OnWait = Callable[[int, "float | None"], object]  # (place in the queue, seconds expected)


class QueueFull(Exception):
    """Every slot is busy and the queue is full; try again in ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: float) -> None:
        self.waiting = waiting
        self.retry_after = retry_after
        super().__init__(f"the server is busy: {waiting} trainings are waiting for a free "
                         f"core; try again in {math.ceil(retry_after)} s")


class Job:
    """One training: its cancel event, its state and (while queued) its turn."""

    _ids = itertools.count(1)

    def __init__(self, key: Hashable | None = None, owner: Hashable | None = None) -> None:
        self.id = next(self._ids)
        self.key = key
        self.owner: Hashable = owner if owner is not None else self  # none: its own owner
        self.cancel_event = threading.Event()
        self.state: State = "waiting"
        self._turn: asyncio.Future[None] | None = None  # resolved when a slot is free
        self._on_wait: OnWait | None = None
        self._told = 0  # the place in the queue the job was last told

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

    PACE = 0.3  # weight of the newest job in the running mean of job durations
    UNKNOWN_WAIT = 5.0  # seconds to suggest before any job has finished
    WAITS_KEPT = 200  # the recent waits that wait_percentiles() describes

    def __init__(self, max_jobs: int | None = None, max_waiting: int | None = None) -> None:
        self.max_jobs = max(1, max_jobs or os.cpu_count() or 1)
        self.max_waiting = max_waiting  # None: no bound
        self._pool = ThreadPoolExecutor(self.max_jobs, thread_name_prefix="neuralab-job")
        self._running = 0
        self._queue: deque[Job] = deque()
        self._by_key: dict[Hashable, Job] = {}
        self._live: set[Job] = set()  # submitted and not yet finished
        self._pace: float | None = None  # seconds a job takes, a running mean
        self._held: Counter[Hashable] = Counter()  # slots held, by owner
        self._waits: deque[float] = deque(maxlen=self.WAITS_KEPT)  # seconds, newest last

    @property
    def running(self) -> int:
        """How many jobs hold a slot (their threads are working)."""
        return self._running

    @property
    def waiting(self) -> int:
        """How many jobs wait for a slot."""
        return sum(not job.cancelled for job in self._queue)

    def expected_wait(self, place: int) -> float | None:
        """Seconds until the job at ``place`` in the queue (1: next) is likely to start, at
        the pace of the recent jobs (None before any has finished)."""
        if self._pace is None:
            return None
        return math.ceil(place / self.max_jobs) * self._pace

    def wait_percentiles(self) -> dict[str, float | int | None]:
        """How long the recent jobs (the last :attr:`WAITS_KEPT`) waited for a slot:
        ``{"count", "p50", "p95"}`` in seconds (None before any job started)."""
        waits = sorted(self._waits)
        if not waits:
            return {"count": 0, "p50": None, "p95": None}
        at = lambda q: waits[min(len(waits) - 1, math.ceil(q * len(waits)) - 1)]  # noqa: E731
        return {"count": len(waits), "p50": round(at(0.5), 3), "p95": round(at(0.95), 3)}

    def submit(self, key: Hashable | None = None, owner: Hashable | None = None) -> Job:
        """A new job for ``owner`` (None: a job of its own); an older job under the same
        ``key`` is cancelled."""
        job = Job(key, owner)
        self._live.add(job)
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
        on_wait: OnWait | None = None,
    ) -> T:
        """Wait for a slot, then run ``fn(job.cancel_event)`` in a worker thread.

        ``on_wait(place, expected_seconds)`` is called if the job has to queue, and again
        each time its place changes. Raises :class:`QueueFull` at once if the queue is full,
        :class:`JobCancelled` if the job is cancelled while queued; while running, ``fn``
        decides how it stops (its own exception propagates). If the awaiting task itself is
        cancelled (say, the client left), the job is cancelled too and its slot is freed
        only when its thread has really finished.
        """
        try:
            await self._take_turn(job, on_wait)
            if job.cancelled:  # cancelled just as its turn came
                self._free(job)
                raise JobCancelled()
            job.state = "running"
            started = time.monotonic()
            future = asyncio.get_running_loop().run_in_executor(self._pool, fn, job.cancel_event)
            future.add_done_callback(functools.partial(self._release, job))
            try:
                result = await asyncio.shield(future)
            except asyncio.CancelledError:
                job.cancel()
                raise
            job.state = "done"
            took = time.monotonic() - started
            self._pace = took if self._pace is None else \
                (1 - self.PACE) * self._pace + self.PACE * took
            return result
        except BaseException:
            job.state = "cancelled" if job.cancelled else "failed"
            raise
        finally:
            self._live.discard(job)
            if job.key is not None and self._by_key.get(job.key) is job:
                del self._by_key[job.key]

    async def _take_turn(self, job: Job, on_wait: OnWait | None) -> None:
        if job.cancelled:
            raise JobCancelled()
        if self._running < self.max_jobs and not self.waiting:
            self._running += 1
            self._held[job.owner] += 1
            self._waits.append(0.0)
            return
        waiting = self.waiting
        if self.max_waiting is not None and waiting >= self.max_waiting:
            raise QueueFull(waiting, self.expected_wait(waiting + 1) or self.UNKNOWN_WAIT)
        job._turn = asyncio.get_running_loop().create_future()
        job._on_wait = on_wait
        self._queue.append(job)
        self._tell_places()
        queued_at = time.monotonic()
        try:
            await job._turn  # the slot is handed over by _release, already counted
            self._waits.append(time.monotonic() - queued_at)
        except BaseException:
            if job in self._queue:
                self._queue.remove(job)
                self._tell_places()
            elif job._turn.done() and not job._turn.cancelled() and not job._turn.exception():
                self._free(job)  # we were given a slot but will not use it
            raise

    def _order(self) -> list[Job]:
        """The waiting jobs in the order they will get a slot (see the module's doc)."""
        ahead: Counter[Hashable] = Counter()
        ranked = []
        for index, job in enumerate(self._queue):
            if job.cancelled or job._turn is None or job._turn.done():
                continue
            ranked.append((self._held[job.owner] + ahead[job.owner], index, job))
            ahead[job.owner] += 1
        ranked.sort(key=lambda rank: rank[:2])
        return [job for _, _, job in ranked]

    def _tell_places(self) -> None:
        """Tell each waiting job its place in the queue, if it changed."""
        for place, job in enumerate(self._order(), 1):
            if job._told != place and job._on_wait is not None:
                job._told = place
                job._on_wait(place, self.expected_wait(place))

    def _release(self, job: Job, future: asyncio.Future) -> None:
        if not future.cancelled():
            future.exception()  # mark as retrieved; the awaiting task re-raises it if alive
        self._free(job)

    def _free(self, job: Job) -> None:
        """``job`` gives its slot back: the next job takes it, or the slot is put back.

        The next job is chosen while ``job``'s owner still counts the slot, so owners take
        turns: who just had a core goes after those waiting with as many queued.
        """
        order = self._order()
        self._held[job.owner] -= 1
        if self._held[job.owner] <= 0:
            del self._held[job.owner]
        self._queue = deque(j for j in self._queue if j in order)  # drop the dead
        if not order:
            self._running -= 1
            return
        chosen = order[0]
        self._queue.remove(chosen)
        self._held[chosen.owner] += 1
        chosen._turn.set_result(None)  # type: ignore[union-attr]
        self._tell_places()

    def shutdown(self) -> None:
        """Cancel every job, queued or running, and let the threads go once they stop."""
        for job in [*self._queue, *self._by_key.values(), *self._live]:
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
