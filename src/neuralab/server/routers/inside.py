"""Routes that look inside the trained models (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/inside", tags=["inside"])
