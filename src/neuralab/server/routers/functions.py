"""Routes of the functions lab (to be filled by its owner)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/functions", tags=["functions"])
