"""A mirror's copy of another ballot box's board (threat model §2.1): every entry taken in
only after the board's rules and every proof check out on this copy, and the box's signed
checkpoints only when their signature and head match it.

A replica holds no board key: it signs nothing (no checkpoint, no receipt) and appends only
entries the box made, byte for byte, so anything it serves is what the box signed or can be
checked against it. Its store has the ballot box's tables (the read-only routes serve it as
they serve a box) plus a `mirrors` row naming the source.
"""

from __future__ import annotations

import threading
from time import monotonic

from sqlalchemy import Engine, insert, select

from vecha.crypto.canonical import canonical_bytes
from vecha.errors import ElectionError, RecordError
from vecha.record.checkpoint import BoardKey, Checkpoint
from vecha.record.entries import Entry, EntryType
from vecha.record.equivocation import Equivocation, equivocation_of
from vecha.record.ledger import Ledger
from vecha.store.board import Board, _identify, _insert_entry
from vecha.store.commit import GroupCommit
from vecha.store.db import writing
from vecha.store.schema import ballots, checkpoints, elections, equivocations, mirrors

__all__ = ["Replica", "is_replica"]


def is_replica(engine: Engine, election_id: str) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(mirrors.c.election_id).where(mirrors.c.election_id == election_id)).first() is not None
        )


class Replica(Board):
    """The board of `election_id` as copied from `source`; `take` adds the next entry."""

    def __init__(self, engine: Engine, election_id: str) -> None:  # a Board without its key
        self.engine = engine
        self.election_id = election_id
        with engine.connect() as conn:
            row = conn.execute(select(mirrors.c.source).where(mirrors.c.election_id == election_id)).first()
        if row is None:
            raise ElectionError(f"no mirrored election {election_id!r} in this store")
        self.source: str = row[0]
        self._lock = threading.RLock()
        self._group = GroupCommit(self._commit_locked)
        self._refreshed = 0.0
        self._sorted_credentials: list[bytes] = []
        self.ledger = self._replay()
        self.last_taken = monotonic()

    @property
    def key(self) -> BoardKey:  # type: ignore[override]
        raise ElectionError("a mirror holds no board key: it signs nothing")

    @classmethod
    def start(cls, engine: Engine, source: str, genesis: bytes) -> Replica:
        """A new replica from the box's entry 0 (its canonical JSON)."""
        entry = Entry.from_canonical(genesis)
        if entry.index != 0 or entry.type is not EntryType.ELECTION:
            raise RecordError("a board starts with its election entry")
        ledger = Ledger()
        ledger.apply(entry)
        with writing(engine) as conn:
            if conn.execute(select(elections.c.id).where(elections.c.id == entry.election)).first() is not None:
                raise ElectionError(f"this store already holds an election {entry.election!r}")
            conn.execute(insert(elections).values(id=entry.election, board_seed=b""))
            conn.execute(insert(mirrors).values(election_id=entry.election, source=source))
            _insert_entry(conn, entry)
        return cls(engine, entry.election)

    def append(self, *args: object, **kwargs: object) -> Entry:
        raise ElectionError("a mirror takes entries from its ballot box; it makes none")

    def seal(self) -> None:
        """A mirror signs no checkpoint: its copy is covered by the box's own, as far as they go."""

    def take(self, body: bytes) -> Entry:
        """Check the box's next entry (canonical JSON) with every rule and proof, then keep it
        as it is. Raises (and keeps nothing) if it is not the next entry or breaks a rule."""
        entry = Entry.from_canonical(body)
        with self._lock:
            if entry.index != self.ledger.height:
                raise RecordError(f"expected entry {self.ledger.height}, the box sent entry {entry.index}", entry.index)
            try:
                digest = self.ledger.apply(entry)
            except Exception:
                self.ledger = self._replay()  # a half-applied entry must not linger
                raise
            try:
                with writing(self.engine, lock=f"board:{self.election_id}") as conn:
                    _insert_entry(conn, entry, digest)
                    if entry.type is EntryType.BALLOT:
                        credential, tracker = _identify(entry.payload)
                        conn.execute(
                            insert(ballots).values(
                                election_id=self.election_id,
                                tracker=tracker,
                                credential=credential,
                                idx=entry.index,
                                time=entry.time,
                                channel=entry.payload["channel"],
                            )
                        )
            except BaseException:
                self.ledger = self._replay()
                raise
        self.last_taken = monotonic()
        return entry

    def take_checkpoint(self, cp: Checkpoint) -> bool:
        """Keep the box's signed checkpoint if it is new, signed by the board key and names
        this copy's head at its height; False if this copy is not there yet. Raises if it
        contradicts this copy (the box signed another history: keep the proof)."""
        if cp.election != self.election_id:
            raise RecordError(f"a checkpoint for election {cp.election!r}, not {self.election_id!r}")
        cp.verify(self.ledger.defined().board_key)
        if cp.height > self.ledger.height:
            return False
        with self.engine.connect() as conn:
            row = conn.execute(
                select(checkpoints.c.head).where(
                    checkpoints.c.election_id == self.election_id, checkpoints.c.height == cp.height
                )
            ).first()
        if row is not None:
            return False
        head = self.head_at(cp.height)
        if head != cp.head:
            raise RecordError(
                f"the box signed head {cp.head.hex()} at height {cp.height}; the board it served has {head.hex()}"
            )
        with writing(self.engine) as conn:
            conn.execute(
                insert(checkpoints).values(
                    election_id=self.election_id, height=cp.height, head=cp.head, signature=cp.signature
                )
            )
        return True

    def head_at(self, height: int) -> bytes:
        """The hash of entry `height − 1` of this copy."""
        from vecha.store.schema import entries

        with self.engine.connect() as conn:
            row = conn.execute(
                select(entries.c.hash).where(entries.c.election_id == self.election_id, entries.c.idx == height - 1)
            ).first()
        if row is None:
            raise RecordError(f"this copy has no entry {height - 1}")
        return bytes(row[0])

    def compare(self, cp: Checkpoint, peer: str) -> Equivocation | None:
        """A peer's checkpoint against this copy's: if both are the box's signatures at one
        height with different heads, the proof (kept in the store) that the box forked."""
        if cp.election != self.election_id:
            return None
        cp.verify(self.ledger.defined().board_key)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(checkpoints).where(
                    checkpoints.c.election_id == self.election_id, checkpoints.c.height == cp.height
                )
            ).first()
        if row is None:
            return None
        mine = Checkpoint(self.election_id, cp.height, bytes(row.head), bytes(row.signature))
        genesis = next(self.entry_bodies(0, 1))
        proof = equivocation_of(genesis, mine, cp)
        if proof is not None and cp.height not in {p.height for p in self.equivocations()}:
            with writing(self.engine) as conn:
                conn.execute(
                    insert(equivocations).values(
                        election_id=self.election_id,
                        height=cp.height,
                        proof=canonical_bytes(proof.to_json()),
                        peer=peer,
                    )
                )
        return proof

    def equivocations(self) -> list[Equivocation]:
        import json

        with self.engine.connect() as conn:
            rows = conn.execute(
                select(equivocations.c.proof)
                .where(equivocations.c.election_id == self.election_id)
                .order_by(equivocations.c.height)
            )
            return [Equivocation.from_json(json.loads(bytes(r[0]))) for r in rows]
