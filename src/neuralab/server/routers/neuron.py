"""Routes of the neuron lab (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/neuron", tags=["neuron"])
