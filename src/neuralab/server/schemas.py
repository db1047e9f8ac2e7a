"""Request models derived from the parameter table (never written by hand).

A JSON body means what its schema says: a number is a JSON number (never ``true`` or
``"5"``) and a boolean a JSON boolean. Query fields are text by nature, so their models
take ``"5"`` and ``"true"`` as the table does.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from neuralab.params import Param, Scope, group


def _json_number(value: Any) -> Any:
    """Refuse what JSON would not call a number (a boolean, a text) before pydantic's own
    conversions see it."""
    if isinstance(value, (bool, str)):
        raise ValueError("a JSON number")
    return value


def _annotation(param: Param, scope: Scope, body: bool) -> Any:
    low, high = param.bounds(scope)
    if param.choices:
        return Literal[param.choices]  # type: ignore[valid-type]
    if param.kind is bool:
        return Annotated[bool, Field(strict=True)] if body else bool
    if param.kind is str:
        return Annotated[str, Field(max_length=param.max_length,
                                    pattern=param.extra.get("pattern"))]
    base = Annotated[param.kind, Field(ge=low, le=high, allow_inf_nan=False)] \
        if param.kind is float else Annotated[int, Field(ge=low, le=high)]
    if body:
        base = Annotated[base, BeforeValidator(_json_number)]
    for size in reversed(param.shape):
        base = Annotated[list[base], Field(min_length=size, max_length=size)]  # type: ignore[valid-type]
    return base


def request_model(
    lab: str, scope: Scope = "ui", *, exclude: tuple[str, ...] = (), body: bool = False,
    required: tuple[str, ...] = (),
) -> type[BaseModel]:
    """A pydantic model of lab ``lab``'s parameters with the table's ranges and defaults.

    Unknown fields are rejected, so a typo gets a 422 rather than being ignored. ``body``:
    the model of a JSON body (JSON types only); ``required``: fields without a default.
    """
    fields: dict[str, Any] = {}
    for name, param in group(lab).items():
        if name in exclude:
            continue
        fields[name] = (
            _annotation(param, scope, body),
            Field(default=... if name in required else param.default,
                  description=param.help, title=param.label or None),
        )
    model_name = "".join(part.title() for part in lab.split("_")) + "Params"
    return create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)
