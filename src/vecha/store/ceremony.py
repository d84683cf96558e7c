"""The key ceremony over the network: trustees' messages wait here until the organizer puts
the whole, checked ceremony on the board (the board takes announcements in trustee order,
and only once every trustee has confirmed).

Sealed shares are encrypted to their recipient's transport key, and each trustee is given
only the shares addressed to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.election.trustees import SealedShare, TrusteeAnnouncement, TrusteeConfirmation, announcements_digest
from vecha.errors import ElectionError
from vecha.record.ledger import Phase
from vecha.store.board import Board
from vecha.store.db import writing
from vecha.store.schema import ceremony

__all__ = ["stage", "staged", "announcements", "confirmations", "shares_for", "finish"]

KINDS = ("announcement", "shares", "confirmation")


def stage(board: Board, kind: str, trustee: int, message: Any) -> bool:
    """Keep a trustee's message, checked first. The same message again is accepted (returns
    False); a different one for a slot already taken is refused."""
    assert kind in KINDS
    m = board.ledger.defined().definition
    board.refresh()
    if board.ledger.phase is not Phase.DEFINED:
        raise ElectionError("the key ceremony is over")
    fp, n, t = board.ledger.fingerprint, m.trustees.count, m.trustees.threshold
    identities = m.trustees.identity_keys()
    if kind == "announcement":
        a = TrusteeAnnouncement.from_json(message)
        if a.index != trustee:
            raise ElectionError(f"this is trustee {a.index}'s announcement; you are trustee {trustee}")
        a.verify(fp, t, identities)
        body: Any = a.to_json()
    elif kind == "shares":
        anns = announcements(board)
        if len(anns) != n:
            raise ElectionError("wait until every trustee has announced before dealing shares")
        if not isinstance(message, list):
            raise ElectionError("expected the list of sealed shares")
        sealed = [SealedShare.from_json(x) for x in message]
        if sorted(s.recipient for s in sealed) != list(range(1, n + 1)) or any(s.sender != trustee for s in sealed):
            raise ElectionError(f"expected one share from trustee {trustee} to each of the {n} trustees")
        digest = announcements_digest(anns)
        for s in sealed:
            s.verify(fp, identities)
            if s.announcements != digest:
                raise ElectionError(f"trustee {trustee} dealt to other announcements than the ones on this box")
        body = [s.to_json() for s in sealed]
    else:
        c = TrusteeConfirmation.from_json(message)
        if c.index != trustee:
            raise ElectionError(f"this is trustee {c.index}'s confirmation; you are trustee {trustee}")
        c.verify(fp, identities)
        body = c.to_json()
    data = canonical_bytes(body)
    try:
        with writing(board.engine) as conn:
            conn.execute(ceremony.insert().values(election_id=board.election_id, kind=kind, trustee=trustee, body=data))
    except IntegrityError:
        if _get(board, kind, trustee) == data:
            return False
        raise ElectionError(f"trustee {trustee} already sent a different {kind}") from None
    return True


def _get(board: Board, kind: str, trustee: int) -> bytes | None:
    with board.engine.connect() as conn:
        row = conn.execute(
            select(ceremony.c.body).where(
                ceremony.c.election_id == board.election_id, ceremony.c.kind == kind, ceremony.c.trustee == trustee
            )
        ).first()
    return None if row is None else bytes(row[0])


def staged(board: Board, kind: str) -> list[Any]:
    with board.engine.connect() as conn:
        rows = conn.execute(
            select(ceremony.c.body)
            .where(ceremony.c.election_id == board.election_id, ceremony.c.kind == kind)
            .order_by(ceremony.c.trustee)
        )
        return [parse_canonical(bytes(r[0])) for r in rows]


def announcements(board: Board) -> list[TrusteeAnnouncement]:
    return [TrusteeAnnouncement.from_json(x) for x in staged(board, "announcement")]


def confirmations(board: Board) -> list[TrusteeConfirmation]:
    return [TrusteeConfirmation.from_json(x) for x in staged(board, "confirmation")]


def shares_for(board: Board, trustee: int) -> list[dict[str, Any]]:
    return [s for batch in staged(board, "shares") for s in batch if s["to"] == trustee]


def finish(board: Board) -> None:
    """Check the staged ceremony (naming any cheating trustee) and put it on the board."""
    from vecha.store.organizer import record_ceremony

    m = board.ledger.defined().definition
    anns, confs = announcements(board), confirmations(board)
    if len(anns) != m.trustees.count or len(confs) != m.trustees.count:
        raise ElectionError(
            f"{len(anns)} of {m.trustees.count} trustees announced and {len(confs)} confirmed; all must do both"
        )
    record_ceremony(board, anns, confs)
