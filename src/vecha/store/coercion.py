"""A coercion-resistant election's steps on a board (spec §6.10, §7.6): roll entries, then,
after the close, the trustees' mixes, raisings and tag decryptions. The board's rules
(`vecha.record.coercion_count`) decide what comes next and check it."""

from __future__ import annotations

from typing import Any

from vecha.election.coercion_roll import RollEntry
from vecha.errors import ElectionError, InvalidEncoding
from vecha.record.entries import Entry, EntryType
from vecha.record.ledger import Phase
from vecha.store.board import Board
from vecha.store.commit import AlreadyThere

__all__ = ["register_roll_entry", "add_count_entry"]

COUNT_ENTRIES = (EntryType.MIX, EntryType.RAISING, EntryType.TAG_DECRYPTION)


def register_roll_entry(board: Board, payload: Any) -> bool:
    """Put a roll entry on the board, its proof and signatures verified first (outside the
    lock). Returns False if it is on the roll already (the same entry again changes nothing)."""
    board.refresh()
    entry = RollEntry.from_json(payload, board.ledger.registration())
    encoding = entry.credential.alpha.encoding + entry.credential.beta.encoding
    if encoding in board.ledger.book.roll_seen:
        return False

    def not_yet() -> None:
        if encoding in board.ledger.book.roll_seen:
            raise AlreadyThere(-1)

    try:
        board.append(EntryType.ROLL_ENTRY, entry.to_json(), precheck=not_yet)
    except AlreadyThere:
        return False
    return True


def add_count_entry(board: Board, kind: EntryType, payload: dict[str, Any] | bytes, trustee: int | None = None) -> None:
    """Put a trustee's mix, raising or tag decryption on the board after the board's rules
    checked it. `trustee`, if given, is who sent it, whom the entry must name."""
    if kind not in COUNT_ENTRIES:
        raise InvalidEncoding(f"a coercion-resistant election's count takes {[k.value for k in COUNT_ENTRIES]}")
    board.refresh()
    if board.ledger.coercion is None or board.ledger.phase not in (Phase.CLOSED, Phase.MIXING):
        raise ElectionError("the count's mixes, raisings and tag decryptions come after the close")
    member = "mixer" if kind is EntryType.MIX else "trustee"

    def sent_by(entry: Entry) -> None:
        if trustee is not None and entry.payload.get(member) != trustee:
            raise InvalidEncoding(f"the entry does not name trustee {trustee}, who sent it")

    board.append(kind, payload, checkpoint=True, entry_check=sent_by)
