"""The lab's comparisons trained in worker processes, so the server's own process only serves.

``neuralab serve`` trains comparisons here by default (``--train-in threads`` keeps them in
the server's threads, ``--scheduler`` sends them to a Dask cluster). While a comparison
trains in a thread of the server, every page, picture and slider of every other learner
waits for the same interpreter; in a worker process it does not.

* Each worker is one process (started from a forkserver, so that it never inherits the
  server's threads) that loads MNIST and the model code once, keeps its own
  :class:`~neuralab.labs.compare.ModelCache` (a Tree Depth move refits nothing), and runs one
  comparison at a time. Messages go both ways over one pipe: ``("run", settings)`` and
  ``"cancel"`` in; ``("event", ...)`` per epoch and model, then ``("done", result)``,
  ``("cancelled",)`` or ``("failed", message)`` out. The worker reads a cancel after each
  epoch, so a cancelled run stops at its next epoch, as in a thread.
* A run goes to an idle worker, the one that trained the same data and seed last if there
  is one (its cache holds the other models). The server's job runner lets at most as many
  runs start as there are workers.
* A worker that dies (killed, out of memory) fails only the run it held, with an error for
  that learner; a new worker takes its place. :meth:`ProcessTrainer.close` ends them all
  (the server's shutdown), at once.

This module imports no web code.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from neuralab.cluster import replay
from neuralab.labs.compare import Cancelled, ComparisonResult, ModelCache

Event = dict[str, Any]
POLL = 0.05  # seconds between two looks at the cancel flag while a worker trains
DIED = "the process training this comparison stopped unexpectedly; run it again"


class WorkerDied(RuntimeError):
    """The process training the comparison stopped before it answered."""


class RunFailed(RuntimeError):
    """The comparison raised in its worker (which is fine and takes the next run)."""


def _serve_runs(conn: Connection) -> None:
    """A worker's life: warm up, then one run at a time until the pipe closes."""
    from neuralab.data import load_mnist

    load_mnist()
    cache = ModelCache(models=16, results=8)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(message, tuple) and message[0] == "run":
            conn.send(_one_run(conn, message[1], cache))
        # anything else is a cancel for a run that has already ended


def _one_run(conn: Connection, values: dict[str, Any], cache: ModelCache) -> tuple:
    """Train one comparison, sending its events; the message that ends the run."""
    from neuralab.labs.compare import compare_models

    cancel = threading.Event()

    def on_event(event: Event) -> None:
        conn.send(("event", event))
        while conn.poll():
            if conn.recv() == "cancel":
                cancel.set()

    try:
        result = compare_models(**values, on_event=on_event, cancel=cancel, scope="ui",
                                cache=cache)
    except Cancelled:
        return ("cancelled",)
    except Exception as exc:  # the learner gets an error; the worker goes on
        return ("failed", f"{type(exc).__name__}: {exc}")
    return ("done", result)


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve_runs, args=(child,),
                                       name="neuralab-trainer", daemon=True)
        self.process.start()
        child.close()
        self.last: tuple[int, int] | None = None  # (train_size, seed) of its last run
        self.busy = False  # training a run now

    def send(self, message: Any) -> None:
        try:
            self.conn.send(message)
        except (OSError, ValueError):
            raise WorkerDied(DIED) from None

    def receive(self, wait: float) -> Any:
        """The next message, or None if none came within ``wait`` seconds."""
        try:
            if self.conn.poll(wait):
                return self.conn.recv()
        except (EOFError, OSError, ValueError):
            raise WorkerDied(DIED) from None
        if not self.process.is_alive():
            raise WorkerDied(DIED)
        return None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=2)


class ProcessTrainer:
    """``train(values, cancel, cache, on_event)`` for the lab server, in worker processes.

    Called in one of the server's job threads, it blocks like a training in that thread:
    it hands the run to a worker, forwards its events, keeps the finished comparison in
    ``cache`` (for the views that look inside the models) and returns it as JSON-ready data.
    Setting ``cancel`` stops the run at its worker's next epoch and raises
    :class:`Cancelled`. Workers start when first needed.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.slots = max(1, workers or os.cpu_count() or 1)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["neuralab.labs.compare", "neuralab.data"])
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._starting = 0  # processes starting now, outside the lock
        self._closed = False

    def warm(self) -> None:
        """Start every worker now (each loads MNIST and the model code), so the first
        comparison does not wait for a process to start (the server's start-up does this)."""
        while (worker := self._start()) is not None:
            self._idle.put(worker)

    def _start(self) -> _Worker | None:
        """A new worker, or None if there are ``slots`` already or the trainer is closed.
        The process starts outside the lock: :meth:`close` never waits for one to start."""
        with self._lock:
            if self._closed or len(self._workers) + self._starting >= self.slots:
                return None
            self._starting += 1
        try:
            worker = _Worker(self._context)
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            if not self._closed:
                self._workers.append(worker)
                return worker
        worker.stop()  # closed while it started
        return None

    def _take(self, values: dict[str, Any]) -> _Worker:
        """An idle worker (started if fewer than ``slots`` exist), preferring the one whose
        last run used the same data and seed."""
        with self._lock:
            if self._closed:
                raise Cancelled
            idle = []
            while True:
                try:
                    idle.append(self._idle.get_nowait())
                except queue.Empty:
                    break
        if not idle:
            # the job runner never lets more runs in than workers: one is idle soon
            return self._start() or self._idle.get()
        key = (values.get("train_size"), values.get("seed"))
        idle.sort(key=lambda w: w.last != key)
        for worker in idle[1:]:
            self._idle.put(worker)
        return idle[0]

    def _replace(self, dead: _Worker) -> None:
        dead.stop()
        with self._lock:
            if dead in self._workers:
                self._workers.remove(dead)

    def __call__(self, values: dict[str, Any], cancel: threading.Event, cache: ModelCache,
                 on_event: Callable[[Event], None] | None = None) -> dict[str, Any]:
        emit = on_event or (lambda event: None)
        kept = cache.comparison(values, scope="ui")
        if kept is not None:  # trained before: answer from the server's memory
            return replay(kept, emit)
        worker = self._take(values)
        worker.busy = True
        try:
            result = self._run(worker, values, cancel, emit)
        except RunFailed:
            worker.busy = False
            self._idle.put(worker)  # it answered: ready for the next run
            raise
        except BaseException:  # died, or we stopped listening mid-run: never reuse it
            worker.busy = False
            self._replace(worker)
            raise
        worker.busy = False
        worker.last = (values.get("train_size"), values.get("seed"))
        self._idle.put(worker)
        if result is None:
            raise Cancelled
        cache.keep(result)
        return result.to_dict()

    def _run(self, worker: _Worker, values: dict[str, Any], cancel: threading.Event,
             emit: Callable[[Event], None]) -> ComparisonResult | None:
        """Send the run and forward its events; the result, or None if it was cancelled."""
        told = False
        worker.send(("run", values))
        while True:
            if cancel.is_set() and not told:
                worker.send("cancel")
                told = True
            message = worker.receive(POLL)
            if message is None:
                continue
            if message[0] == "event":
                if not told:
                    emit(message[1])
            elif message[0] == "done":
                return None if told else message[1]
            elif message[0] == "cancelled":
                return None
            else:
                raise RunFailed(message[1])

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and the class view)."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid is not None]

    def close(self) -> None:
        """End every worker now (the server is stopping)."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
