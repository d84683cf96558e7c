"""The organizer's steps on a board: ceremony, credentials, open, close, tally, result, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from vecha.crypto.encoding import point_from_hex
from vecha.crypto.errors import ElectionError, InvalidEncoding
from vecha.election.counting import aggregate_to_json
from vecha.election.trustees import TrusteeAnnouncement, TrusteeConfirmation, check_ceremony
from vecha.record.archive import RecordWriter
from vecha.record.entries import EntryType
from vecha.record.ledger import CREDENTIALS_PER_ENTRY, Phase
from vecha.store.board import Board
from vecha.verify.parallel import Workers, sum_counted

__all__ = [
    "record_ceremony",
    "publish_credentials",
    "open_voting",
    "close_voting",
    "tally",
    "add_decryption",
    "publish_result",
    "export_record",
]


def record_ceremony(
    board: Board, announcements: Sequence[TrusteeAnnouncement], confirmations: Sequence[TrusteeConfirmation]
) -> None:
    """Check the whole ceremony first (naming any cheating trustee), then put it on the board."""
    m = board.ledger.manifest
    assert m is not None
    if board.ledger.phase is not Phase.DEFINED:
        raise ElectionError("the key ceremony is already on the board")
    key = check_ceremony(
        board.ledger.fingerprint, m.trustees.threshold, m.trustees.identity_keys(), announcements, confirmations
    )
    for a in sorted(announcements, key=lambda a: a.index):
        board.append(EntryType.TRUSTEE, a.to_json())
    for c in sorted(confirmations, key=lambda c: c.index):
        board.append(EntryType.TRUSTEE_CONFIRMATION, c.to_json())
    board.append(EntryType.JOINT_KEY, {"public_key": key.hex()}, checkpoint=True)


def publish_credentials(board: Board, public_credentials: Sequence[str]) -> int:
    for i, c in enumerate(public_credentials):
        point_from_hex(c, f"public credential {i}", nonidentity=True)
    unique = sorted(set(public_credentials))
    if len(unique) != len(public_credentials):
        raise InvalidEncoding("the credential list has duplicates")
    for start in range(0, len(unique), CREDENTIALS_PER_ENTRY):
        board.append(EntryType.CREDENTIALS, {"credentials": unique[start : start + CREDENTIALS_PER_ENTRY]})
    return len(unique)


def open_voting(board: Board) -> None:
    board.append(EntryType.OPEN, {}, checkpoint=True)


def close_voting(board: Board) -> None:
    board.append(EntryType.CLOSE, {}, checkpoint=True)


def tally(
    board: Board,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Sum the counted ballots (last per credential) and put the aggregate on the board: in
    chunks, on `workers` local processes or on `executor` (a Dask cluster's, say)."""
    ledger = board.ledger
    if ledger.phase is not Phase.CLOSED:
        raise ElectionError("close the election before tallying")
    pool = Workers(workers, executor)
    bodies = board.entry_bodies()
    try:
        aggregate = sum_counted(ledger.context(), ledger.counted_indices(), enumerate(bodies), pool, progress)
    finally:
        bodies.close()  # the sum stops at the last counted ballot: end the read before appending
        pool.close()
    payload = {"counted": len(ledger.last_ballot), "aggregate": aggregate_to_json(aggregate)}
    entry = board.append(EntryType.TALLY, payload, checkpoint=True)
    return entry.to_json()


def add_decryption(board: Board, trustee: int, shares: Any) -> None:
    board.append(EntryType.DECRYPTION, {"trustee": trustee, "shares": shares})


def publish_result(board: Board) -> dict[str, Any]:
    result = board.ledger.expected_result()
    board.append(EntryType.RESULT, result, checkpoint=True)
    return result


def export_record(board: Board, directory: Path) -> int:
    board.seal()
    return RecordWriter(directory).write(board.entries(), board.checkpoints(), board.ledger.result)
