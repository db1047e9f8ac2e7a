"""Limits on what one client may make the server do: body size, reading time, JSON nesting.

:class:`BodyLimit` is ASGI middleware in front of every route. A request body over
``max_bytes`` is answered 413 before any of it is parsed (at once when its
``Content-Length`` says so, else as soon as the count passes the cap); a body not received
within ``timeout`` seconds is answered 408; a body that may be read as JSON (any but
images and other :data:`BINARY` types) nested deeper than :data:`MAX_DEPTH`, or with more
than :data:`MAX_KEYS` keys (each unknown key would cost an error to build), is answered
422. The routes then parse a body known to be small and flat,
so parsing costs at most milliseconds and can never overflow Python's stack (a 500).

:func:`json_depth` is the same nesting check, for the WebSocket messages.
"""

from __future__ import annotations

import asyncio
import json
import re

import numpy as np
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1024 * 1024  # bytes; the largest real body (a 512 KiB PNG drawing) fits
BODY_TIMEOUT = 30.0  # seconds to receive a whole body
MAX_DEPTH = 32  # JSON nesting; the lab's deepest body (28x28 pixels in an object) is 3
MAX_KEYS = 256  # object keys in a whole body; the lab's largest body has 9
# Bodies never read as JSON; any other may be (FastAPI reads one without a Content-Type).
BINARY = ("image/", "application/octet-stream", "multipart/", "audio/", "video/")

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_STEP = np.zeros(256, np.int8)  # +1 for an opening bracket, -1 for a closing one
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1


def json_depth(raw: bytes | str) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar).

    Brackets inside strings do not count. Linear and vectorized: about a millisecond a
    megabyte, whatever the text, valid JSON or not.
    """
    return json_shape(raw)[0]


def json_shape(raw: bytes | str) -> tuple[int, int]:
    """A JSON text's nesting depth and its number of object keys (``:`` outside strings),
    in one linear pass (see :func:`json_depth`)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "replace")
    if raw.count(b"[") + raw.count(b"{") <= 1 and b'"' not in raw:
        return raw.count(b"[") + raw.count(b"{"), 0
    bare = _STRING.sub(b'""', raw)
    chars = np.frombuffer(bare, np.uint8)
    return int(np.cumsum(_STEP[chars], dtype=np.int32).max(initial=0)), bare.count(b":")


class BodyLimit:
    """ASGI middleware: a capped, timed, flatness-checked request body for every route."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY,
                 timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is None and "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)  # no body
            return
        if declared is not None and (not declared.strip().isdigit()
                                     or int(declared) > self.max_bytes):
            await _answer(send, 413, "body", f"the body is {declared.strip()[:20]} bytes; "
                          f"it must be at most {self.max_bytes}")
            return
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout)
        except _TooLarge:
            await _answer(send, 413, "body", f"the body is over {self.max_bytes} bytes")
            return
        except _Gone:
            return  # the client left: nobody to answer
        except asyncio.TimeoutError:
            await _answer(send, 408, "body", f"the body was not received within "
                          f"{self.timeout:g} seconds")
            return
        kind = headers.get("content-type", "").lower()
        depth, keys = (0, 0) if kind.startswith(BINARY) else json_shape(body)
        if depth > MAX_DEPTH:
            await _answer(send, 422, "body", f"the body nests arrays and objects more than "
                          f"{MAX_DEPTH} deep", expected=f"JSON nested at most {MAX_DEPTH} deep")
            return
        if keys > MAX_KEYS:
            await _answer(send, 422, "body", f"the body has more than {MAX_KEYS} keys",
                          expected=f"JSON with at most {MAX_KEYS} keys")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the client's disconnect

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone()
            chunks.extend(message.get("body", b""))
            if len(chunks) > self.max_bytes:
                raise _TooLarge()
            if not message.get("more_body", False):
                return bytes(chunks)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


async def _answer(send: Send, status: int, param: str, message: str,
                  expected: str | None = None) -> None:
    problem = {"param": param, "message": message, **({"expected": expected} if expected else {})}
    body = json.dumps({"detail": [problem]}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
