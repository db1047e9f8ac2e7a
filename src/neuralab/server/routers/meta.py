"""Health and the parameter table, as the front end and the docs see them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from neuralab import __version__
from neuralab.params import TABLE, describe

router = APIRouter(prefix="/api", tags=["meta"])

# The estimator and the server itself are configured in Python or on the command line.
_PUBLIC = [lab for lab in TABLE if lab not in ("serve", "mlp")]


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: ``{"status": "ok"}``."""
    return {"status": "ok", "version": __version__}


@router.get("/params")
def all_params() -> dict[str, list[dict]]:
    """Every lab's parameters with their UI ranges, defaults, labels and help."""
    return {lab: describe(lab, "ui") for lab in _PUBLIC}


@router.get("/params/{lab}")
def lab_params(lab: str) -> list[dict]:
    """One lab's parameters."""
    if lab not in _PUBLIC:
        raise HTTPException(404, f"no lab named {lab!r}; labs: {', '.join(_PUBLIC)}")
    return describe(lab, "ui")
