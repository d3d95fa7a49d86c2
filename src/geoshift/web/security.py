"""Who may talk to the server, and how much they may send.

Bound to loopback (127.0.0.1, localhost, ::1) the server needs no token; bound to any other address it refuses
to start without one. With a token, every request (API and pages) must carry ``Authorization: Bearer TOKEN``
(compared in constant time); a browser may open a page once with ``?token=TOKEN``, which sets an HttpOnly cookie
for the later requests. Anything else gets 401 JSON. Request bodies over ``Limits.max_body_bytes`` get 413 before
the app reads them.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from geoshift.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")
COOKIE = "geoshift_token"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def check_bind(host: str, token: str | None) -> None:
    """Refuse (one line) to serve a non-loopback address without a token."""
    if host.strip().lower().strip("[]") not in LOOPBACK and not token:
        raise InputError(f"--host {host}: serving on an address other than {', '.join(LOOPBACK)} needs a token "
                         f"(--token TOKEN or $GEOSHIFT_TOKEN); every request must then carry 'Authorization: "
                         f"Bearer TOKEN'")


def same_token(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


async def send_error(send: Send, status: int, message: str, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message, "status": status}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


class TokenGate:
    """ASGI middleware: 401 JSON for every HTTP request without the bearer token (or the cookie it set)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and same_token(given.strip(), self.token):
            await self.app(scope, receive, send)
            return
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
        except Exception:  # a malformed cookie header is no token
            cookie = SimpleCookie()
        if COOKIE in cookie and same_token(cookie[COOKIE].value, self.token):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["method"] == "GET" and same_token((query.get("token") or [None])[0], self.token):
            await self.app(scope, receive, self._with_cookie(send))
            return
        await send_error(send, 401, f"{scope['method']} {scope['path']}: this server needs its token: send "
                         f"'Authorization: Bearer TOKEN' (or open a page once with ?token=TOKEN)",
                         [(b"www-authenticate", b"Bearer")])

    def _with_cookie(self, send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode("latin-1")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value)]}
            await send(message)

        return wrapped


class BodyLimit:
    """ASGI middleware: 413 JSON for a request body over ``max_bytes`` (declared or sent), before the app reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _too_large(self, size: int | str) -> str:
        return (f"request body of {size} bytes is over this server's limit Limits.max_body_bytes = "
                f"{self.max_bytes:,} bytes; send a smaller scenario")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _headers(scope).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await send_error(send, 400, f"Content-Length {declared.decode('latin-1')!r} is not a number")
                return
            if size > self.max_bytes:
                await send_error(send, 413, self._too_large(size))
                return
        chunks: list[bytes] = []
        received = 0
        while True:  # read the body here (bounded), then hand it to the app
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_bytes:
                await send_error(send, 413, self._too_large(f"more than {self.max_bytes:,}"))
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}],
                                      receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
