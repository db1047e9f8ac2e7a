"""``create_app()``: the lab as a FastAPI application (routers, static front end, errors).

The app owns its state on ``app.state``: ``models`` (a :class:`~neuralab.labs.compare.
ModelCache` of the comparisons it trained), ``jobs`` (the :class:`~neuralab.server.jobs.
JobRunner` that bounds trainings), ``uploads`` (the playground's uploaded points), and
``access``, the :class:`~neuralab.server.access.Access` policy that
:class:`~neuralab.server.access.AccessGuard` applies to every request and WebSocket (loopback
names only and no token, unless told otherwise). ``/docs`` (Swagger UI) loads its script from
the ``fastapi-offline`` package, never from the internet; ReDoc is left out, as its page
fetches a logo from the internet whatever its assets.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from neuralab import __version__
from neuralab.labs.compare import ModelCache
from neuralab.params import group
from neuralab.server import errors, openapi
from neuralab.server.access import Access, AccessGuard
from neuralab.server.assets import Assets
from neuralab.server.classroom import Classroom
from neuralab.server.jobs import JobRunner
from neuralab.server.learners import LearnerCookie, Shelf
from neuralab.server.limits import BodyLimit
from neuralab.server.playground_session import PointStore
from neuralab.server.processes import ProcessTrainer
from neuralab.server.routers import (
    answers,
    classroom,
    compare,
    descent,
    functions,
    inside,
    meta,
    neuron,
    pixels,
    playground,
)

ROUTERS = (meta, functions, pixels, descent, compare, inside, neuron, playground, answers,
           classroom)

QUEUE = group("serve")["queue"].default

WEB = Path(str(resources.files("neuralab").joinpath("web")))

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load MNIST and the model code once, so the first comparison answers as fast as later ones.

    Runs in a background thread at start-up: the server answers at once meanwhile. A server
    stopped during the warm-up (Ctrl+C in the first second) ends it quietly.
    """
    try:
        from neuralab.data import load_mnist
        from neuralab.nn import Network  # noqa: F401
        from neuralab.nn.tree import DecisionTree  # noqa: F401

        load_mnist()
    except Exception as exc:  # only a shutting-down interpreter gets here in practice
        log.debug("warm-up stopped: %s", exc)


SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Trainings run in threads; a shorter GIL switch interval lets the event loop forward
    # each epoch to the browser sooner (measured: the first epoch on screen ~20% sooner).
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    threading.Thread(target=warm_up, name="neuralab-warm-up", daemon=True).start()
    if isinstance(app.state.trainer, ProcessTrainer):
        threading.Thread(target=app.state.trainer.warm, name="neuralab-warm-workers",
                         daemon=True).start()
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
        app.state.jobs.shutdown()  # cancel what still runs or waits
        if app.state.trainer is not None:
            app.state.trainer.close()  # worker processes end, a cluster client lets go


def create_app(*, max_jobs: int | None = None, models: ModelCache | None = None,
               scheduler: str | None = None, access: Access | None = None,
               queue: int | None = QUEUE, train_in: str = "threads") -> FastAPI:
    """Build the lab application.

    ``max_jobs`` bounds how many trainings run at once (default: the number of cores, or
    the cluster's worker threads); ``models`` is the cache of trained comparisons (default:
    a new one, 64 comparisons); ``scheduler``, a Dask scheduler's address, trains the
    comparisons on that cluster (:mod:`neuralab.cluster`; raises
    :class:`~neuralab.cluster.SchedulerUnreachable` if it does not answer); ``access``
    says which hosts it answers to and which token it requires (default: loopback, none);
    ``queue`` bounds the trainings waiting for a core (None: no bound); ``train_in``
    "processes" trains comparisons in worker processes (:mod:`neuralab.server.processes`,
    what ``neuralab serve`` does unless told otherwise), "threads" in this process.
    """
    trainer = None
    if scheduler:
        from neuralab.cluster import ClusterTrainer, connect

        trainer = ClusterTrainer(connect(scheduler))
        max_jobs = max_jobs or trainer.slots
    elif train_in == "processes":
        trainer = ProcessTrainer(max_jobs)
        max_jobs = trainer.slots
    app = FastAPIOffline(
        title="neuralab",
        version=__version__,
        description="An offline lab for learning how neural networks learn functions.",
        lifespan=_lifespan,
        static_url="/static/docs-assets",
        redoc_url=None,
    )
    app.state.jobs = JobRunner(max_jobs, max_waiting=queue)
    app.state.trainer = trainer  # None: train in this process's threads
    app.state.models = models if models is not None else ModelCache()
    app.state.uploads = PointStore()  # the playground's uploaded points
    app.state.access = access if access is not None else Access()
    app.state.shelf = Shelf()  # each learner's latest comparisons
    app.state.classroom = Classroom()  # the class view's figures, in memory only
    errors.install(app)
    openapi.install(app)
    for module in ROUTERS:
        app.include_router(module.router)

    assets = Assets(WEB, fallback=StaticFiles(directory=WEB))

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index(request: Request) -> Response:
        page = assets.asset("index.html") or assets.files["index.html"]
        return assets.response(page, request.headers, head=request.method == "HEAD")

    app.mount("/static", assets, name="static")
    app.add_middleware(LearnerCookie)  # the page gives each learner an anonymous id
    app.add_middleware(BodyLimit)  # every body capped, timed and checked before parsing
    app.add_middleware(AccessGuard, access=app.state.access)  # outermost: checked first
    return app
