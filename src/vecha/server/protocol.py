"""How the server holds connections: deadlines for a request's head and body, an idle
timeout between requests, and a cap on open connections.

uvicorn closes an idle keep-alive connection, but waits for ever for a request's headers or
body: a client that sends them a byte at a time holds a connection, and a file descriptor,
as long as it likes (1,100 such clients took every descriptor of a server). Here each
connection has one deadline at a time: `header_timeout` seconds from the moment it opens
(or its last response ends) until the request's head is complete, then `body_timeout`
seconds for the whole body. A connection that misses its deadline is closed. Past
`max_connections` open connections a new one is closed as soon as it is accepted, and
requests beyond that many at a time get uvicorn's 503.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from vecha.server.state import ServerSettings

__all__ = ["GuardedH11Protocol", "uvicorn_config"]


class GuardedH11Protocol(H11Protocol):
    header_timeout = 10.0
    body_timeout = 60.0
    max_connections = 800

    _deadline: asyncio.TimerHandle | None = None
    _phase: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:  # closed at once: descriptors are finite
            transport.close()
            return
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def _watch(self) -> None:
        """Set the deadline of the phase the client's side is in (once per phase)."""
        phase = self.conn.their_state
        if phase is self._phase:
            return
        self._phase = phase
        self._cancel()
        if self.transport.is_closing():
            return
        if phase is h11.IDLE:
            self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)
        elif phase is h11.SEND_BODY:
            self._deadline = self.loop.call_later(self.body_timeout, self._too_slow)

    def _cancel(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, settings: ServerSettings, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of a Vecha server, with its deadlines and caps."""

    class Protocol(GuardedH11Protocol):
        header_timeout = settings.header_timeout
        body_timeout = settings.body_timeout
        max_connections = settings.max_connections

    return uvicorn.Config(
        app,
        http=Protocol,
        timeout_keep_alive=max(1, round(settings.idle_timeout)),
        limit_concurrency=settings.max_connections,
        access_log=False,
        server_header=False,
        **options,
    )
