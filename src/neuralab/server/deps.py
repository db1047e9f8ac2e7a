"""What the routes share, as FastAPI dependencies: the app's model cache and job runner,
and what one learner can look inside (the cache, then their own shelf).

Both live on ``app.state`` (made by :func:`neuralab.server.create_app`), never in module
globals, so two apps in one process (tests, a notebook) never see each other's models.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from neuralab.labs.compare import ModelCache
from neuralab.server.jobs import JobRunner
from neuralab.server.learners import Comparisons, learner


def model_cache(connection: HTTPConnection) -> ModelCache:
    """The comparisons (and their fitted models) this app has trained."""
    return connection.app.state.models


def job_runner(connection: HTTPConnection) -> JobRunner:
    """The app's bounded runner for trainings."""
    return connection.app.state.jobs


def comparisons(connection: HTTPConnection) -> Comparisons:
    """The comparisons this request's learner can look inside, and keep."""
    state = connection.app.state
    return Comparisons(state.models, state.shelf, learner(connection))


Models = Annotated[ModelCache, Depends(model_cache)]
Kept = Annotated[Comparisons, Depends(comparisons)]
Jobs = Annotated[JobRunner, Depends(job_runner)]
