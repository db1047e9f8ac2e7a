"""Routes of the neuron lab: one tiny GET per change of a slider or toggle, and the learning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from neuralab.labs.neuron import evaluate, learn
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/neuron", tags=["neuron"])

NeuronQuery = request_model("neuron")


@router.get("")
async def neuron(q: Annotated[NeuronQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The neuron (or the 2-2-1 network) on the chosen inputs and on all four input pairs."""
    return evaluate(**q.model_dump()).to_dict()  # type: ignore[attr-defined]


@router.get("/learn")
def learn_weights(q: Annotated[NeuronQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """Every step of "Learn the weights" from the given weights, and the rule it used.

    Up to a few hundred ms for the network: a plain ``def``, so it runs in a worker thread
    and the sliders' requests are answered meanwhile."""
    return learn(**q.model_dump()).to_dict()  # type: ignore[attr-defined]
