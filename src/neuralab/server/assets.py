"""The front end's files served from memory, gzipped once, with ETags.

A page load asks for some fifty small files. Starlette's ``StaticFiles`` stats, opens and
reads each one in a worker thread, so while trainings keep the server's threads busy, every
file of every learner's page load waits its turn for a thread and the GIL. Here each file is
read and compressed once (the whole front end is a few hundred kilobytes) and answered from
the event loop: with its gzip form when the browser accepts it, and ``304 Not Modified`` when
the browser already holds it (``Cache-Control: no-cache`` makes it ask each time, so an
upgraded lab is never served stale). A file changed on disk since it was read (someone
editing the front end) is read again; a path that is not a file under the folder when the
server starts falls through to ``fallback`` (``StaticFiles``, which guards against escapes).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

COMPRESSIBLE = (".js", ".css", ".html", ".svg", ".json", ".txt")


@dataclass(frozen=True)
class Asset:
    """One file as sent: its bytes (and gzipped bytes), type, ETag and what it was read from."""

    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was read

    @classmethod
    def read(cls, path: Path) -> Asset:
        info = path.stat()
        body = path.read_bytes()
        zipped = gzip.compress(body, 6, mtime=0) if path.suffix in COMPRESSIBLE else None
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media == "application/javascript":
            media += "; charset=utf-8"
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        return cls(body, zipped if zipped and len(zipped) < len(body) else None, media, etag,
                   (info.st_mtime_ns, info.st_size))


class Assets:
    """An ASGI app serving the files below ``folder`` (mounted at ``/static``)."""

    def __init__(self, folder: Path, fallback: ASGIApp) -> None:
        self.folder = folder
        self.fallback = fallback
        self.files = {p.relative_to(folder).as_posix(): Asset.read(p)
                      for p in sorted(folder.rglob("*")) if p.is_file()}

    def asset(self, name: str) -> Asset | None:
        asset = self.files.get(name)
        if asset is None:
            return None
        try:
            info = os.stat(self.folder / name)
        except OSError:
            return None
        if (info.st_mtime_ns, info.st_size) != asset.stamp:
            asset = self.files[name] = Asset.read(self.folder / name)
        return asset

    def response(self, asset: Asset, request: Headers, head: bool = False) -> Response:
        """``asset`` as sent to a browser that sent ``request``'s headers."""
        headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        if asset.etag in request.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request.get("accept-encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        response = Response(b"" if head else body, headers=headers, media_type=asset.media_type)
        if head:
            response.headers["Content-Length"] = str(len(body))
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asset = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            asset = self.asset(_route_path(scope).lstrip("/"))
        if asset is None:
            await self.fallback(scope, receive, send)
            return
        response = self.response(asset, Headers(scope=scope), head=scope["method"] == "HEAD")
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path below the mount point (``/static``)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root + "/") else path
