"""A real ballot box server on loopback, in a background thread, for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn
from sqlalchemy import Engine
from starlette.types import ASGIApp

from vecha.server import ServerSettings, create_app
from vecha.server.protocol import uvicorn_config

__all__ = ["LiveServer"]


class LiveServer:
    """`with LiveServer(engine) as server:` serves on `server.url` until the block ends."""

    def __init__(
        self,
        engine: Engine,
        settings: ServerSettings | None = None,
        log_level: str = "warning",
        wrap: Callable[[ASGIApp], ASGIApp] | None = None,
        app: ASGIApp | None = None,
    ) -> None:
        """`wrap`: something put between the clients and the ballot box (attack tests: a relay);
        `app`: another service to serve instead of the ballot box (the registrar's)."""
        settings = settings or ServerSettings()
        self.app: ASGIApp = app if app is not None else create_app(engine, settings)
        if wrap is not None:
            self.app = wrap(self.app)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn_config(self.app, settings, log_level=log_level)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()
