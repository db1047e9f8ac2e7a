"""Who may use the lab: a ``Host`` allow-list, same-origin checks and, off loopback, a token.

A lab bound to loopback answers only to loopback names (``localhost``, ``127.0.0.1``,
``::1``), so a web page the learner visits cannot reach it through DNS rebinding; and every
WebSocket and every state-changing request (anything but GET, HEAD, OPTIONS) must come from
the lab's own page (an ``Origin`` header, when sent, naming this very server), so such a
page cannot drive it either. Requests without ``Origin`` come from programs (curl, a
notebook), which a browser page cannot forge.

A lab bound to another address (a class: ``neuralab --host 0.0.0.0``) also requires a token,
as Jupyter does: in the query (``?token=...``, the URL the server prints), in an
``Authorization: token ...`` (or ``Bearer``) header, or in the cookie the server sets on the
first visit with the token, so the page's own requests and WebSockets carry it. The token
guards everything, ``/docs`` and ``/openapi.json`` included. It is compared in constant time.

:class:`AccessGuard` is plain ASGI middleware, so the same checks cover HTTP and WebSockets.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ANY_HOST = "*"


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the lab on this computer."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random token (48 hex digits, as Jupyter's)."""
    return secrets.token_hex(24)


def reachable_addresses(host: str) -> list[str]:
    """The addresses other computers can use to reach a server bound to ``host``.

    For a wildcard bind (``0.0.0.0``, ``::``) these are this machine's own non-loopback
    addresses, found from its name and from the route the system would use (a UDP socket
    is connected, which sends nothing); otherwise ``host`` itself.
    """
    if host not in ("0.0.0.0", "::", ""):
        return [host]
    found: list[str] = []
    names = {socket.gethostname()}
    for name in names:
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            continue
        found += [str(info[4][0]) for info in infos]
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))  # no packet is sent: this only picks a route
                found.append(str(s.getsockname()[0]))
        except OSError:
            continue
    wanted = socket.AF_INET6 if host == "::" else None
    out: list[str] = []
    for address in found:
        address = address.split("%", 1)[0]
        if is_loopback(address) or address in out:
            continue
        if wanted is None and ":" in address:
            continue  # a 0.0.0.0 bind serves IPv4 only
        out.append(address)
    return out


def split_host(value: str) -> str:
    """The host name of a ``Host`` header (``name:port``, ``[v6]:port``), lower-case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


@dataclass(frozen=True)
class Access:
    """The lab's access policy: the host names it answers to, and its token (or None)."""

    hosts: frozenset[str] = LOOPBACK_NAMES
    token: str | None = None

    @classmethod
    def for_bind(cls, host: str, *, token: str | None = None,
                 allow_hosts: Iterable[str] = (),
                 addresses: Iterable[str] = ()) -> Access:
        """The policy of a server bound to ``host``: loopback names, the bound and
        ``addresses`` (the machine's reachable ones), this machine's name, and
        ``allow_hosts`` (``*`` allows any). A non-loopback bind always has a token
        (``token``, or a new one)."""
        hosts = set(LOOPBACK_NAMES)
        hosts.update(h.strip("[]").lower() for h in (host, *addresses) if h)
        if not is_loopback(host):
            hosts.add(socket.gethostname().lower())  # (no DNS lookup: it can stall)
            token = token or new_token()
        hosts.update(h.strip().strip("[]").lower() for h in allow_hosts if h.strip())
        hosts.discard("0.0.0.0")
        hosts.discard("::")
        return cls(frozenset(hosts), token or None)

    def allows_host(self, header: str) -> bool:
        return ANY_HOST in self.hosts or split_host(header) in self.hosts

    def accepts(self, given: str | None) -> bool:
        """Whether ``given`` is the token (always, when there is none)."""
        if self.token is None:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def cookie_name(scope: Scope) -> str:
    """One cookie per port: cookies ignore ports, and two labs may run on one computer."""
    server = scope.get("server") or ("", 0)
    return f"neuralab-token-{server[1]}"


def _same_origin(origin: str, scheme: str, host: str) -> bool:
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    default = 443 if parts.scheme == "https" else 80
    own = urlsplit(f"{scheme}://{host}")
    try:
        own_port = own.port
    except ValueError:
        return False
    return (parts.scheme == scheme and parts.hostname == own.hostname
            and (port or default) == (own_port or default))


def _problem(param: str, message: str) -> bytes:
    return json.dumps({"detail": [{"param": param, "message": message}]}).encode()


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>neuralab: token needed</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>This lab needs its token</h1>
<p>Open the link your teacher shared (it ends in <code>?token=&hellip;</code>), or type the
token the server printed.</p>
<form method="get" action="{action}"><label>Token
<input name="token" autocomplete="off" required></label> <button>Open the lab</button></form>
</body></html>
"""


class AccessGuard:
    """ASGI middleware applying an :class:`Access` policy to every request and WebSocket.

    A foreign ``Host`` or ``Origin`` is answered 403; a missing or wrong token 401 (a page
    asking for the token, for a browser). A right token in the query sets the cookie; on a
    page (GET with ``text/html`` accepted) the browser is sent on to the same URL without
    the token, so links copied from the address bar do not carry it by accident.
    """

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not self.access.allows_host(host):
            await self._refuse(scope, send, 403, "host",
                               f"this lab does not answer to the host {host!r}; start it "
                               "with --allow-host to add a name")
            return
        origin = headers.get("origin")
        if ((scope["type"] == "websocket" or scope["method"] not in SAFE_METHODS)
                and origin is not None and not _same_origin(origin, scope["scheme"], host)):
            await self._refuse(scope, send, 403, "origin",
                               f"requests from {origin!r} are not allowed: only the lab's "
                               "own page may change things or open a WebSocket")
            return
        if self.access.token is None:
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                               keep_blank_values=True))
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header counts as no cookie
            cookie = SimpleCookie()
        name = cookie_name(scope)
        from_cookie = cookie[name].value if name in cookie else None
        scheme_word, _, from_header = headers.get("authorization", "").partition(" ")
        if scheme_word.lower() not in ("token", "bearer"):
            from_header = ""
        from_query = query.get("token")
        if not any(self.access.accepts(given) for given in
                   (from_query, from_header.strip() or None, from_cookie)):
            await self._refuse(scope, send, 401, "token",
                               "this lab server needs its token: open the URL it printed "
                               "(it ends in ?token=...)")
            return
        if from_query is not None:  # the routes never see it (their fields are checked)
            scope = {**scope, "query_string": urlencode(
                [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode(
                    "latin-1"), keep_blank_values=True) if k != "token"]).encode("latin-1")}
        if from_query is None or not self.access.accepts(from_query) or from_cookie == \
                from_query or scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        set_cookie = (f"{name}={from_query}; Path=/; HttpOnly; SameSite=Lax").encode("latin-1")
        if scope["method"] == "GET" and "text/html" in headers.get("accept", ""):
            rest = scope["query_string"].decode("latin-1")
            location = scope["path"] + (f"?{rest}" if rest else "")
            await send({"type": "http.response.start", "status": 303, "headers": [
                (b"location", location.encode("latin-1")), (b"set-cookie", set_cookie),
                (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", set_cookie)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _refuse(self, scope: Scope, send: Send, status: int, param: str,
                      message: str) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting: the server answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
            return
        headers: list[tuple[bytes, bytes]]
        accept = Headers(scope=scope).get("accept", "")
        if status == 401 and scope["method"] == "GET" and "text/html" in accept:
            body = LOGIN_PAGE.format(action=html.escape(scope["path"])).encode()
            headers = [(b"content-type", b"text/html; charset=utf-8")]
        else:
            body = _problem(param, message)
            headers = [(b"content-type", b"application/json")]
        if status == 401:
            headers.append((b"www-authenticate", b'Token realm="neuralab"'))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

