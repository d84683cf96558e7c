"""What a running server holds: the store, one long-lived `Board` per election, the metrics;
and the FastAPI dependencies that hand them to the routes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from vecha.errors import ElectionError
from vecha.server.errors import ApiError
from vecha.server.limits import Limits, LimitSettings
from vecha.server.metrics import Metrics
from vecha.server.record_cache import RecordCache
from vecha.store.board import Board
from vecha.store.replica import Replica, is_replica
from vecha.store.tokens import AuthError, Grant, authenticate
from vecha.workers import BallotVerifier

__all__ = ["ServerSettings", "ServerState", "Boards", "state", "board_of", "grant_of", "BoardDep", "GrantDep"]


@dataclass(frozen=True)
class ServerSettings:
    max_body: int = 1 << 20  #: bytes; a 245-option ballot is about 290 kB
    #: bytes, for a trustee's mix or decryption of mixed ballots (a request with a token):
    #: 10,000 ballots of 11 options are about 15 MB as a mix, 45 MB as shares
    max_trustee_body: int = 512 << 20
    stream_poll: float = 0.5  #: seconds between looks at the board for a live stream
    stream_keepalive: float = 15.0
    stream_refresh: float = 5.0  #: seconds between an idle stream's looks at the store
    verify_workers: int = 0  #: processes for ballot proofs; 0: in the request's thread
    #: whether the ballots that wait for a worker are checked as one batch (spec §4.7)
    verify_batch: bool = True
    limits: LimitSettings = field(default_factory=LimitSettings)
    header_timeout: float = 10.0  #: seconds for a request's head, from connect (or the last response)
    body_timeout: float = 60.0  #: seconds for a request's whole body (a 1 MiB body on a slow link)
    idle_timeout: float = 5.0  #: seconds a keep-alive connection may sit idle between requests
    max_connections: int = 800  #: open connections, at most (a process has 1024 descriptors by default)
    max_streams: int = 100  #: live board streams at a time; more get 503
    record_cache: FsPath | None = None  #: where zipped records are kept (default: a temporary directory)
    record_builds: int = 2  #: zipped records made at the same time, at most


class Boards:
    """One `Board` per election, loaded on first use and kept (replaying a board is not free)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._boards: dict[str, Board] = {}
        self._lock = threading.Lock()

    def cached(self, election_id: str) -> Board | None:
        return self._boards.get(election_id)

    def get(self, election_id: str) -> Board:
        board = self._boards.get(election_id)
        if board is not None:
            return board
        with self._lock:
            if election_id not in self._boards:
                try:
                    kind = Replica if is_replica(self.engine, election_id) else Board
                    self._boards[election_id] = kind(self.engine, election_id)
                except ElectionError:
                    raise ApiError(404, "unknown-election", f"no election {election_id!r} on this server") from None
            return self._boards[election_id]

    def add(self, board: Board) -> None:
        with self._lock:
            self._boards[board.election_id] = board


@dataclass
class ServerState:
    engine: Engine
    settings: ServerSettings
    boards: Boards = field(init=False)
    verifier: BallotVerifier = field(init=False)
    limits: Limits = field(init=False)
    records: RecordCache = field(init=False)
    metrics: Metrics = field(default_factory=Metrics)
    open_streams: int = 0  #: live board streams (counted on the event loop's thread)

    def __post_init__(self) -> None:
        self.boards = Boards(self.engine)
        self.records = RecordCache(self.settings.record_cache, self.settings.record_builds)
        self.verifier = BallotVerifier(
            self.settings.verify_workers, self.settings.verify_batch, on_task=self.metrics.batch_size.observe
        )
        self.limits = Limits(self.settings.limits)


# The dependencies that every request resolves are `async`: FastAPI runs a plain `def` one in
# its thread pool, and two thread hops per request cost more than the work they do.
async def state(request: Request) -> ServerState:
    s: ServerState = request.app.state.vecha
    return s


StateDep = Annotated[ServerState, Depends(state)]


async def board_of(
    s: StateDep,
    election_id: Annotated[str, Path(description="the election id", pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")],
) -> Board:
    board = s.boards.cached(election_id)
    if board is not None:
        return board
    return await run_in_threadpool(s.boards.get, election_id)  # reads the store: off the event loop


_bearer = HTTPBearer(auto_error=False, description="an admin token made with `vecha token create`")


def grant_of(s: StateDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Grant:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "this needs an admin token (Authorization: Bearer ...)")
    try:
        return authenticate(s.engine, credentials.credentials)
    except AuthError:
        raise ApiError(401, "unauthorized", "unknown token") from None


BoardDep = Annotated[Board, Depends(board_of)]
GrantDep = Annotated[Grant, Depends(grant_of)]
