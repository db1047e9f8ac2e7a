"""Routes of the compare lab (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/compare", tags=["compare"])
