"""The public API: anything here can be read by anyone, and all of it is on the board or
follows from it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from vecha.crypto.canonical import parse_canonical
from vecha.errors import InvalidBallot
from vecha.record.package import make_package
from vecha.server.errors import ApiError
from vecha.server.models import BoardPage, ElectionInfo, ElectionSummary, ErrorBody, TrackerStatus
from vecha.server.state import BoardDep, StateDep
from vecha.store.board import Board, election_ids
from vecha.store.turnout import turnout

__all__ = ["router"]

router = APIRouter(tags=["public"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}
#: the largest board index a query may name: a store's integers are 64-bit, JSON's safe ones 53
MAX_INDEX = 2**53


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/elections", response_model=list[ElectionSummary])
def list_elections(s: StateDep) -> list[ElectionSummary]:
    out = []
    for eid in election_ids(s.engine):
        board = s.boards.get(eid)
        board.refresh()
        m = board.ledger.defined().definition
        out.append(
            ElectionSummary(id=eid, title=m.title, phase=board.ledger.phase.name.lower(), ballots=board.ledger.ballots)
        )
    return out


@router.get("/elections/{election_id}", response_model=ElectionInfo, responses=_NOT_FOUND)
def election_info(board: BoardDep) -> ElectionInfo:
    """The definition, the keys and where the election stands."""
    board.refresh()
    ledger = board.ledger
    genesis = ledger.defined()
    return ElectionInfo(
        id=board.election_id,
        fingerprint=ledger.fingerprint.hex(),
        phase=ledger.phase.name.lower(),
        definition=genesis.definition.model_dump(mode="json"),
        board_key=genesis.board_key.hex(),
        public_key=ledger.keyed.context.public_key.hex() if ledger.keyed is not None else None,
        height=ledger.height,
        head=ledger.head.hex(),
        credentials=len(ledger.credentials),
        ballots=ledger.ballots,
        voters=len(ledger.book.last_ballot),
    )


@router.get("/elections/{election_id}/package", responses=_NOT_FOUND)
def package(board: BoardDep) -> dict[str, Any]:
    """The election package (spec §8.7): what a voter's device or a trustee needs. Check it
    yourself: loading it replays the board's rules over its entries."""
    board.refresh()
    if board.ledger.keyed is None:
        raise ApiError(409, "no-key-yet", "the trustees' key ceremony is not on the board yet")
    return make_package(board.entries())


@router.get("/elections/{election_id}/credentials", responses=_NOT_FOUND)
def credentials(
    board: BoardDep,
    start: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100_000,
) -> dict[str, Any]:
    """The public credential list (no names), sorted, a page at a time."""
    board.refresh()
    listed = board.listed_credentials()
    return {
        "election": board.ledger.fingerprint.hex(),
        "total": len(listed),
        "start": start,
        "credentials": [c.hex() for c in listed[start : start + limit]],
    }


@router.get("/elections/{election_id}/board", response_model=BoardPage, responses=_NOT_FOUND)
def board_page(
    board: BoardDep,
    start: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> BoardPage:
    """Entries `start` .. `start + limit - 1` of the board, exactly as they are hashed."""
    bodies = list(board.entry_bodies(start, limit))
    return BoardPage(start=start, height=board.stored_height(), entries=[parse_canonical(b) for b in bodies])


@router.get(
    "/elections/{election_id}/board/stream",
    responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events, one per entry"}},
)
async def board_stream(
    request: Request,
    board: BoardDep,
    s: StateDep,
    since: Annotated[int, Query(ge=0, le=MAX_INDEX, description="the first board index to send")] = 0,
) -> StreamingResponse:
    """Every entry from `since` on, then each new entry as it is appended (server-sent events:
    `id` is the board index, `data` the entry's canonical JSON). At most `max_streams` at a
    time (503 `busy` beyond): each one costs the server a task."""
    settings = s.settings
    if s.open_streams >= settings.max_streams:
        raise ApiError(503, "busy", "too many live streams of the board; page through it instead", 10.0)

    async def events() -> AsyncIterator[bytes]:
        s.open_streams += 1  # the event loop's thread alone counts: no lock
        try:
            index, quiet_since, looked = since, time.monotonic(), 0.0
            while not await request.is_disconnected():
                # An idle stream asks the store only when this process appended something, or
                # every `stream_refresh` seconds (for entries other processes appended).
                now = time.monotonic()
                if board.ledger.height > index or now - looked >= settings.stream_refresh:
                    looked = now
                    bodies = await run_in_threadpool(_page, board, index)
                    for body in bodies:
                        yield b"id: %d\nevent: entry\ndata: %s\n\n" % (index, body)
                        index += 1
                    if bodies:
                        quiet_since = time.monotonic()
                        continue
                if time.monotonic() - quiet_since >= settings.stream_keepalive:
                    yield b": keep-alive\n\n"
                    quiet_since = time.monotonic()
                await asyncio.sleep(settings.stream_poll)
        finally:
            s.open_streams -= 1

    return StreamingResponse(events(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})


def _page(board: Board, start: int) -> list[bytes]:
    return list(board.entry_bodies(start, 500))


@router.get("/elections/{election_id}/checkpoints", responses=_NOT_FOUND)
def checkpoints(board: BoardDep) -> list[dict[str, Any]]:
    """The board's signed checkpoints: compare them with a mirror's to detect a rewritten history."""
    return [c.to_json() for c in board.checkpoints()]


@router.get("/elections/{election_id}/trackers/{tracker}", response_model=TrackerStatus, responses=_NOT_FOUND)
def find_tracker(
    board: BoardDep,
    tracker: Annotated[str, Path(max_length=200, description="the tracking code from a receipt: 64 hex digits")],
) -> TrackerStatus:
    """Is the ballot with this tracking code on the board, and is it the one that counts
    (its credential's last ballot)?"""
    code = tracker.lower()
    if not re.fullmatch(r"[0-9a-f]{64}", code):  # the CLI's message, for the same mistake
        raise ApiError(422, "invalid-tracker", "a tracking code is 64 hexadecimal digits (as on the receipt)")
    try:
        index, counts = board.find_tracker(code)
    except InvalidBallot as e:
        raise ApiError(404, "unknown-tracker", str(e)) from None
    return TrackerStatus(tracker=code, index=index, counts=counts)


@router.get("/elections/{election_id}/turnout", responses=_NOT_FOUND)
def election_turnout(board: BoardDep, s: StateDep) -> dict[str, Any]:
    """Ballots and distinct credentials (voters) per hour and per day (UTC), per channel."""
    board.refresh()
    figures = turnout(s.engine, board.election_id, len(board.ledger.credentials) or len(board.ledger.book.roll_seen))
    if board.ledger.defined().definition.coercion:  # ballots show no credential: voters are not counted
        figures["voters"] = None
        for bucket in (*figures["channels"].values(), *figures["hours"], *figures["days"]):
            bucket["voters"] = None
    return figures


@router.get("/elections/{election_id}/result", responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody}})
def result(board: BoardDep) -> dict[str, Any]:
    board.refresh()
    if board.ledger.result is None:
        raise ApiError(409, "no-result-yet", "the result is not published yet")
    return board.ledger.result


@router.get(
    "/elections/{election_id}/record",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "the record directory, zipped"}},
)
def record(board: BoardDep, s: StateDep) -> FileResponse:
    """The election record (spec §8.5) up to the board's latest signed checkpoint, as a zip
    file for `vecha verify`: made once per checkpoint and then served from the cache (a public
    read writes nothing to the board)."""
    archive = s.records.zip_for(board)
    return FileResponse(archive, media_type="application/zip", filename=f"{board.election_id}-record.zip")


def metrics(s: StateDep) -> Response:
    """Prometheus metrics (served at /metrics)."""
    return Response(s.metrics.render(), media_type="text/plain; version=0.0.4")
