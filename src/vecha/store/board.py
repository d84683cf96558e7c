"""The ballot box's store: the board of each election in SQLite or PostgreSQL (spec §8.6).

`Board` replays an election's entries from the database into a `Ledger` (its own entries
are trusted, so proofs are not re-checked on load), checks every new entry with the same
`Ledger` rules, and appends it in one transaction. A receipt is returned only after that
transaction has committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError

from vecha.crypto.canonical import parse_canonical
from vecha.crypto.errors import ElectionError, InvalidBallot
from vecha.election.ballot import Ballot
from vecha.election.manifest import Manifest
from vecha.record.checkpoint import BoardKey, Checkpoint, sign_checkpoint
from vecha.record.entries import Entry, EntryType
from vecha.record.ledger import Ledger
from vecha.record.receipt import Receipt, receipt_message
from vecha.store.schema import ballots, checkpoints, elections, entries, metadata

__all__ = ["open_store", "Board", "Receipt", "now", "CHECKPOINT_EVERY"]

CHECKPOINT_EVERY = 1000


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_store(url: str) -> Engine:
    """An engine for a database URL or a plain SQLite file path; creates the tables."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _: Any) -> None:
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # a receipt means the ballot is on disk
            cur.close()

    metadata.create_all(engine)
    return engine


class Board:
    def __init__(self, engine: Engine, election_id: str) -> None:
        self.engine = engine
        self.election_id = election_id
        with engine.connect() as conn:
            row = conn.execute(select(elections.c.board_seed).where(elections.c.id == election_id)).first()
        if row is None:
            raise ElectionError(f"no election {election_id!r} in this store")
        self.key = BoardKey(bytes(row[0]))
        self.ledger = Ledger(check_proofs=False)
        for entry in self.entries():
            self.ledger.apply(entry)
        self.ledger.check_proofs = True

    @classmethod
    def create(cls, engine: Engine, manifest: Manifest, time: str | None = None) -> Board:
        seed = secrets.token_bytes(32)
        key = BoardKey(seed)
        ledger = Ledger()
        entry = ledger.next_entry(
            EntryType.ELECTION,
            {"definition": manifest.model_dump(mode="json"), "board_key": key.public.hex()},
            time or now(),
        )
        ledger.apply(entry)
        try:
            with engine.begin() as conn:
                conn.execute(insert(elections).values(id=manifest.id, board_seed=seed))
                _insert_entry(conn, entry)
        except IntegrityError:
            raise ElectionError(f"an election with id {manifest.id!r} already exists in this store") from None
        return cls(engine, manifest.id)

    # ---- reading ----------------------------------------------------------------------

    def entries(self, start: int = 0) -> Iterator[Entry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entries.c.body)
                .where(entries.c.election_id == self.election_id, entries.c.idx >= start)
                .order_by(entries.c.idx)
            )
            for (body,) in rows:
                yield Entry.from_json(parse_canonical(bytes(body)))

    def checkpoints(self) -> list[Checkpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(checkpoints).where(checkpoints.c.election_id == self.election_id).order_by(checkpoints.c.height)
            )
            return [Checkpoint(self.election_id, r.height, bytes(r.head), bytes(r.signature)) for r in rows]

    # ---- appending --------------------------------------------------------------------

    def append(
        self,
        kind: EntryType,
        payload: dict[str, Any],
        time: str | None = None,
        checkpoint: bool = False,
        checked_ballot: tuple[Ballot, str] | None = None,
    ) -> Entry:
        """Check an entry with the board's rules, then commit it. `checked_ballot`: a ballot
        entry's ballot and tracking code that `Ledger.check_ballot` has just accepted."""
        entry = self.ledger.next_entry(kind, payload, time or max(now(), self.ledger.last_time))
        snapshot = (self.ledger.height, self.ledger.head)
        digest = self.ledger.apply(entry, checked_ballot)  # raises, naming the problem, before any write
        try:
            with self.engine.begin() as conn:
                _insert_entry(conn, entry, digest)
                if kind is EntryType.BALLOT:
                    ballot, tracker = checked_ballot or _parsed(payload)
                    conn.execute(
                        insert(ballots).values(
                            election_id=self.election_id,
                            tracker=tracker,
                            credential=ballot.credential.encoding,
                            idx=entry.index,
                        )
                    )
                if checkpoint or (entry.index + 1) % CHECKPOINT_EVERY == 0:
                    self._checkpoint(conn, entry.index + 1, digest)
        except Exception:
            # The ledger took the entry but the database did not: rebuild it from the database.
            fresh = Board(self.engine, self.election_id)
            self.ledger = fresh.ledger
            if (self.ledger.height, self.ledger.head) != snapshot:
                raise ElectionError("the board changed underneath this process; retry") from None
            raise
        return entry

    def _checkpoint(self, conn: Any, height: int, head: bytes) -> None:
        cp = sign_checkpoint(self.key, self.election_id, height, head)
        conn.execute(
            insert(checkpoints).values(election_id=self.election_id, height=height, head=head, signature=cp.signature)
        )

    def seal(self) -> None:
        """Sign a checkpoint at the current head if there is none there yet."""
        existing = self.checkpoints()
        if existing and existing[-1].height == self.ledger.height:
            return
        with self.engine.begin() as conn:
            self._checkpoint(conn, self.ledger.height, self.ledger.head)

    def cast(self, ballot_json: Any, channel: str = "app", time: str | None = None) -> Receipt:
        """Check a ballot and put it on the board; the same ballot again gets the same receipt."""
        ballot = Ballot.from_json(ballot_json)
        tracker = ballot.tracker()
        existing = self.ledger.trackers.get(tracker)
        if existing is not None:
            return self.receipt(tracker, existing)
        self.ledger.check_ballot(ballot, tracker=tracker)
        entry = self.append(
            EntryType.BALLOT, {"ballot": ballot.to_json(), "channel": channel}, time, checked_ballot=(ballot, tracker)
        )
        return self.receipt(tracker, entry.index)

    def receipt(self, tracker: str, index: int) -> Receipt:
        return Receipt(
            self.election_id, tracker, index, self.key.sign(receipt_message(self.election_id, tracker, index))
        )

    def find_tracker(self, tracker: str) -> tuple[int, bool]:
        """(board index, whether it is the ballot that counts) for a tracking code."""
        index = self.ledger.trackers.get(tracker)
        if index is None:
            raise InvalidBallot("no ballot with this tracking code is on the board")
        return index, index in self.ledger.counted_indices()


def _parsed(payload: dict[str, Any]) -> tuple[Ballot, str]:
    ballot = Ballot.from_json(payload["ballot"])
    return ballot, ballot.tracker()


def _insert_entry(conn: Any, entry: Entry, digest: bytes | None = None) -> None:
    conn.execute(
        insert(entries).values(
            election_id=entry.election,
            idx=entry.index,
            type=entry.type.value,
            time=entry.time,
            body=entry.canonical(),
            hash=digest or entry.hash(),
        )
    )
