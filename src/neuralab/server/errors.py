"""Errors as JSON with real status codes: every 422 names the parameter and its range."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from neuralab.params import TABLE, ParamError


def _expected(name: str, scope: str = "ui") -> str | None:
    for params in TABLE.values():
        if name in params:
            return params[name].expected(scope)  # type: ignore[arg-type]
    return None


def problem(param: str, message: str, expected: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"param": param, "message": message}
    if expected:
        out["expected"] = expected
    return out


def validation_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn pydantic's errors into ``{"param", "expected", "message"}`` items."""
    detail = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        name = next((p for p in loc if not p.isdigit()), loc[0] if loc else "request")
        expected = _expected(name)
        where = name + "".join(f"[{p}]" for p in loc[loc.index(name) + 1:] if p.isdigit()) \
            if name in loc else name
        if err.get("type") == "extra_forbidden":
            message, expected = f"unknown parameter {name!r}", None
        elif err.get("type") == "missing":
            message = f"{where} is required" + (f": {expected}" if expected else "")
        elif expected:
            message = f"{where} must be {expected}"
        else:
            message = f"{where}: {err.get('msg', 'invalid value')}"
        detail.append(problem(name, message, expected))
    return detail


def install(app: FastAPI) -> None:
    """Register the handlers that keep every bad request a 4xx with a clear message."""

    @app.exception_handler(RequestValidationError)
    async def _on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_detail(exc.errors())})

    @app.exception_handler(ParamError)
    async def _on_param(_: Request, exc: ParamError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": [problem(exc.param, str(exc), exc.expected)]}
        )

    @app.exception_handler(HTTPException)
    async def _on_http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, (list, dict)) else str(exc.detail)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail},
                            headers=getattr(exc, "headers", None))
