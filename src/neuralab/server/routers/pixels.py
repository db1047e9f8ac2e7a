"""Routes of the pixels lab (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/pixels", tags=["pixels"])
