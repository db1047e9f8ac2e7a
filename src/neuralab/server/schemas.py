"""Request models derived from the parameter table (never written by hand)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from neuralab.params import Param, Scope, group


def _annotation(param: Param, scope: Scope) -> Any:
    low, high = param.bounds(scope)
    if param.choices:
        return Literal[param.choices]  # type: ignore[valid-type]
    if param.kind is bool:
        return bool
    if param.kind is str:
        return Annotated[str, Field(max_length=param.max_length)]
    base = Annotated[param.kind, Field(ge=low, le=high, allow_inf_nan=False)] \
        if param.kind is float else Annotated[int, Field(ge=low, le=high)]
    for size in reversed(param.shape):
        base = Annotated[list[base], Field(min_length=size, max_length=size)]  # type: ignore[valid-type]
    return base


def request_model(
    lab: str, scope: Scope = "ui", *, exclude: tuple[str, ...] = ()
) -> type[BaseModel]:
    """A pydantic model of lab ``lab``'s parameters with the table's ranges and defaults.

    Unknown fields are rejected, so a typo gets a 422 rather than being ignored.
    """
    fields: dict[str, Any] = {}
    for name, param in group(lab).items():
        if name in exclude:
            continue
        fields[name] = (
            _annotation(param, scope),
            Field(default=param.default, description=param.help, title=param.label or None),
        )
    model_name = "".join(part.title() for part in lab.split("_")) + "Params"
    return create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)
