"""The board's rules as a state machine (spec §8.4).

`Ledger` consumes entries in order and checks each one against everything before it:
the hash chain, the order of the phases, the trustees' proofs, the credential list, each
ballot (listed credential, signature, proofs, no replay), the tally's shape, every
decryption share's proof and the result. The verifier runs it over an exported record;
the ballot box runs it before appending, so the two cannot disagree on the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.group import Point
from vecha.election.ballot import Ballot, check_ballot_shape, tracker_of_canonical, tracker_of_json, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.counting import (
    Aggregate,
    AggregateSum,
    aggregate_from_json,
    combine_shares,
    compute_result,
)
from vecha.election.manifest import CHANNELS, Manifest, parse_manifest
from vecha.election.trustees import (
    DecryptionShare,
    TrusteeAnnouncement,
    TrusteeConfirmation,
    check_ceremony,
    verify_partial,
)
from vecha.errors import ElectionError, InvalidBallot, InvalidEncoding, InvalidProof, RecordError, VechaError
from vecha.record.entries import GENESIS_PARENT, Entry, EntryType

__all__ = ["Phase", "Ledger", "CREDENTIALS_PER_ENTRY", "CHANNELS"]

CREDENTIALS_PER_ENTRY = 10_000


class Phase(IntEnum):
    EMPTY = 0
    DEFINED = 1
    ANNOUNCED = 2
    CONFIRMED = 3
    KEYED = 4
    CREDENTIALED = 5
    OPEN = 6
    CLOSED = 7
    TALLIED = 8
    DECRYPTING = 9
    DONE = 10


@dataclass
class Ledger:
    check_proofs: bool = True
    phase: Phase = Phase.EMPTY
    height: int = 0
    head: bytes = GENESIS_PARENT
    last_time: str = ""
    election_id: str = ""
    fingerprint: bytes = b""
    manifest: Manifest | None = None
    board_key: bytes = b""
    announcements: list[TrusteeAnnouncement] = field(default_factory=list)
    confirmations: list[TrusteeConfirmation] = field(default_factory=list)
    public_key: Point | None = None
    credentials: set[bytes] = field(default_factory=set)
    last_ballot: dict[bytes, int] = field(default_factory=dict)  #: credential → index of its last ballot
    trackers: dict[str, int] = field(default_factory=dict)  #: tracking code → board index
    ballots: int = 0
    close_hash: bytes = b""
    aggregate: Aggregate | None = None
    tally_index: int = -1  #: the board index of the tally entry, once it is there
    counted: int = 0
    decryptions: dict[int, list[list[DecryptionShare]]] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    #: if set, a ballot is not decoded here, nor its signature and proofs checked: only what
    #: the board's order decides (phase, election, listed credential, replay); the ballot is
    #: handed over as (board index, its canonical JSON) to be decoded and checked elsewhere,
    #: in parallel (the verifier's workers)
    defer_ballot_proofs: Callable[[int, bytes], None] | None = None

    # ---- building entries -------------------------------------------------------------

    def next_entry(self, kind: EntryType, payload: dict[str, Any], time: str) -> Entry:
        election = self.election_id if kind is not EntryType.ELECTION else str(payload["definition"]["id"])
        return Entry(election, self.height, self.head, time, kind, payload)

    def context(self) -> ElectionContext:
        if self.manifest is None or self.public_key is None:
            raise ElectionError("the election has no joint key yet")
        return ElectionContext(self.fingerprint, self.manifest, self.public_key)

    # ---- applying entries -------------------------------------------------------------

    def apply(self, entry: Entry, checked_ballot: tuple[bytes, str] | None = None) -> bytes:
        """Check `entry` against the board so far and take it in; returns its hash.

        `checked_ballot`: for a ballot entry, its ballot and tracking code as parsed from the
        payload and accepted by `check_ballot` just before (so neither is done twice)."""
        try:
            self._check_link(entry)
            if checked_ballot is not None and entry.type is EntryType.BALLOT:
                self._on_ballot(entry, checked_ballot)
            else:
                getattr(self, "_on_" + entry.type.value.replace("-", "_"))(entry)
        except RecordError:
            raise
        except VechaError as e:
            raise RecordError(f"entry {entry.index} ({entry.type.value}): {e}") from None
        digest = entry.hash()
        if entry.type is EntryType.ELECTION:
            self.fingerprint = digest
        if entry.type is EntryType.CLOSE:
            self.close_hash = digest
        self.head = digest
        self.height += 1
        self.last_time = entry.time
        return digest

    def _check_link(self, entry: Entry) -> None:
        where = f"entry {entry.index} ({entry.type.value})"
        if entry.index != self.height:
            raise RecordError(f"{where}: expected index {self.height}")
        if entry.parent != self.head:
            raise RecordError(f"{where}: broken hash link (parent does not match the previous entry)")
        if self.height and entry.election != self.election_id:
            raise RecordError(f"{where}: belongs to election {entry.election!r}, not {self.election_id!r}")
        if entry.time < self.last_time:
            raise RecordError(f"{where}: time goes backwards")

    def _expect(self, *phases: Phase) -> None:
        if self.phase not in phases:
            raise ElectionError(f"not allowed in phase {self.phase.name.lower()}")

    def _fields(self, payload: dict[str, Any], *keys: str) -> None:
        if set(payload) != set(keys):
            raise InvalidEncoding(f"payload must have exactly the fields {sorted(keys)}")

    def _on_election(self, entry: Entry) -> None:
        self._expect(Phase.EMPTY)
        self._fields(entry.payload, "definition", "board_key")
        manifest = parse_manifest(entry.payload["definition"])
        if canonical_bytes(manifest.model_dump(mode="json")) != canonical_bytes(entry.payload["definition"]):
            raise InvalidEncoding("the definition is not in its normalized form")
        if entry.election != manifest.id:
            raise InvalidEncoding("the entry's election id differs from the definition's")
        self.board_key = hex_bytes(entry.payload["board_key"], 32, "board_key")
        self.manifest = manifest
        self.election_id = manifest.id
        self.phase = Phase.DEFINED

    def _trustees(self) -> tuple[int, int]:
        assert self.manifest is not None
        return self.manifest.trustees.count, self.manifest.trustees.threshold

    def _on_trustee(self, entry: Entry) -> None:
        self._expect(Phase.DEFINED)
        n, t = self._trustees()
        a = TrusteeAnnouncement.from_json(entry.payload)
        if a.index != len(self.announcements) + 1:
            raise ElectionError(f"expected trustee {len(self.announcements) + 1}, got {a.index}")
        assert self.manifest is not None
        a.verify(self.fingerprint, t, self.manifest.trustees.identity_keys())
        self.announcements.append(a)
        if len(self.announcements) == n:
            self.phase = Phase.ANNOUNCED

    def _on_trustee_confirmation(self, entry: Entry) -> None:
        self._expect(Phase.ANNOUNCED)
        c = TrusteeConfirmation.from_json(entry.payload)
        if c.index != len(self.confirmations) + 1:
            raise ElectionError(f"expected the confirmation of trustee {len(self.confirmations) + 1}")
        self.confirmations.append(c)
        if len(self.confirmations) == self._trustees()[0]:
            self.phase = Phase.CONFIRMED

    def _on_joint_key(self, entry: Entry) -> None:
        self._expect(Phase.CONFIRMED)
        self._fields(entry.payload, "public_key")
        assert self.manifest is not None
        key = check_ceremony(
            self.fingerprint,
            self.manifest.trustees.threshold,
            self.manifest.trustees.identity_keys(),
            self.announcements,
            self.confirmations,
        )
        claimed = point_from_hex(entry.payload["public_key"], "public_key", nonidentity=True)
        if claimed != key:
            raise InvalidProof("the joint key is not the sum of the trustees' commitments")
        self.public_key = key
        self.phase = Phase.KEYED

    def _on_credentials(self, entry: Entry) -> None:
        self._expect(Phase.KEYED, Phase.CREDENTIALED)
        self._fields(entry.payload, "credentials")
        creds = entry.payload["credentials"]
        if not isinstance(creds, list) or not 1 <= len(creds) <= CREDENTIALS_PER_ENTRY:
            raise InvalidEncoding(f"credentials: a list of 1 to {CREDENTIALS_PER_ENTRY} public credentials")
        if not all(isinstance(c, str) for c in creds):
            raise InvalidEncoding("credentials: every public credential is a hex string")
        if creds != sorted(creds):
            raise InvalidEncoding("credentials must be sorted (the list must not reveal the roll's order)")
        new = [point_from_hex(c, f"credentials[{i}]", nonidentity=True).encoding for i, c in enumerate(creds)]
        repeated = set(new) & self.credentials if len(set(new)) == len(new) else set(new)
        if repeated:
            raise InvalidEncoding("a credential is listed twice")
        self.credentials.update(new)  # only once the whole entry is valid: a rejected entry changes nothing
        self.phase = Phase.CREDENTIALED

    def _on_open(self, entry: Entry) -> None:
        self._expect(Phase.CREDENTIALED)
        self._fields(entry.payload)
        self.phase = Phase.OPEN

    def check_ballot(self, ballot: Ballot, proofs: bool = True, tracker: str | None = None) -> str:
        """Everything the box checks before accepting a ballot, cheapest first; returns its
        tracking code (pass `tracker` if it is already known: hashing a ballot is not free).

        With `proofs=False` it stops before the signature and the proofs (the curve work),
        for a caller that checks those elsewhere (the verifier's process pool)."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        ctx = self.context()
        if ballot.election != self.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        if ballot.credential.encoding not in self.credentials:
            raise InvalidBallot("the ballot's credential is not on the credential list")
        tracker = tracker or ballot.tracker()
        if tracker in self.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")
        if proofs:
            verify_ballot(ballot, ctx)
        else:
            check_ballot_shape(ballot, ctx)
        return tracker

    def _on_ballot(self, entry: Entry, checked: tuple[bytes, str] | None = None) -> None:
        self._fields(entry.payload, "ballot", "channel")
        assert self.manifest is not None
        if entry.payload["channel"] not in self.manifest.channels:
            raise InvalidEncoding(f"channel must be one of the definition's {list(self.manifest.channels)}")
        if checked is not None:  # (credential, tracker) of a ballot checked just before
            self._expect(Phase.OPEN)
            self._count_ballot(entry.index, checked[1], checked[0])
            return
        if not self.check_proofs:  # a trusted board (the box's own store): no need to decode the ballot
            self._expect(Phase.OPEN)
            raw = entry.payload["ballot"]
            self._count_ballot(entry.index, tracker_of_json(raw), hex_bytes(raw["credential"], 32, "credential"))
            return
        elif self.defer_ballot_proofs is not None:
            tracker = tracker_of_canonical(entry.ballot_bytes())
            credential = self.check_ballot_json(entry.payload["ballot"], tracker)
            self.defer_ballot_proofs(entry.index, entry.ballot_bytes())
            self._count_ballot(entry.index, tracker, credential)
            return
        else:
            ballot = Ballot.from_json(entry.payload["ballot"])
            tracker = self.check_ballot(ballot)
        self._count_ballot(entry.index, tracker, ballot.credential.encoding)

    def check_ballot_json(self, raw: Any, tracker: str) -> bytes:
        """`check_ballot`'s checks that depend on the board, done on the ballot's JSON: the
        phase, the election, a listed credential, no replay. Returns the credential. Decoding,
        shape, signature and proofs are the caller's to check (or to have checked) in full;
        a listed credential is a valid point (the list was checked)."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        if not isinstance(raw, dict):
            raise InvalidEncoding("ballot: expected an object")
        if hex_bytes(raw.get("election"), 32, "ballot.election") != self.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        credential = hex_bytes(raw.get("credential"), 32, "ballot.credential")
        if credential not in self.credentials:
            raise InvalidBallot("the ballot's credential is not on the credential list")
        if tracker in self.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")
        return credential

    def _count_ballot(self, index: int, tracker: str, credential: bytes) -> None:
        self.trackers[tracker] = index
        self.last_ballot[credential] = index
        self.ballots += 1

    def _on_close(self, entry: Entry) -> None:
        self._expect(Phase.OPEN)
        self._fields(entry.payload)
        self.phase = Phase.CLOSED

    def counted_indices(self) -> set[int]:
        """The counting rule: the board index of the last ballot of every credential."""
        return set(self.last_ballot.values())

    def sum_counted(self, entries: Iterable[Entry], progress: Callable[[int, int], None] | None = None) -> Aggregate:
        """Add up, option by option, the counted ballots among `entries` (a second pass over
        the board: only the credential → last index map is kept in memory, §7.1–7.2)."""
        assert self.manifest is not None
        counted = self.counted_indices()
        acc = AggregateSum(self.manifest)
        done = 0
        for entry in entries:
            if entry.type is EntryType.BALLOT and entry.index in counted:
                acc.add_ballot(Ballot.from_json(entry.payload["ballot"]))
                done += 1
                if progress is not None:
                    progress(done, len(counted))
        return acc.total()

    def _on_tally(self, entry: Entry) -> None:
        self._expect(Phase.CLOSED)
        self._fields(entry.payload, "counted", "aggregate")
        assert self.manifest is not None
        counted = entry.payload["counted"]
        if isinstance(counted, bool) or not isinstance(counted, int) or counted != len(self.last_ballot):
            raise RecordError(
                f"entry {entry.index} (tally): counts {entry.payload['counted']!r} ballots, "
                f"the counting rule gives {len(self.last_ballot)}"
            )
        self.aggregate = aggregate_from_json(entry.payload["aggregate"], self.manifest)
        self.tally_index = entry.index
        self.counted = len(self.last_ballot)
        self.phase = Phase.TALLIED

    def _on_decryption(self, entry: Entry) -> None:
        self._expect(Phase.TALLIED, Phase.DECRYPTING)
        self._fields(entry.payload, "trustee", "shares")
        j = entry.payload["trustee"]
        n, _ = self._trustees()
        if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= n:
            raise InvalidEncoding("decryption: unknown trustee")
        if j in self.decryptions:
            raise ElectionError(f"trustee {j} already decrypted")
        assert self.aggregate is not None
        rows = entry.payload["shares"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise InvalidEncoding("decryption shares: one list per question")
        shares = [
            [DecryptionShare.from_json(s, f"shares[{qi}][{oi}]") for oi, s in enumerate(row)]
            for qi, row in enumerate(rows)
        ]
        if self.check_proofs:
            verify_partial(self.fingerprint, j, self.confirmations[j - 1].verification_key, self.aggregate, shares)
        self.decryptions[j] = shares
        self.phase = Phase.DECRYPTING

    def expected_result(self) -> dict[str, Any]:
        """The result that the decryptions so far give (spec §7.4, §9)."""
        if self.manifest is None or self.aggregate is None:
            raise ElectionError("there is no tally to decrypt yet")
        _, t = self._trustees()
        if len(self.decryptions) < t:
            raise ElectionError(f"{len(self.decryptions)} trustees decrypted; {t} are needed")
        counts = combine_shares(self.aggregate, self.decryptions, self.counted)
        return compute_result(self.manifest, counts, self.counted, self.close_hash)

    def _on_result(self, entry: Entry) -> None:
        self._expect(Phase.DECRYPTING)
        expected = self.expected_result()
        if canonical_bytes(expected) != canonical_bytes(entry.payload):
            raise RecordError(f"entry {entry.index} (result): differs from the result recomputed from the shares")
        self.result = entry.payload
        self.phase = Phase.DONE
