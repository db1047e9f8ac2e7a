"""The lab's WebSocket messages: JSON objects ``{"type": ..., "id"?: ..., "params"?: {...}}``.

A view's socket sends ``run`` (with the settings, checked against one group of the parameter
table) or ``cancel``; anything else is answered ``{"type": "error", "detail": [{"param",
"message", "expected"}]}`` like a 422, and the socket stays open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from neuralab.params import ParamError, validate
from neuralab.server.errors import problem

MAX_MESSAGE = 4096  # characters; a run message is about 150
MESSAGE_TYPES = ("run", "cancel")


class BadMessage(Exception):
    """A message we cannot act on; ``detail`` says why, as a 422 would."""

    def __init__(self, param: str, message: str, expected: str | None = None) -> None:
        super().__init__(message)
        self.detail = [problem(param, message, expected)]


@dataclass(frozen=True)
class Message:
    """A checked client message: its ``type``, the client's ``id`` (or None) and, for a
    run, the validated settings."""

    type: str
    id: Any = None
    params: dict[str, Any] = field(default_factory=dict)


def parse_message(text: str, lab: str) -> Message:
    """Check one client message; ``run`` settings against ``lab``'s group (UI ranges).

    Raises :class:`BadMessage`.
    """
    if len(text) > MAX_MESSAGE:
        raise BadMessage("message", f"a message must be at most {MAX_MESSAGE} characters")
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise BadMessage("message", f"not valid JSON: {exc}") from None
    expected_type = "one of " + ", ".join(MESSAGE_TYPES)
    if not isinstance(message, dict):
        raise BadMessage("message", 'a message must be a JSON object like {"type": "run"}')
    kind = message.get("type")
    if kind not in MESSAGE_TYPES:
        raise BadMessage("type", f"type must be {expected_type} (got {kind!r})", expected_type)
    run_id = message.get("id")
    if not (run_id is None or (isinstance(run_id, (int, str)) and not isinstance(run_id, bool)
                               and len(str(run_id)) <= 64)):
        raise BadMessage("id", "id must be a number or a short text")
    params = message.get("params", {})
    if not isinstance(params, dict):
        raise BadMessage("params", f"params must be a JSON object of the {lab} settings")
    if kind == "run":
        try:
            params = validate(lab, params, scope="ui")
        except ParamError as exc:
            raise BadMessage(exc.param, str(exc), exc.expected) from None
    return Message(kind, run_id, params)


def json_default(value: Any) -> Any:
    """numpy scalars and arrays as plain numbers and lists (for ``json.dumps``)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")
