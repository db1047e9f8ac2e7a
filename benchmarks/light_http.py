"""A small HTTP/1.1 client for load generators: keep-alive connections, cookies, JSON bodies.

The class benchmark plays dozens of learners in one Python process on the same two cores as
the server. A general-purpose client (httpx) spends more CPU per request than the lab's
server does to answer it, so with 30 learners loading the page at once the generator, not
the server, set the page-load time it measured. This client does only what the generator
needs (GET/POST, Content-Length or chunked answers, the server's cookies) with little work
per request, so that the figures are the server's. Loopback only, like its callers.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit


class Response:
    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content


class LightClient:
    """``await client.request("GET", "/path", json=None)`` over at most ``connections``
    keep-alive connections to ``base`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base: str, connections: int = 6, timeout: float = 60) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._gate = asyncio.Semaphore(connections)

    async def request(self, method: str, path: str, json_body: object = None) -> Response:
        async with self._gate:
            conn = self._idle.pop() if self._idle else \
                await asyncio.open_connection(self.host, self.port)
            try:
                response = await asyncio.wait_for(self._exchange(conn, method, path, json_body),
                                                  self.timeout)
            except BaseException:
                conn[1].close()
                raise
            if response.headers.get("connection", "").lower() == "close":
                conn[1].close()
            else:
                self._idle.append(conn)
            return response

    async def _exchange(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        method: str, path: str, json_body: object) -> Response:
        reader, writer = conn
        body = b"" if json_body is None else json.dumps(json_body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Accept-Encoding: identity"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if json_body is not None or method == "POST":
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
                headers[name] = value
        if "content-length" in headers:
            content = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            content = b"".join(parts)
        else:
            content = b""
        return Response(int(status_line.split()[1]), headers, content)

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
