"""Routes of the neuron lab: one tiny GET per change of a slider or toggle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from neuralab.labs.neuron import evaluate
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/neuron", tags=["neuron"])

NeuronQuery = request_model("neuron")


@router.get("")
async def neuron(q: Annotated[NeuronQuery, Query()]) -> dict:  # type: ignore[valid-type]
    """The ReLU neuron on the chosen inputs and on all four input pairs."""
    return evaluate(**q.model_dump()).to_dict()  # type: ignore[attr-defined]
