"""ASGI middleware: the global ballot rate, the body size limit, strict security headers,
request metrics.

Nothing here reads or keeps the client's address or user agent."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecha.server.errors import ApiError, is_ballot_submission
from vecha.server.limits import Limits
from vecha.server.metrics import Metrics

__all__ = [
    "send_error",
    "BallotAdmission",
    "BodyLimit",
    "SecurityHeaders",
    "RequestMetrics",
    "ForgetClient",
    "SECURITY_HEADERS",
]

#: Request headers that say who or where the client is; dropped before the app sees them.
IDENTIFYING_HEADERS = frozenset({b"user-agent", b"x-forwarded-for", b"x-real-ip", b"forwarded", b"cf-connecting-ip"})

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        b"frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


async def send_error(
    send: Send, status: int, code: str, message: str, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BallotAdmission:
    """The global ballot rate (`Limits.admit`), before the body is even read: under a flood
    a refused ballot costs a token-bucket look-up."""

    def __init__(self, app: ASGIApp, limits: Limits, metrics: Metrics) -> None:
        self.app, self.limits, self.metrics = app, limits, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_ballot_submission(scope["method"], scope["path"]):
            try:
                self.limits.admit()
            except ApiError as e:
                self.metrics.rejected.labels(e.code).inc()
                wait = str(max(1, math.ceil(e.retry_after or 1))).encode()
                await send_error(send, e.status, e.code, e.message, ((b"retry-after", wait),))
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413, before the app parses any of it.
    The body is read here (bounded) and handed on whole."""

    def __init__(self, app: ASGIApp, limit: int, metrics: Metrics, trustee_limit: int | None = None) -> None:
        self.app, self.limit, self.metrics = app, limit, metrics
        self.trustee_limit = trustee_limit if trustee_limit is not None else limit

    def _limit(self, scope: Scope) -> int:
        """A trustee's mix and its decryption of the mixed ballots are large; they get the
        larger limit when they come with a token (checked by the route)."""
        large = scope["method"] == "POST" and scope["path"].endswith(("/mixes", "/decryptions"))
        if large and any(name == b"authorization" for name, _ in scope["headers"]):
            return self.trustee_limit
        return self.limit

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        if is_ballot_submission(scope["method"], scope["path"]):
            self.metrics.rejected.labels(code).inc()
        await send_error(send, status, code, message)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        too_large = f"the request body is over the limit of {limit} bytes"
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await self._refuse(scope, send, 400, "bad-request", "invalid Content-Length")
                    return
                if declared > limit:
                    await self._refuse(scope, send, 413, "too-large", too_large)
                    return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, 413, "too-large", too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, handed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal handed
            if not handed:
                handed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestMetrics:
    """Latency per route template (`/api/v1/elections/{election_id}/ballots`), never per URL."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), [500]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], path, str(status[0])).observe(time.perf_counter() - start)


class ForgetClient:
    """Removes the client's address and identifying headers from every request before
    anything else runs. The server's own access log reads the same request scope, so even a
    logging configuration that turns it on writes no address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope["client"] = None
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() not in IDENTIFYING_HEADERS]
        await self.app(scope, receive, send)
