"""``create_app()``: the lab as a FastAPI application (routers, static front end, errors)."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from neuralab import __version__
from neuralab.server import errors

# Each entry is a module under neuralab.server.routers exposing `router`.
ROUTERS = ("meta", "functions", "pixels", "descent", "compare", "inside", "neuron")

WEB = Path(str(resources.files("neuralab").joinpath("web")))


def warm_up() -> None:
    """Load MNIST and the model code once, so the first comparison answers as fast as later ones.

    Runs in a background thread at start-up: the server answers at once meanwhile.
    """
    from sklearn.tree import DecisionTreeClassifier  # noqa: F401  (a one-second import)

    from neuralab.data import load_mnist
    from neuralab.nn import Network  # noqa: F401

    load_mnist()


SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Trainings run in threads; a shorter GIL switch interval lets the event loop forward
    # each epoch to the browser sooner (measured: the first epoch on screen ~20% sooner).
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    threading.Thread(target=warm_up, name="neuralab-warm-up", daemon=True).start()
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
        runner = getattr(app.state, "jobs", None)
        if runner is not None:
            runner.shutdown()  # cancel what still runs or waits


def create_app(*, max_jobs: int | None = None) -> FastAPI:
    """Build the lab application.

    ``max_jobs`` bounds how many trainings run at once (default: the number of cores).
    """
    app = FastAPI(
        title="neuralab",
        version=__version__,
        description="An offline lab for learning how neural networks learn functions.",
        lifespan=_lifespan,
    )
    app.state.max_jobs = max_jobs
    errors.install(app)
    for name in ROUTERS:
        module = importlib.import_module(f"neuralab.server.routers.{name}")
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=WEB), name="static")
    return app
