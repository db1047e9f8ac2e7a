"""Routes of the descent lab (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/descent", tags=["descent"])
