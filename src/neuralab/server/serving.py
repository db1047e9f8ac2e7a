"""How the lab is served: uvicorn's settings for a class, in one place (the CLI and the tests).

- A connection must finish sending a request's headers within ``header_timeout`` seconds
  from its start (or from the end of its previous answer): a client sending headers one
  byte at a time is closed (uvicorn has no such timeout of its own).
- WebSockets are pinged every ``ws_ping`` seconds and closed when a pong does not come
  back within as long, so a vanished tab's training stops within twice that.
- A WebSocket frame over :data:`WS_MAX_BYTES` closes the socket (1009); the lab's own
  messages are far smaller.
- On SIGTERM or Ctrl+C, requests still running after ``grace`` seconds are cancelled (and
  with them their trainings), so the server stops promptly whatever is training.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 10.0  # seconds to send a request's headers
WS_PING = 1.5  # seconds between pings, and to answer one
WS_MAX_BYTES = 64 * 1024
GRACE = 1  # seconds (uvicorn takes an int) that requests get to finish on shutdown


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections whose headers take too long."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_timer()  # the next request on this connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def protocol(header_timeout: float = HEADER_TIMEOUT) -> type[HeaderTimeoutProtocol]:
    """The protocol class with its own ``header_timeout`` (seconds)."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,),
                {"header_timeout": header_timeout})


def config(app: Any, *, header_timeout: float = HEADER_TIMEOUT, ws_ping: float = WS_PING,
           grace: int = GRACE, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for the lab (``options`` go to :class:`uvicorn.Config` as is)."""
    return uvicorn.Config(
        app, http=protocol(header_timeout), ws_ping_interval=ws_ping, ws_ping_timeout=ws_ping,
        ws_max_size=WS_MAX_BYTES, timeout_graceful_shutdown=grace, **options)
