"""Errors as JSON with real status codes: every 422 names the parameter and its range."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from neuralab.params import TABLE, Param, ParamError
from neuralab.server.jobs import QueueFull


def _param(name: str) -> Param | None:
    return next((params[name] for params in TABLE.values() if name in params), None)


def _expected(name: str, scope: str = "ui") -> str | None:
    param = _param(name)
    return param.expected(scope) if param else None  # type: ignore[arg-type]


def _cell_message(name: str, index: list[int], got: Any) -> str | None:
    """"Red, row 1, column 2 must be a number from 0 to 1 (got 1.5)" for one matrix cell."""
    param = _param(name)
    if param is None or len(param.shape) != 2 or len(index) != 2:
        return None
    one = replace(param, shape=()).expected("ui")
    shown = "nothing" if got is None or got == "" else repr(got)
    return (f"{param.label or name}, row {index[0] + 1}, column {index[1] + 1} must be "
            f"{one} (got {shown})")


def problem(param: str, message: str, expected: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"param": param, "message": message}
    if expected:
        out["expected"] = expected
    return out


MAX_DETAIL = 20  # problems reported at most: a body of 80,000 wrong keys gets the first 20


def validation_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn pydantic's errors into ``{"param", "expected", "message"}`` items (at most
    :data:`MAX_DETAIL`, so a pathological body costs no more to answer than to parse)."""
    detail = []
    for err in errors[:MAX_DETAIL]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        name = next((p for p in loc if not p.isdigit()), loc[0] if loc else "request")
        expected = _expected(name)
        index = [int(p) for p in loc[loc.index(name) + 1:] if p.isdigit()] if name in loc else []
        where = name + "".join(f"[{i}]" for i in index)
        if err.get("type") == "extra_forbidden":
            message, expected = f"unknown parameter {name!r}", None
        elif err.get("type") == "missing":
            message = f"{where} is required" + (f": {expected}" if expected else "")
        elif cell := _cell_message(name, index, err.get("input")):
            message = cell
        elif expected:
            message = f"{where} must be {expected}"
        else:
            message = f"{where}: {err.get('msg', 'invalid value')}"
        item = problem(name, message, expected)
        if index:
            item["index"] = index
        detail.append(item)
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

    @app.exception_handler(QueueFull)
    async def _on_queue_full(_: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": [problem("queue", str(exc))]},
                            headers={"Retry-After": str(math.ceil(exc.retry_after))})

    @app.exception_handler(HTTPException)
    async def _on_http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, (list, dict)) else str(exc.detail)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail},
                            headers=getattr(exc, "headers", None))
