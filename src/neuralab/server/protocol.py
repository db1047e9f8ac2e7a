"""The lab's WebSocket messages: JSON objects ``{"type": ..., "id"?: ..., "params"?: {...}}``.

A view's socket sends ``run`` (with the settings, checked against one group of the parameter
table) or ``cancel``; anything else is answered ``{"type": "error", "detail": [{"param",
"message", "expected"}]}`` like a 422, and the socket stays open. A message is at most
:data:`MAX_MESSAGE` characters and nests at most :data:`~neuralab.server.limits.MAX_DEPTH`
deep; a socket's messages are acted on at most :data:`RATE` a second (bursts of
:data:`BURST`), see :class:`RateLimit`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neuralab.params import ParamError, validate
from neuralab.server.errors import problem
from neuralab.server.limits import MAX_DEPTH, json_depth

MAX_MESSAGE = 4096  # characters; a run message is about 150
MESSAGE_TYPES = ("run", "cancel")
RATE = 20.0  # messages acted on per second, on average, per socket
BURST = 40  # messages acted on at once after a quiet spell


class RateLimit:
    """A token bucket: ``rate`` messages a second on average, up to ``burst`` at once.

    A socket over its rate is not closed: each of its messages replaces every earlier
    message, so the session keeps only the newest one and acts on it when the bucket
    allows (the others are dropped unanswered). A flood then costs the server one parse
    per ``1 / rate`` seconds, and the learner's last setting still counts.
    """

    def __init__(self, rate: float = RATE, burst: int = BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> bool:
        """Whether a message may be acted on now (it then counts against the rate)."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def wait(self) -> float:
        """Seconds until :meth:`take` will succeed."""
        self._refill()
        return max(0.0, (1 - self._tokens) / self.rate)


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
    if json_depth(text) > MAX_DEPTH:
        raise BadMessage("message", f"a message must nest at most {MAX_DEPTH} deep")
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
