"""The OpenAPI document as the server really answers.

FastAPI documents its own 422 body (``loc``, ``msg``, ``type``); the lab answers
``{"detail": [{"param", "message", "expected"?, "index"?}]}`` (:mod:`neuralab.server.errors`),
and so do its middleware's refusals. This module swaps those schemas in and documents,
on every operation, the answers any request may get: 413 and 408 (the body limits), 422
(a bad value, or a body nested too deep), 403 (a foreign ``Host`` or ``Origin``), 401
(when the lab has a token, with its security schemes); and, where they happen, 404
(``{"detail": "..."}``, a text) and 400 (a body FastAPI could not read).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = {
    "title": "Problem",
    "type": "object",
    "description": "What is wrong with one parameter of the request, in words.",
    "properties": {
        "param": {"type": "string", "description": "The parameter (or body, message, host)"},
        "message": {"type": "string", "description": "What is wrong, for a person"},
        "expected": {"type": "string", "description": "What the parameter accepts"},
        "index": {"type": "array", "items": {"type": "integer"},
                  "description": "The cell of an array parameter, row then column"},
    },
    "required": ["param", "message"],
}
PROBLEMS = {
    "title": "Problems",
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"},
                              "minItems": 1}},
    "required": ["detail"],
}
MESSAGE = {
    "title": "Message",
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _answer(description: str, schema: str, headers: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    if headers:
        out["headers"] = headers
    return out


EVERY = {
    "403": _answer("A foreign Host or Origin", "Problems"),
    "408": _answer("The body was not received in time", "Problems"),
    "413": _answer("The body is over the size cap", "Problems"),
    "422": _answer("A parameter is out of range or of the wrong type, or the body is not "
                   "JSON or nests too deep", "Problems"),
}
NOT_FOUND = _answer("Not found (for the inside views: no comparison with these settings is "
                    "in memory; train it first)", "Message")
UNREADABLE = _answer("The body could not be read as JSON", "Message")
BUSY = _answer("Every core is busy and the queue is full", "Problems",
               {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer"}}})
NEEDS_TOKEN = _answer("The lab's token is missing or wrong", "Problems")


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with the lab's real error answers."""
    spec = get_openapi(title=app.title, version=app.version, description=app.description,
                       routes=app.routes)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(Problem=PROBLEM, Problems=PROBLEMS, Message=MESSAGE)
    token = app.state.access.token is not None
    if token:
        spec["components"]["securitySchemes"] = {
            "token": {"type": "apiKey", "in": "query", "name": "token"},
            "header": {"type": "http", "scheme": "bearer"},
        }
        spec["security"] = [{"token": []}, {"header": []}]
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            answers.update(EVERY)
            if "{" in path or path.startswith("/api/inside/") and path != "/api/inside/status":
                answers["404"] = NOT_FOUND
            if "requestBody" in operation and method == "post":
                answers["400"] = UNREADABLE
            if "503" in answers:
                answers["503"] = BUSY
            if token:
                answers["401"] = NEEDS_TOKEN
    return spec


def install(app: FastAPI) -> None:
    """Serve :func:`document` at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
