"""What the routes share, as FastAPI dependencies: the app's model cache and job runner.

Both live on ``app.state`` (made by :func:`neuralab.server.create_app`), never in module
globals, so two apps in one process (tests, a notebook) never see each other's models.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from neuralab.labs.compare import ModelCache
from neuralab.server.jobs import JobRunner


def model_cache(connection: HTTPConnection) -> ModelCache:
    """The comparisons (and their fitted models) this app has trained."""
    return connection.app.state.models


def job_runner(connection: HTTPConnection) -> JobRunner:
    """The app's bounded runner for trainings."""
    return connection.app.state.jobs


Models = Annotated[ModelCache, Depends(model_cache)]
Jobs = Annotated[JobRunner, Depends(job_runner)]
