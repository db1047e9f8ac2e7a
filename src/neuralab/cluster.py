"""The lab's comparisons trained on a Dask distributed cluster, streamed back epoch by epoch.

``neuralab serve --scheduler tcp://HOST:PORT`` keeps the web server one light process and
sends each comparison to the cluster as a task (:func:`remote_comparison`). The page still
sees every epoch as it happens, and a cancelled run stops on its worker:

* epochs travel through a ``distributed.Queue`` named for the run: the worker puts each
  event, the server takes them all every few milliseconds (``get(batch=True)``) and hands
  them on. A queue keeps the order of the events and needs nothing but the scheduler that
  the cluster already has; an actor would pin the run to one worker's event loop, and
  pub/sub drops messages sent before the subscriber has registered.
* cancelling sets a ``distributed.Event`` of the same name, which the worker checks after
  every epoch, and cancels the task (a run still waiting for a worker never starts).
* the trained comparison comes back whole (about 1 MB), and the server keeps it for the
  views that look inside the models. Each worker keeps its own :class:`ModelCache`, so a
  Tree Depth move on the same worker still refits nothing.

This module imports no web code: workers import it to run :func:`remote_comparison`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from neuralab.labs.compare import Cancelled, ComparisonResult, ModelCache, compare_models

POLL = 0.02  # seconds between two looks at a run's queue
CONNECT_TIMEOUT = 5.0  # seconds to reach the scheduler at start-up

Event = dict[str, Any]


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at the given address."""


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``distributed.Client`` for ``address``, or :class:`SchedulerUnreachable` within
    ``timeout`` seconds (ImportError, with what to install, without dask.distributed)."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError("a Dask cluster needs dask.distributed: "
                          "pip install 'neuralab[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnreachable(f"no Dask scheduler answered at {address} within "
                                   f"{timeout:g} s ({exc})") from None


def remote_comparison(values: dict[str, Any], channel: str) -> ComparisonResult:
    """Run on a worker: the comparison (UI ranges), its events into the queue ``channel``,
    stopped when the event ``channel`` is set."""
    from distributed import Event as DaskEvent
    from distributed import Queue, get_worker

    queue, stop = Queue(channel), DaskEvent(channel)
    cancel = threading.Event()
    worker = get_worker()
    cache = getattr(worker, "neuralab_models", None)
    if cache is None:
        cache = worker.neuralab_models = ModelCache()

    def on_event(event: Event) -> None:
        queue.put(event)
        if stop.is_set():
            cancel.set()

    queue.put({"type": "started"})
    return compare_models(**values, on_event=on_event, cancel=cancel, scope="ui", cache=cache)


class ClusterTrainer:
    """``train(values, cancel, cache, on_event)`` for the lab server, on a cluster.

    Called in one of the server's job threads, it blocks like a local training: it submits
    the run, forwards its events, and returns the result as JSON-ready data. Setting
    ``cancel`` stops the run on its worker and raises :class:`Cancelled`.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def close(self) -> None:
        """Let go of the cluster (the server is stopping); the cluster itself goes on."""
        self.client.close()

    @property
    def slots(self) -> int:
        """How many runs the cluster can train at once (its worker threads)."""
        return max(1, sum(self.client.nthreads().values()))

    def __call__(self, values: dict[str, Any], cancel: threading.Event, cache: ModelCache,
                 on_event: Callable[[Event], None] | None = None) -> dict[str, Any]:
        from distributed import Event as DaskEvent
        from distributed import Queue

        emit = on_event or (lambda event: None)
        kept = cache.comparison(values, scope="ui")
        if kept is not None:  # trained before: answer from the server's memory
            return replay(kept, emit)
        channel = f"neuralab-run-{uuid.uuid4().hex}"
        queue = Queue(channel, client=self.client)
        stop = DaskEvent(channel, client=self.client)
        future = self.client.submit(remote_comparison, values, channel, pure=False)
        try:
            while True:
                for event in queue.get(batch=True):
                    if event["type"] != "started":  # the server's own "started" was sent
                        emit(event)
                if future.done():
                    for event in queue.get(batch=True):
                        if event["type"] != "started":
                            emit(event)
                    break
                if cancel.is_set():
                    stop.set()
                    future.cancel()
                    raise Cancelled
                time.sleep(POLL)
            result: ComparisonResult = future.result()
        finally:
            queue.close()
        cache.keep(result)
        return result.to_dict()


def replay(result: ComparisonResult, emit: Callable[[Event], None]) -> dict[str, Any]:
    """The events of a kept comparison, as a reused run sends them."""
    for point in result.models["mlp"].details["curve"]:
        emit({"type": "epoch", "model": "mlp", **point, "cached": True})
    for name, model in result.models.items():
        emit({"type": "model", "model": name, "accuracy": model.accuracy,
              "seconds": model.seconds, "cached": True})
    data = result.to_dict()
    for model in data["models"].values():
        model["cached"] = True
    return data
