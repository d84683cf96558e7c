"""Casting ballots onto a board: one pipeline, entered where the caller's checks stop.

    cast(JSON)           decode the ballot                              ─┐
    cast_parsed(ballot)  every check, the proofs included                ├─ the same receipt
    cast_verified(JSON)  the board's own checks only (phase, election,   │  for the same ballot
                         listed credential, no replay), under the lock,  │  again
                         after the server's workers checked the rest   ─┘
    cast_many(list)      a bulk import in one transaction, all or nothing

Every path ends in the board's group commit and returns the box's signed receipt only
after the ballot's transaction committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vecha.election.ballot import Ballot
from vecha.election.coercion_ballot import CoercionBallot
from vecha.election.eligibility import SignedCredential
from vecha.errors import InvalidBallot
from vecha.record.entries import EntryType
from vecha.record.receipt import Receipt, receipt_message
from vecha.store.commit import AlreadyThere, Pending

if TYPE_CHECKING:
    import threading

    from vecha.record.checkpoint import BoardKey
    from vecha.record.ledger import Ledger

__all__ = ["Casting"]


class Casting:
    """The ballot-casting methods of `Board` (kept apart from its storage and replay); what
    they use of the board is declared here and defined there."""

    election_id: str
    key: BoardKey
    ledger: Ledger
    _lock: threading.RLock

    def refresh(self, max_age: float = 0.0) -> None:
        raise NotImplementedError

    def _append_grouped(self, item: Pending) -> None:
        raise NotImplementedError

    def _append_batch(self, items: list[Pending], atomic: bool = False) -> None:
        raise NotImplementedError

    def existing_receipt(self, tracker: str) -> Receipt | None:
        """The receipt of a ballot already on the board (a resubmission gets the same one).
        It looks in this board's ledger: `refresh` first to see other processes' ballots (and
        if one lands in between, `cast_verified` still finds it under the write lock)."""
        index = self.ledger.book.trackers.get(tracker)
        return None if index is None else self.receipt(tracker, index)

    def cast(
        self,
        ballot_json: Any,
        channel: str = "app",
        time: str | None = None,
        signed_credential: SignedCredential | None = None,
    ) -> Receipt:
        """Check a ballot and put it on the board; the same ballot again gets the same receipt.
        `signed_credential`: the ballot's credential with its registrars' signatures, registered
        with the ballot if it is not yet (registration mode)."""
        if self._coercion():
            return self.cast_coercion(CoercionBallot.from_json(ballot_json), channel, time)[0]
        ballot = Ballot.from_json(ballot_json)
        self.refresh()
        return self.cast_parsed(ballot, ballot.tracker(), channel, time, signed_credential)[0]

    def _coercion(self) -> bool:
        return self.ledger.genesis is not None and self.ledger.genesis.definition.coercion

    def cast_coercion(
        self, ballot: CoercionBallot, channel: str = "app", time: str | None = None
    ) -> tuple[Receipt, bool]:
        """`cast` for a coercion-resistant election's ballot (§6.10): every check, the proofs
        included; any code is accepted alike (nothing can tell a fake one)."""
        self.refresh()
        tracker = ballot.tracker()
        existing = self.existing_receipt(tracker)
        if existing is not None:
            return existing, False
        self.ledger.check_coercion_ballot(ballot, tracker=tracker)
        return self.cast_verified(ballot.to_json(), tracker, channel, time)

    def cast_parsed(
        self,
        ballot: Ballot,
        tracker: str,
        channel: str = "app",
        time: str | None = None,
        signed_credential: SignedCredential | None = None,
    ) -> tuple[Receipt, bool]:
        """`cast` for a ballot already parsed: every check, the proofs included. Returns the
        receipt and whether the ballot is new (False: it was on the board already). Call
        `refresh` first when other processes may append to this board."""
        existing = self.existing_receipt(tracker)
        if existing is not None:
            return existing, False
        self.ledger.check_ballot(ballot, tracker=tracker, registering=signed_credential)
        return self.cast_verified(ballot.to_json(), tracker, channel, time, signed_credential)

    def cast_verified(
        self,
        ballot_json: dict[str, Any],
        tracker: str,
        channel: str = "app",
        time: str | None = None,
        signed_credential: SignedCredential | None = None,
    ) -> tuple[Receipt, bool]:
        """`cast` for a ballot (JSON, with its tracking code) whose decoding, shape, signature
        and proofs have already been checked against this election (the server's workers do),
        and whose `signed_credential`, if any, has had its signatures verified;
        the board's own checks (phase, election, listed credential, no replay) run here, under
        the lock. Returns the receipt and whether the ballot is new."""
        existing = self.existing_receipt(tracker)
        if existing is not None:
            return existing, False
        coercion = self._coercion()
        # a coercion-resistant election's ballot shows no credential: the box files it under
        # its own tracking code, which links it to nothing
        credential = bytes.fromhex(tracker) if coercion else bytes.fromhex(ballot_json["credential"])

        def still_new() -> None:
            # Under the lock: the same ballot may have been appended meanwhile by another client.
            if tracker in self.ledger.book.trackers:
                raise AlreadyThere(self.ledger.book.trackers[tracker])
            if coercion:
                self.ledger.check_coercion_ballot_json(ballot_json, tracker)
            else:
                self.ledger.check_ballot_json(ballot_json, tracker)

        item = Pending(
            EntryType.BALLOT,
            {"ballot": ballot_json, "channel": channel},
            time,
            checked_ballot=(credential, tracker),
            precheck=still_new,
        )
        if signed_credential is not None and credential not in self.ledger.credentials:
            self._register_and_cast(signed_credential, item)
        else:
            self._append_grouped(item)
        if isinstance(item.error, AlreadyThere):
            return self.receipt(tracker, item.error.index), False
        if item.error is not None:
            raise item.error
        assert item.entry is not None
        return self.receipt(tracker, item.entry.index), True

    def _register_and_cast(self, signed: SignedCredential, item: Pending) -> None:
        """A first ballot that carries its signed credential (register and vote in one
        request, spec §8.4): the credential's entry, then the ballot's, in one transaction,
        both or neither. If the credential got listed meanwhile, only the ballot is added."""
        credential = signed.credential.encoding

        def not_listed() -> None:
            if credential in self.ledger.credentials:
                raise AlreadyThere(-1)

        # its signatures were verified with the ballot's checks, outside the lock
        registration = Pending(EntryType.SIGNED_CREDENTIAL, signed.to_json(), item.time, precheck=not_listed)
        registration.signatures_checked = True
        with self._lock:
            self._append_batch([registration, item], atomic=True)
        if item.error is None and registration.error is not None and not isinstance(registration.error, AlreadyThere):
            item.error = registration.error

    def cast_many(self, ballots: list[tuple[Any, str]], check_proofs: bool = True) -> list[Receipt]:
        """Append many ballots (JSON, channel) in one transaction: a bulk import, such as
        ballots handed over offline. Every rule of `cast` applies, all or nothing: a refused
        ballot raises and nothing is written. `check_proofs=False` is for ballots whose
        signatures and proofs the caller has just verified (or made), never for strangers'."""
        self.refresh()
        items, seen = [], set()
        coercion = self._coercion()
        for ballot_json, channel in ballots:
            ballot: Ballot | CoercionBallot
            if coercion:
                ballot = CoercionBallot.from_json(ballot_json)
                tracker = ballot.tracker()
                self.ledger.check_coercion_ballot(ballot, proofs=check_proofs, tracker=tracker)
                credential = bytes.fromhex(tracker)
            else:
                ballot = Ballot.from_json(ballot_json)
                tracker = ballot.tracker()
                self.ledger.check_ballot(ballot, proofs=check_proofs, tracker=tracker)
                credential = ballot.credential.encoding
            if tracker in seen:
                raise InvalidBallot("the same ballot appears twice in the import")
            seen.add(tracker)
            payload = {"ballot": ballot.to_json(), "channel": channel}
            items.append(Pending(EntryType.BALLOT, payload, checked_ballot=(credential, tracker)))
        with self._lock:
            self._append_batch(items, atomic=True)
        failed = next((item.error for item in items if item.error is not None), None)
        if failed is not None:
            raise failed
        receipts = []
        for item in items:
            assert item.entry is not None and item.checked_ballot is not None
            receipts.append(self.receipt(item.checked_ballot[1], item.entry.index))
        return receipts

    def receipt(self, tracker: str, index: int) -> Receipt:
        return Receipt(
            self.election_id, tracker, index, self.key.sign(receipt_message(self.election_id, tracker, index))
        )
