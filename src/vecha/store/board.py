"""The ballot box's store: the board of each election in SQLite or PostgreSQL (spec §8.6).

`Board` replays an election's entries from the database into a `Ledger` (its own entries
are trusted, so proofs are not re-checked on load), checks every new entry with the same
`Ledger` rules, and appends it in one transaction. A receipt is returned only after that
transaction has committed.

Several threads of one server and several servers over one database can append at once:
each append holds the election's write lock, first takes in the entries that others
appended, then checks and writes. The costly part of a ballot (its signature and proofs)
is checked before, outside the lock: it depends only on the election's key.

Here: loading and replaying, reading, appending and checkpoints. Casting ballots (and
their receipts) is in `casting.py`; the batch of entries and group commit in `commit.py`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from time import monotonic
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from vecha.election.ballot import Ballot, tracker_of_json
from vecha.election.definition import Definition
from vecha.errors import ElectionError, InvalidBallot
from vecha.record.checkpoint import BoardKey, Checkpoint, sign_checkpoint
from vecha.record.entries import Entry, EntryType
from vecha.record.ledger import Ledger
from vecha.record.receipt import Receipt
from vecha.store.casting import Casting
from vecha.store.commit import AlreadyThere, GroupCommit, Pending
from vecha.store.db import now, open_store, writing
from vecha.store.schema import ballots, checkpoints, elections, entries

__all__ = ["open_store", "Board", "Receipt", "now", "CHECKPOINT_EVERY", "election_ids"]

CHECKPOINT_EVERY = 1000


def election_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(elections.c.id).order_by(elections.c.id))]


class Board(Casting):
    def __init__(self, engine: Engine, election_id: str) -> None:
        self.engine = engine
        self.election_id = election_id
        with engine.connect() as conn:
            row = conn.execute(select(elections.c.board_seed).where(elections.c.id == election_id)).first()
        if row is None:
            raise ElectionError(f"no election {election_id!r} in this store")
        self.key = BoardKey(bytes(row[0]))
        self._lock = threading.RLock()
        self._group = GroupCommit(self._commit_locked)
        self._refreshed = 0.0
        self._sorted_credentials: list[bytes] = []
        self.ledger = self._replay()

    def _replay(self) -> Ledger:
        ledger = Ledger(check_proofs=False)
        for entry in self.entries():
            ledger.apply(entry)
        ledger.check_proofs = True
        return ledger

    @classmethod
    def create(
        cls, engine: Engine, definition: Definition, time: str | None = None, booth: dict[str, str] | None = None
    ) -> Board:
        """A new election's board. `booth`: the booth's files (path → SHA-256) to pin in
        entry 0 (spec §8.7), so that anyone can tell a changed booth from the one voters
        were meant to get."""
        seed = secrets.token_bytes(32)
        key = BoardKey(seed)
        ledger = Ledger()
        payload: dict[str, Any] = {"definition": definition.model_dump(mode="json"), "board_key": key.public.hex()}
        if booth:
            payload["booth"] = {"files": dict(booth)}
        entry = ledger.next_entry(EntryType.ELECTION, payload, time or now())
        ledger.apply(entry)
        try:
            with writing(engine) as conn:
                conn.execute(insert(elections).values(id=definition.id, board_seed=seed))
                _insert_entry(conn, entry)
        except IntegrityError:
            raise ElectionError(f"an election with id {definition.id!r} already exists in this store") from None
        return cls(engine, definition.id)

    # ---- reading ----------------------------------------------------------------------

    def entries(self, start: int = 0, limit: int | None = None) -> Iterator[Entry]:
        for body in self.entry_bodies(start, limit):
            yield Entry.from_canonical(body)

    def entry_bodies(self, start: int = 0, limit: int | None = None) -> Generator[bytes, None, None]:
        """The entries' canonical JSON, as stored (for serving the board without re-encoding)."""
        # streamed: a million ballots must not be read into memory at once
        with self.engine.connect().execution_options(stream_results=True, yield_per=500) as conn:
            query = (
                select(entries.c.body)
                .where(entries.c.election_id == self.election_id, entries.c.idx >= start)
                .order_by(entries.c.idx)
            )
            if limit is not None:
                query = query.limit(limit)
            for (body,) in conn.execute(query):
                yield bytes(body)

    def stored_height(self) -> int:
        """How many entries the database holds (other processes may have appended)."""
        with self.engine.connect() as conn:
            last = conn.execute(
                select(func.max(entries.c.idx)).where(entries.c.election_id == self.election_id)
            ).scalar_one()
        return 0 if last is None else int(last) + 1

    def listed_credentials(self) -> list[bytes]:
        """The public credentials, sorted (kept until the list grows: it is long, and asked for often)."""
        cached = self._sorted_credentials
        if len(cached) != len(self.ledger.credentials):
            cached = self._sorted_credentials = sorted(self.ledger.credentials)
        return cached

    def checkpoints(self) -> list[Checkpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(checkpoints).where(checkpoints.c.election_id == self.election_id).order_by(checkpoints.c.height)
            )
            return [Checkpoint(self.election_id, r.height, bytes(r.head), bytes(r.signature)) for r in rows]

    def find_tracker(self, tracker: str) -> tuple[int, bool | None]:
        """(board index, whether it is the ballot that counts) for a tracking code; asks the
        database, so it sees ballots that other processes appended. In a coercion-resistant
        election whether it counts is None: no single ballot shows it (§7.6)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ballots.c.idx, ballots.c.credential).where(
                    ballots.c.election_id == self.election_id, ballots.c.tracker == tracker
                )
            ).first()
            if row is None:
                raise InvalidBallot("no ballot with this tracking code is on the board")
            last = conn.execute(
                select(func.max(ballots.c.idx)).where(
                    ballots.c.election_id == self.election_id, ballots.c.credential == row.credential
                )
            ).scalar_one()
        if self.ledger.genesis is not None and self.ledger.genesis.definition.coercion:
            return int(row.idx), None
        return int(row.idx), row.idx == last

    def ballots_of(self, credential: bytes) -> list[tuple[int, str, str]]:
        """(board index, tracking code, time) of every ballot cast with a public credential, in board order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ballots.c.idx, ballots.c.tracker, ballots.c.time)
                .where(ballots.c.election_id == self.election_id, ballots.c.credential == credential)
                .order_by(ballots.c.idx)
            )
            return [(int(r.idx), r.tracker, r.time) for r in rows]

    # ---- appending --------------------------------------------------------------------

    def refresh(self, max_age: float = 0.0) -> None:
        """Take in the entries that another process appended since this board was loaded.
        (While this process appends, its ledger runs ahead of the store until the commit:
        only a store that is ahead means another process.) With `max_age`, the store is not
        asked again if it was asked less than that many seconds ago."""
        now_s = monotonic()
        if max_age and now_s - self._refreshed < max_age:
            return
        self._refreshed = now_s
        if self.stored_height() > self.ledger.height:
            with self._lock:
                self._catch_up()

    def _catch_up(self) -> None:
        self.ledger.check_proofs = False  # entries already in the store passed the rules
        try:
            for entry in self.entries(self.ledger.height):
                self.ledger.apply(entry)
        finally:
            self.ledger.check_proofs = True

    def append(
        self,
        kind: EntryType,
        payload: dict[str, Any] | bytes,
        time: str | None = None,
        checkpoint: bool = False,
        checked_ballot: tuple[bytes, str] | None = None,
        precheck: Callable[[], None] | None = None,
        signatures_checked: bool = False,
        entry_check: Callable[[Entry], None] | None = None,
    ) -> Entry:
        """Check an entry with the board's rules, then commit it. `checked_ballot`: a ballot
        entry's credential and tracking code, the ballot having just been checked in full;
        `precheck`: runs under the lock, after catching up, before the entry is made;
        `entry_check`: on the entry once made, before the board's rules. A payload given as
        bytes is its canonical JSON (a large mix, read packed)."""
        item = Pending(kind, payload, time, checkpoint, checked_ballot, precheck=precheck, entry_check=entry_check)
        item.signatures_checked = signatures_checked
        with self._lock:
            self._append_batch([item])
        if item.error is not None:
            raise item.error
        assert item.entry is not None
        return item.entry

    def append_all(
        self, entries: Sequence[tuple[EntryType, dict[str, Any] | Callable[[], dict[str, Any]], bool]]
    ) -> list[Entry]:
        """Append several entries (kind, payload, checkpoint) in one transaction, all or none:
        if the rules refuse one, nothing is written and its error is raised. A payload may be
        a function, called under the lock once the entries before it are applied (a result
        computed from the decryptions appended with it)."""
        items = [Pending(kind, payload, checkpoint=checkpoint) for kind, payload, checkpoint in entries]
        with self._lock:
            self._append_batch(items, atomic=True)
        failed = next((item.error for item in items if item.error is not None), None)
        if failed is not None:
            raise failed
        return [item.entry for item in items if item.entry is not None]

    def _append_batch(self, items: list[Pending], atomic: bool = False) -> None:
        """Append several entries in one transaction (one disk flush). An entry that the rules
        refuse gets its error and is left out (with `atomic`, nothing is written then); if the
        transaction fails, every entry gets the error and the ledger is rebuilt from the
        store. Call with `self._lock` held."""
        applied = False
        try:
            with writing(self.engine, lock=f"board:{self.election_id}") as conn:
                self._catch_up()
                for item in items:
                    try:
                        if item.precheck is not None:
                            item.precheck()
                        if callable(item.payload):
                            item.payload = item.payload()
                        time = item.time or max(now(), self.ledger.last_time)
                        if isinstance(item.payload, bytes):
                            entry = self.ledger.next_entry_canonical(item.kind, item.payload, time)
                        else:
                            entry = self.ledger.next_entry(item.kind, item.payload, time)
                        if item.entry_check is not None:
                            item.entry_check(entry)
                        # raises before any write
                        digest = self.ledger.apply(entry, item.checked_ballot, item.signatures_checked)
                    except AlreadyThere as e:  # not a failure: what it would add is there (even when atomic)
                        item.error = e
                        continue
                    except Exception as e:
                        item.error = e
                        if atomic:
                            raise
                        continue
                    applied = True
                    item.entry = entry
                    self._write(conn, item, entry, digest)
        except Exception as e:
            if applied:  # the ledger took entries but the database did not: reload it
                self.ledger = self._replay()
            for item in items:
                item.entry, item.error = None, item.error or e
        except BaseException:
            if applied:
                self.ledger = self._replay()
            raise

    def _commit_locked(self, batch: list[Pending]) -> None:
        with self._lock:
            self._append_batch(batch)

    def _append_grouped(self, item: Pending) -> None:
        """Append one entry together with the others that concurrent callers queue meanwhile
        (one transaction); returns once its own is committed."""
        self._group.append(item)

    def _write(self, conn: Connection, item: Pending, entry: Entry, digest: bytes) -> None:
        _insert_entry(conn, entry, digest)
        if item.kind is EntryType.BALLOT:
            credential, tracker = item.checked_ballot or _identify(entry.payload)
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
        if item.checkpoint or (entry.index + 1) % CHECKPOINT_EVERY == 0:
            self._checkpoint(conn, entry.index + 1, digest)

    def _checkpoint(self, conn: Connection, height: int, head: bytes) -> None:
        cp = sign_checkpoint(self.key, self.election_id, height, head)
        conn.execute(
            insert(checkpoints).values(election_id=self.election_id, height=height, head=head, signature=cp.signature)
        )

    def seal(self) -> None:
        """Sign a checkpoint at the current head if there is none there yet."""
        with self._lock, writing(self.engine, lock=f"board:{self.election_id}") as conn:
            self._catch_up()
            last = conn.execute(
                select(func.max(checkpoints.c.height)).where(checkpoints.c.election_id == self.election_id)
            ).scalar_one()
            if last != self.ledger.height:
                self._checkpoint(conn, self.ledger.height, self.ledger.head)


def _identify(payload: dict[str, Any]) -> tuple[bytes, str]:
    """(the credential column, tracking code) of a ballot: a coercion-resistant election's
    shows no credential, so its column holds the ballot's own tracking code (links nothing)."""
    if "predecessor" in payload["ballot"]:
        tracker = tracker_of_json(payload["ballot"])
        return bytes.fromhex(tracker), tracker
    ballot = Ballot.from_json(payload["ballot"])
    return ballot.credential.encoding, ballot.tracker()


def _insert_entry(conn: Connection, entry: Entry, digest: bytes | None = None) -> None:
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
