"""The board's rules as a state machine (spec §8.4).

`Ledger` consumes entries in order and checks each one against everything before it:
the hash chain, the order of the phases, the trustees' proofs, the credential list, each
ballot (listed credential, signature, proofs, no replay), the tally's shape, every
decryption share's proof and the result. The verifier runs it over an exported record;
the ballot box runs it before appending, so the two cannot disagree on the rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from vecha.crypto.canonical import CanonicalText, canonical_bytes
from vecha.crypto.encoding import hex_bytes, point_from_hex
from vecha.crypto.rows import PackedRows
from vecha.election.ballot import (
    Ballot,
    body_of_canonical,
    check_answers_shape,
    check_ballot_shape,
    tracker_of_canonical,
    tracker_of_json,
    verify_ballot,
)
from vecha.election.coercion import CREDENTIAL_COLUMNS, link_point
from vecha.election.coercion_ballot import CoercionBallot, verify_coercion_ballot
from vecha.election.coercion_roll import RollEntry
from vecha.election.context import ElectionContext
from vecha.election.counting import (
    Aggregate,
    AggregateSum,
    aggregate_from_json,
    combine_shares,
    compute_result,
)
from vecha.election.definition import CHANNELS, Definition, parse_definition
from vecha.election.eligibility import RegistrarCount, RegistrationRules, SignedCredential
from vecha.election.mixed_count import count_opened
from vecha.election.mixing import (
    Mix,
    MixedShares,
    mix_rows,
    open_rows,
    read_row_shares,
    row_of_ballot_json,
    verify_mix_parts,
)
from vecha.election.trustees import (
    DecryptionShare,
    TrusteeAnnouncement,
    TrusteeConfirmation,
    check_ceremony,
    verify_partial,
)
from vecha.errors import ElectionError, InvalidBallot, InvalidEncoding, InvalidProof, RecordError, VechaError
from vecha.record.coercion_count import CoercionCount, Step
from vecha.record.entries import GENESIS_PARENT, RECORD_VERSION, Entry, EntryType
from vecha.record.packed_entries import PackedBallot

__all__ = ["Phase", "Ledger", "Genesis", "Keyed", "Tally", "BallotBook", "CREDENTIALS_PER_ENTRY", "CHANNELS"]

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
    MIXING = 8  #: a mixed election (§7.5): some trustees have mixed
    MIXED = 9  #: every trustee has mixed
    TALLIED = 10
    DECRYPTING = 11
    DONE = 12


@dataclass(frozen=True)
class Genesis:
    """What entry 0 fixes, whole from the moment it is accepted."""

    election_id: str
    fingerprint: bytes
    definition: Definition
    board_key: bytes
    #: spec §8.7: the booth's files (path → SHA-256) that entry 0 pins, if it pins them
    booth: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Keyed:
    """The election once its key ceremony is on the board: everything a ballot is checked
    against (the context), and the ceremony that made the key."""

    genesis: Genesis
    announcements: tuple[TrusteeAnnouncement, ...]
    confirmations: tuple[TrusteeConfirmation, ...]
    context: ElectionContext


@dataclass(frozen=True)
class Tally:
    """The tally entry: where it is, how many ballots it counts, their sum, and the hash of
    the close entry (the lot's seed, §9)."""

    index: int
    counted: int
    aggregate: Aggregate
    close_hash: bytes


@dataclass
class BallotBook:
    """The board's ballots as the counting rule needs them: the listed credentials, every
    tracking code's board index and each credential's last ballot (memory grows with the
    credentials and the ballots' tracking codes, never with the ballots themselves)."""

    credentials: set[bytes] = field(default_factory=set)
    last_ballot: dict[bytes, int] = field(default_factory=dict)  #: credential → index of its last ballot
    trackers: dict[str, int] = field(default_factory=dict)  #: tracking code → board index
    ballots: int = 0
    #: registration mode: registrar id → signed credentials carrying its signature
    registered: dict[str, int] = field(default_factory=dict)
    #: registration mode: registrar id → the count of signatures it says it issued
    issued: dict[str, int] = field(default_factory=dict)
    #: a mixed election: credential → its last ballot's row (α ‖ β per choice), until the first mix
    rows: dict[bytes, bytes] = field(default_factory=dict)
    #: a coercion-resistant election (§7.6): every ballot's stage-one row, in board order,
    #: and the roll entries' credentials R (α ‖ β each), in board order
    stage_rows: bytearray = field(default_factory=bytearray)
    roll: bytearray = field(default_factory=bytearray)
    roll_seen: set[bytes] = field(default_factory=set)

    def cast(self, index: int, tracker: str, row: bytes) -> None:
        """A coercion-resistant election's ballot: no credential to count it under, only its
        stage-one row (every ballot enters the mix, §7.6)."""
        self.trackers[tracker] = index
        self.ballots += 1
        self.stage_rows += row

    def count(self, index: int, tracker: str, credential: bytes, row: bytes | None = None) -> None:
        self.trackers[tracker] = index
        self.last_ballot[credential] = index
        self.ballots += 1
        if row is not None:
            self.rows[credential] = row


@dataclass
class Ledger:
    """The board so far. Each phase's state is a frozen value set whole when the entry that
    completes it is accepted: `genesis` (entry 0), `keyed` (the joint key), `tally`; the
    accessors `defined()`, `voting()` and `tallied()` return them or raise `ElectionError`
    (never a half-built value)."""

    check_proofs: bool = True
    #: whether the decryption shares' proofs are checked in batches (§4.7; the ballots' are
    #: checked where `defer_ballot_proofs` sends them); False: one by one (`--no-batch`)
    batched: bool = True
    #: if set, a ballot is not decoded here, nor its signature and proofs checked: only what
    #: the board's order decides (phase, election, listed credential, replay); the ballot is
    #: handed over as (board index, its canonical JSON) to be decoded and checked elsewhere,
    #: in parallel (the verifier's workers)
    defer_ballot_proofs: Callable[[int, bytes], None] | None = None
    #: a verifier's hand-off of a mix's proof, or of a trustee's shares of the mixed
    #: ballots, to a worker (entry index, the check to run): the board's other rules still
    #: apply here, and the check must pass before the record is declared valid
    defer_mix_checks: Callable[[int, Callable[[], object]], None] | None = None
    phase: Phase = Phase.EMPTY
    height: int = 0
    head: bytes = GENESIS_PARENT
    last_time: str = ""
    genesis: Genesis | None = None
    keyed: Keyed | None = None
    tally: Tally | None = None
    book: BallotBook = field(default_factory=BallotBook)
    decryptions: dict[int, list[list[DecryptionShare]]] = field(default_factory=dict)
    #: a mixed election (§7.5): the last mix's output, how many trustees mixed, the
    #: trustees' shares of the mixed ballots
    mixed: PackedRows = field(default_factory=lambda: PackedRows(b"", 1))
    mixes: int = 0
    mix_decryptions: dict[int, MixedShares] = field(default_factory=dict)
    #: a coercion-resistant election's count (§7.6), from the close on
    coercion: CoercionCount | None = None
    result: dict[str, Any] | None = None
    #: the ceremony's messages while it runs (then kept in `keyed`)
    _announcements: list[TrusteeAnnouncement] = field(default_factory=list)
    _confirmations: list[TrusteeConfirmation] = field(default_factory=list)
    _close_hash: bytes = b""

    # ---- the phases' states -----------------------------------------------------------

    def defined(self) -> Genesis:
        if self.genesis is None:
            raise ElectionError("the board is empty: no election is defined")
        return self.genesis

    def voting(self) -> Keyed:
        if self.keyed is None:
            raise ElectionError("the election has no joint key yet")
        return self.keyed

    def tallied(self) -> Tally:
        if self.tally is None:
            raise ElectionError("there is no tally yet")
        return self.tally

    def context(self) -> ElectionContext:
        return self.voting().context

    # what most readers want, without the phase's state (empty before it exists)
    @property
    def election_id(self) -> str:
        return "" if self.genesis is None else self.genesis.election_id

    @property
    def fingerprint(self) -> bytes:
        return b"" if self.genesis is None else self.genesis.fingerprint

    @property
    def announcements(self) -> tuple[TrusteeAnnouncement, ...]:
        return self.keyed.announcements if self.keyed is not None else tuple(self._announcements)

    @property
    def credentials(self) -> set[bytes]:
        return self.book.credentials

    @property
    def ballots(self) -> int:
        return self.book.ballots

    # ---- building entries -------------------------------------------------------------

    def next_entry(self, kind: EntryType, payload: dict[str, Any], time: str) -> Entry:
        election = self.election_id if kind is not EntryType.ELECTION else str(payload["definition"]["id"])
        return Entry(election, self.height, self.head, time, kind, payload)

    def next_entry_canonical(self, kind: EntryType, payload: bytes, time: str) -> Entry:
        """The next entry around a payload given as its canonical JSON: the entry's line is
        assembled from the bytes and read as any line of a record is (a large mix packed,
        `packed_entries`), so `InvalidEncoding` if the payload is not canonical JSON."""
        if kind is EntryType.ELECTION:
            raise InvalidEncoding("entry 0 is made from its definition, not from bytes")
        line = b'{"election":%b,"index":%d,"parent":"%b","payload":%b,"time":%b,"type":%b,"version":%d}' % (
            canonical_bytes(self.election_id),
            self.height,
            self.head.hex().encode("ascii"),
            payload,
            canonical_bytes(time),
            canonical_bytes(kind.value),
            RECORD_VERSION,
        )
        entry = Entry.from_canonical(line)
        if (entry.election, entry.index, entry.parent, entry.time, entry.type) != (
            self.election_id,
            self.height,
            self.head,
            time,
            kind,
        ):  # the payload's bytes reached outside it: not one JSON value
            raise InvalidEncoding("the payload is not one canonical JSON object")
        return entry

    # ---- applying entries -------------------------------------------------------------

    def apply(
        self, entry: Entry, checked_ballot: tuple[bytes, str] | None = None, signatures_checked: bool = False
    ) -> bytes:
        """Check `entry` against the board so far and take it in; returns its hash. A refused
        entry raises `RecordError` naming it (`entry`) and the kind of failure (`cause`), and
        changes nothing.

        `checked_ballot`: for a ballot entry, its credential and tracking code as accepted by
        `check_ballot` just before (so nothing is done twice); `signatures_checked`: for a
        signed credential, its registrar signatures were verified just before (the same)."""
        digest = entry.hash()  # entry 0's hash is the fingerprint its handler fixes
        try:
            self._check_link(entry)
            if entry.type is EntryType.BALLOT:
                self._on_ballot(entry, checked_ballot)
            elif entry.type is EntryType.SIGNED_CREDENTIAL:
                self._on_signed_credential(entry, signatures_checked)
            elif entry.type is EntryType.ELECTION:
                self._on_election(entry, digest)
            else:
                getattr(self, "_on_" + entry.type.value.replace("-", "_"))(entry)
        except RecordError as e:
            if e.entry is None:
                raise RecordError(str(e), entry=entry.index, cause=e.cause) from None
            raise
        except VechaError as e:
            raise RecordError(f"entry {entry.index} ({entry.type.value}): {e}", entry.index, type(e)) from None
        if entry.type is EntryType.CLOSE:
            self._close_hash = digest
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

    def _on_election(self, entry: Entry, fingerprint: bytes) -> None:
        """Entry 0: once its definition and board key check out, the election is defined
        (the genesis is set last, so a refused entry 0 changes nothing)."""
        self._expect(Phase.EMPTY)
        if "booth" in entry.payload:
            self._fields(entry.payload, "definition", "board_key", "booth")
        else:
            self._fields(entry.payload, "definition", "board_key")
        booth = _booth_pins(entry.payload.get("booth", {}))
        definition = parse_definition(entry.payload["definition"])
        if canonical_bytes(definition.model_dump(mode="json")) != canonical_bytes(entry.payload["definition"]):
            raise InvalidEncoding("the definition is not in its normalized form")
        if entry.election != definition.id:
            raise InvalidEncoding("the entry's election id differs from the definition's")
        board_key = hex_bytes(entry.payload["board_key"], 32, "board_key")
        self.genesis = Genesis(definition.id, fingerprint, definition, board_key, booth)
        self.phase = Phase.DEFINED

    def _on_trustee(self, entry: Entry) -> None:
        self._expect(Phase.DEFINED)
        g = self.defined()
        a = TrusteeAnnouncement.from_json(entry.payload)
        if a.index != len(self._announcements) + 1:
            raise ElectionError(f"expected trustee {len(self._announcements) + 1}, got {a.index}")
        a.verify(g.fingerprint, g.definition.trustees.threshold, g.definition.trustees.identity_keys())
        self._announcements.append(a)
        if len(self._announcements) == g.definition.trustees.count:
            self.phase = Phase.ANNOUNCED

    def _on_trustee_confirmation(self, entry: Entry) -> None:
        self._expect(Phase.ANNOUNCED)
        c = TrusteeConfirmation.from_json(entry.payload)
        if c.index != len(self._confirmations) + 1:
            raise ElectionError(f"expected the confirmation of trustee {len(self._confirmations) + 1}")
        self._confirmations.append(c)
        if len(self._confirmations) == self.defined().definition.trustees.count:
            self.phase = Phase.CONFIRMED

    def _on_joint_key(self, entry: Entry) -> None:
        self._expect(Phase.CONFIRMED)
        self._fields(entry.payload, "public_key")
        g = self.defined()
        key = check_ceremony(
            g.fingerprint,
            g.definition.trustees.threshold,
            g.definition.trustees.identity_keys(),
            self._announcements,
            self._confirmations,
        )
        claimed = point_from_hex(entry.payload["public_key"], "public_key", nonidentity=True)
        if claimed != key:
            raise InvalidProof("the joint key is not the sum of the trustees' commitments")
        context = ElectionContext(g.fingerprint, g.definition, key)
        self.keyed = Keyed(g, tuple(self._announcements), tuple(self._confirmations), context)
        self._announcements, self._confirmations = [], []
        self.phase = Phase.KEYED

    def registration(self) -> RegistrationRules:
        rules = self.defined().definition.registration
        if rules is None:
            raise ElectionError("this election has a roll, not registration: its credentials are listed")
        return rules

    def _on_credentials(self, entry: Entry) -> None:
        self._expect(Phase.KEYED, Phase.CREDENTIALED)
        if self.defined().definition.registration is not None:
            raise ElectionError("an election with registration lists no credentials: each comes signed")
        self._fields(entry.payload, "credentials")
        creds = entry.payload["credentials"]
        if not isinstance(creds, list) or not 1 <= len(creds) <= CREDENTIALS_PER_ENTRY:
            raise InvalidEncoding(f"credentials: a list of 1 to {CREDENTIALS_PER_ENTRY} public credentials")
        if not all(isinstance(c, str) for c in creds):
            raise InvalidEncoding("credentials: every public credential is a hex string")
        if creds != sorted(creds):
            raise InvalidEncoding("credentials must be sorted (the list must not reveal the roll's order)")
        new = [point_from_hex(c, f"credentials[{i}]", nonidentity=True).encoding for i, c in enumerate(creds)]
        listed = self.book.credentials
        repeated = set(new) & listed if len(set(new)) == len(new) else set(new)
        if repeated:
            raise InvalidEncoding("a credential is listed twice")
        listed.update(new)  # only once the whole entry is valid: a rejected entry changes nothing
        self.phase = Phase.CREDENTIALED

    def check_signed_credential(self, signed: SignedCredential, signatures: bool = True) -> None:
        """The board's rules for a signed credential (spec §8.4): the phase, not listed yet,
        enough valid registrar signatures, no registrar past its count. Changes nothing."""
        rules = self.registration()
        if self.phase not in (Phase.KEYED, Phase.OPEN):
            raise ElectionError("credentials are registered after the key ceremony and before the close")
        if signed.credential.encoding in self.book.credentials:
            raise InvalidEncoding("this credential is registered already")
        if signatures:
            signed.verify(self.fingerprint, rules)
        elif len(signed.signatures) < rules.required:
            raise InvalidEncoding(f"a credential needs {rules.required} registrar signatures")
        for registrar in signed.registrars:
            issued = self.book.issued.get(registrar)
            if issued is not None and self.book.registered.get(registrar, 0) >= issued:
                raise ElectionError(f"registrar {registrar} said it issued {issued} signatures; this is one more")

    def _on_signed_credential(self, entry: Entry, signatures_checked: bool = False) -> None:
        if self.defined().definition.coercion:
            raise ElectionError("a coercion-resistant election registers roll entries, not public credentials")
        signed = SignedCredential.from_json(entry.payload, self.registration())
        self.check_signed_credential(signed, signatures=self.check_proofs and not signatures_checked)
        self.book.credentials.add(signed.credential.encoding)
        for registrar in signed.registrars:
            self.book.registered[registrar] = self.book.registered.get(registrar, 0) + 1

    def _on_roll_entry(self, entry: Entry) -> None:
        """A registered credential, encrypted (§6.10): after the key ceremony and before the
        vote opens; its registrars' signatures and proof verify; not on the roll already;
        no signing registrar's count exceeded."""
        rules = self.registration()
        if not self.defined().definition.coercion:
            raise ElectionError("only a coercion-resistant election has roll entries")
        if self.phase is not Phase.KEYED:
            raise ElectionError("roll entries are registered after the key ceremony and before voting opens")
        roll = RollEntry.from_json(entry.payload, rules)
        encoding = roll.credential.alpha.encoding + roll.credential.beta.encoding
        if encoding in self.book.roll_seen:
            raise InvalidEncoding("this roll entry is on the roll already")
        for registrar in roll.registrars:
            issued = self.book.issued.get(registrar)
            if issued is not None and self.book.registered.get(registrar, 0) >= issued:
                raise ElectionError(f"registrar {registrar} said it issued {issued} signatures; this is one more")
        if self.check_proofs:
            roll.verify(self.fingerprint, rules)
        elif len(roll.signatures) < rules.required:
            raise InvalidEncoding(f"a roll entry needs {rules.required} registrar signatures")
        self.book.roll_seen.add(encoding)
        self.book.roll += encoding
        for registrar in roll.registrars:
            self.book.registered[registrar] = self.book.registered.get(registrar, 0) + 1

    def _on_registrar_count(self, entry: Entry) -> None:
        rules = self.registration()
        if self.phase not in (Phase.KEYED, Phase.OPEN):
            raise ElectionError("a registrar's count comes after the key ceremony and before the close")
        count = RegistrarCount.from_json(entry.payload)
        if count.registrar in self.book.issued:
            raise ElectionError(f"registrar {count.registrar} posted its count already")
        if self.check_proofs:
            count.verify(self.fingerprint, rules)
        else:
            rules.registrar(count.registrar)
        have = self.book.registered.get(count.registrar, 0)
        if count.issued < have:
            raise ElectionError(
                f"registrar {count.registrar} says it issued {count.issued} signatures; {have} credentials carry one"
            )
        self.book.issued[count.registrar] = count.issued

    def missing_counts(self) -> list[str]:
        """Registrars whose count is not on the board yet (registration mode)."""
        return [r.id for r in self.registration().registrars if r.id not in self.book.issued]

    def _on_open(self, entry: Entry) -> None:
        rules = self.defined().definition.registration if self.genesis is not None else None
        self._expect(Phase.CREDENTIALED if rules is None else Phase.KEYED)
        self._fields(entry.payload)
        if rules is not None and not rules.overlap and self.missing_counts():
            raise ElectionError(
                "registration closes before voting opens: no count yet from " + ", ".join(self.missing_counts())
            )
        self.phase = Phase.OPEN

    def check_ballot(
        self,
        ballot: Ballot,
        proofs: bool = True,
        tracker: str | None = None,
        registering: SignedCredential | None = None,
    ) -> str:
        """Everything the box checks before accepting a ballot, cheapest first; returns its
        tracking code (pass `tracker` if it is already known: hashing a ballot is not free).

        With `proofs=False` it stops before the signature and the proofs (the curve work),
        for a caller that checks those elsewhere (the verifier's process pool).

        `registering`: the ballot's credential with its registrars' signatures, to be
        registered with the ballot (then checked here too, and need not be listed yet)."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        ctx = self.context()
        if ballot.fingerprint != ctx.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        if ballot.credential.encoding not in self.book.credentials:
            if registering is None:
                raise InvalidBallot("the ballot's credential is not on the credential list")
            if registering.credential != ballot.credential:
                raise InvalidBallot("the registration is for another credential than the ballot's")
            self.check_signed_credential(registering)
        tracker = tracker or ballot.tracker()
        if tracker in self.book.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")
        if proofs:
            verify_ballot(ballot, ctx)
        else:
            check_ballot_shape(ballot, ctx)
        return tracker

    def check_coercion_ballot(
        self, ballot: CoercionBallot, proofs: bool = True, tracker: str | None = None, body: bytes | None = None
    ) -> str:
        """The box's checks of a coercion-resistant election's ballot (§6.10): the phase,
        the election, no replay, then its proofs (or, `proofs=False`, its shape only).
        Whether its code is registered cannot be checked, and is not. Returns its tracking
        code."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        ctx = self.context()
        if ballot.fingerprint != ctx.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        tracker = tracker or ballot.tracker()
        if tracker in self.book.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")
        if proofs:
            verify_coercion_ballot(ballot, ctx, body)
        else:
            check_answers_shape(ballot.answers, ctx)
        return tracker

    def check_coercion_ballot_json(self, raw: Any, tracker: str) -> None:
        """`check_coercion_ballot`'s checks that depend on the board, on the ballot's JSON:
        the phase, the election, no replay (decoding and proofs are the caller's)."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        if not isinstance(raw, dict):
            raise InvalidEncoding("ballot: expected an object")
        if hex_bytes(raw.get("election"), 32, "ballot.election") != self.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        if tracker in self.book.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")

    def _coercion_row(self, raw: dict[str, Any], tracker: str) -> bytes:
        """A ballot's stage-one row (§7.6 step 1): C, P, (I, L(t)), the answers' choices."""
        own = bytes(32) + link_point(self.fingerprint, bytes.fromhex(tracker)).encoding
        try:
            heads = b"".join(
                hex_bytes(raw[name]["alpha"], 32, "alpha") + hex_bytes(raw[name]["beta"], 32, "beta")
                for name in ("credential", "predecessor")
            )
            return heads + own + row_of_ballot_json(raw)
        except (KeyError, TypeError):  # only where the proofs are checked elsewhere, later
            raise InvalidEncoding("the ballot does not have the shape of a coercion-resistant election's") from None

    def check_ballot_json(self, raw: Any, tracker: str) -> bytes:
        """`check_ballot`'s checks that depend on the board, done on the ballot's JSON: the
        phase, the election, a listed credential, no replay. Returns the credential. Decoding,
        shape, signature and proofs are the caller's to check (or to have checked) in full;
        a listed credential is a valid point (the list was checked)."""
        if self.phase is not Phase.OPEN:
            raise ElectionError("the election is not open for voting")
        election: object
        credential_hex: object
        if isinstance(raw, PackedBallot):  # read with the election's layout: its two values are at hand
            election, credential_hex = raw.election, raw.credential
        elif isinstance(raw, dict):
            election, credential_hex = raw.get("election"), raw.get("credential")
        else:
            raise InvalidEncoding("ballot: expected an object")
        if hex_bytes(election, 32, "ballot.election") != self.fingerprint:
            raise InvalidBallot("the ballot is for another election")
        credential = hex_bytes(credential_hex, 32, "ballot.credential")
        if credential not in self.book.credentials:
            # decoded as `Ballot.from_json` decodes it, so that a ballot checked later (in a
            # batch, on a worker) is refused for the same reason as one checked here; a listed
            # credential is a valid point already (the list was checked), so only an unlisted
            # one is decoded
            point_from_hex(credential_hex, "ballot.credential", nonidentity=True)
            raise InvalidBallot("the ballot's credential is not on the credential list")
        if tracker in self.book.trackers:
            raise InvalidBallot("this exact ballot is already on the board (replay)")
        return credential

    def _on_ballot(self, entry: Entry, checked: tuple[bytes, str] | None) -> None:
        """One path for every ballot: the entry's form, then the ballot's checks — done
        already (`checked`), by the board's order only (the box's own trusted store), the
        costly part handed to workers (`defer_ballot_proofs`), or all of them here — then
        the counting rule's book."""
        self._expect(Phase.OPEN)
        self._fields(entry.payload, "ballot", "channel")
        channels = self.defined().definition.channels
        if entry.payload["channel"] not in channels:
            raise InvalidEncoding(f"channel must be one of the definition's {list(channels)}")
        if self.defined().definition.coercion:
            tracker = checked[1] if checked is not None else self._check_coercion_entry(entry)
            self.book.cast(entry.index, tracker, self._coercion_row(_ballot_json(entry), tracker))
            return
        credential, tracker = checked if checked is not None else self._check_ballot_entry(entry)
        row = row_of_ballot_json(_ballot_json(entry)) if self.defined().definition.mix else None
        self.book.count(entry.index, tracker, credential, row)

    def _check_coercion_entry(self, entry: Entry) -> str:
        raw = _ballot_json(entry)
        if not self.check_proofs:
            return tracker_of_json(raw)
        tracker = tracker_of_canonical(entry.ballot_bytes())
        if self.defer_ballot_proofs is not None:
            self.check_coercion_ballot_json(raw, tracker)
            self.defer_ballot_proofs(entry.index, entry.ballot_bytes())
            return tracker
        ballot = CoercionBallot.from_json(raw)
        return self.check_coercion_ballot(ballot, tracker=tracker, body=body_of_canonical(entry.ballot_bytes()))

    def _check_ballot_entry(self, entry: Entry) -> tuple[bytes, str]:
        raw = entry.payload["ballot"]
        if not self.check_proofs:  # a trusted board (the box's own store): no need to decode the ballot
            raw = _ballot_json(entry)
            return hex_bytes(raw["credential"], 32, "credential"), tracker_of_json(raw)
        tracker = tracker_of_canonical(entry.ballot_bytes())
        if self.defer_ballot_proofs is not None:
            credential = self.check_ballot_json(raw, tracker)
            self.defer_ballot_proofs(entry.index, entry.ballot_bytes())
            return credential, tracker
        ballot = Ballot.from_json(_ballot_json(entry))
        return ballot.credential.encoding, self.check_ballot(ballot, tracker=tracker)

    def _on_close(self, entry: Entry) -> None:
        self._expect(Phase.OPEN)
        self._fields(entry.payload)
        if self.defined().definition.registration is not None and self.missing_counts():
            raise ElectionError(
                "voting closes only once every registrar's count is on the board: none yet from "
                + ", ".join(self.missing_counts())
            )
        definition = self.defined().definition
        if definition.coercion:
            keyed = self.voting()
            self.coercion = CoercionCount(
                self.fingerprint,
                keyed.context.public_key,
                tuple(definition.trustees.identity_keys()),
                tuple(c.verification_key for c in keyed.confirmations),
                definition.trustees.threshold,
                PackedRows(bytes(self.book.stage_rows), CREDENTIAL_COLUMNS + self._width()),
                PackedRows(bytes(self.book.roll), 1),
                self.book.trackers,
                self.check_proofs,
                self.defer_mix_checks,
            )
            self.book.stage_rows, self.book.roll = bytearray(), bytearray()
            if self.coercion.step is Step.COUNTED:  # no ballot: nothing to mix
                self.mixed = self.coercion.counted or self.mixed
        self.phase = Phase.CLOSED

    def _width(self) -> int:
        return sum(len(q.option_list) for q in self.defined().definition.questions)

    def counted_indices(self) -> set[int]:
        """The counting rule: the board index of the last ballot of every credential."""
        return set(self.book.last_ballot.values())

    def sum_counted(self, entries: Iterable[Entry], progress: Callable[[int, int], None] | None = None) -> Aggregate:
        """Add up, option by option, the counted ballots among `entries` (a second pass over
        the board: only the credential → last index map is kept in memory, §7.1–7.2)."""
        counted = self.counted_indices()
        acc = AggregateSum(self.defined().definition)
        done = 0
        for entry in entries:
            if entry.type is EntryType.BALLOT and entry.index in counted:
                acc.add_ballot(Ballot.from_json(_ballot_json(entry)))
                done += 1
                if progress is not None:
                    progress(done, len(counted))
        return acc.total()

    # ---- a mixed election (§7.5) ----------------------------------------------------------

    def mix_inputs(self) -> PackedRows:
        """What the next mix shuffles: the counted ballots' rows in board order (the first
        mix), else the previous mix's output; packed (`vecha.crypto.rows`)."""
        if self.phase not in (Phase.CLOSED, Phase.MIXING) or not self.defined().definition.mix:
            raise ElectionError("there is nothing to mix: a mixed election's ballots are mixed after the close")
        if self.mixes:
            return self.mixed
        order = sorted(self.book.last_ballot.items(), key=lambda item: item[1])
        width = sum(len(q.option_list) for q in self.defined().definition.questions)
        return PackedRows(b"".join(self.book.rows[credential] for credential, _ in order), width)

    def _on_mix(self, entry: Entry) -> None:
        self._expect(Phase.CLOSED, Phase.MIXING)
        if self.coercion is not None:
            self.coercion.on_mix(entry.index, entry.payload, entry.mix_proof_bytes())
            self._after_coercion_step()
            return
        g = self.defined()
        if not g.definition.mix:
            raise ElectionError("this election adds its ballots up: it has no mix")
        inputs = self.mix_inputs()
        if not inputs:
            raise ElectionError("no ballot was counted: there is nothing to mix")
        key, identities = self.context().public_key, g.definition.trustees.identity_keys()
        if self.check_proofs and self.defer_mix_checks is not None:
            # the proof is parsed and checked on a worker: here only the rows the next step needs
            mixer, ballots = mix_rows(entry.payload, len(inputs), inputs.width)
            if mixer != self.mixes + 1:
                raise ElectionError(f"expected the mix of trustee {self.mixes + 1}, not of trustee {mixer}")
            signature, proof = entry.payload["signature"], entry.mix_proof_bytes()
            self.defer_mix_checks(
                entry.index,
                functools.partial(
                    verify_mix_parts, g.fingerprint, key, identities, inputs, mixer, ballots, proof, signature
                ),
            )
        else:
            mix = Mix.from_json(entry.payload, len(inputs), inputs.width)
            if mix.mixer != self.mixes + 1:
                raise ElectionError(f"expected the mix of trustee {self.mixes + 1}, not of trustee {mix.mixer}")
            if self.check_proofs:
                mix.verify(g.fingerprint, key, identities, inputs)
            ballots = mix.ballots
        self.mixed, self.mixes = ballots, self.mixes + 1
        self.book.rows = {}  # the first mix's inputs are on the board; memory is for the mixed rows
        self.phase = Phase.MIXED if self.mixes == g.definition.trustees.count else Phase.MIXING

    def _on_raising(self, entry: Entry) -> None:
        self._expect(Phase.MIXING)
        if self.coercion is None:
            raise ElectionError("only a coercion-resistant election has raisings")
        self.coercion.on_raising(entry.index, entry.payload)
        self._after_coercion_step()

    def _on_tag_decryption(self, entry: Entry) -> None:
        self._expect(Phase.MIXING)
        if self.coercion is None:
            raise ElectionError("only a coercion-resistant election has tag decryptions")
        self.coercion.on_tag_decryption(entry.index, entry.payload)
        self._after_coercion_step()

    def _after_coercion_step(self) -> None:
        """Once the filter knows the rows that count, their answers are what the trustees
        decrypt (§7.6 step 7), as a mixed election's last mix."""
        count = self.coercion
        assert count is not None
        self.phase = Phase.MIXING
        if count.step is Step.COUNTED and count.counted is not None:
            self.mixed, self.mixes = count.counted, self.defined().definition.trustees.count
            self.phase = Phase.MIXED

    def _on_mix_decryption(self, entry: Entry) -> None:
        self._expect(Phase.MIXED, Phase.DECRYPTING)
        self._fields(entry.payload, "trustee", "shares")
        keyed = self.voting()
        j = entry.payload["trustee"]
        if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= len(keyed.confirmations):
            raise InvalidEncoding("mix decryption: unknown trustee")
        if j in self.mix_decryptions:
            raise ElectionError(f"trustee {j} already decrypted the mixed ballots")
        key = keyed.confirmations[j - 1].verification_key if self.check_proofs else None
        fp, given = keyed.genesis.fingerprint, entry.payload["shares"]
        if key is not None and self.defer_mix_checks is not None:
            shares = read_row_shares(fp, j, None, self.mixed, given)  # the shape and encodings here
            check = functools.partial(read_row_shares, fp, j, key, self.mixed, given, self.batched)
            self.defer_mix_checks(entry.index, check)
        else:
            shares = read_row_shares(fp, j, key, self.mixed, given, self.batched)
        self.mix_decryptions[j] = shares
        self.phase = Phase.DECRYPTING

    def opened_ballots(self) -> list[list[int | None]]:
        """The mixed ballots decrypted with the shares so far: each value in 0…the largest
        value a question takes (§6.2); None where a ciphertext opens to none of them."""
        definition = self.defined().definition
        t = definition.trustees.threshold
        if len(self.mix_decryptions) < t:
            raise ElectionError(f"{len(self.mix_decryptions)} trustees decrypted the mixed ballots; {t} are needed")
        bound = max(q.value_max for q in definition.questions)
        return open_rows(self.mixed, self.mix_decryptions, bound)

    def _mixed_result(self) -> dict[str, Any]:
        opened = self.opened_ballots() if self.mixed else []
        result = count_opened(self.defined().definition, opened, self._close_hash)
        if self.coercion is not None:
            result["coercion"] = self.coercion.summary(self.book.ballots)
        return result

    def nothing_to_decrypt(self) -> bool:
        """A mixed election whose count has no row to decrypt: no counted ballot, or (a
        coercion-resistant election) no row that matched the roll. Its result follows at once."""
        if self.genesis is None or not self.genesis.definition.mix or self.phase < Phase.CLOSED:
            return False
        if self.coercion is not None:
            return self.coercion.step is Step.COUNTED and not self.mixed
        return not self.book.last_ballot

    def _on_tally(self, entry: Entry) -> None:
        self._expect(Phase.CLOSED)
        if self.defined().definition.mix:
            raise ElectionError("a mixed election has no tally: its ballots are mixed, then decrypted one by one")
        self._fields(entry.payload, "counted", "aggregate")
        counted, should = entry.payload["counted"], len(self.book.last_ballot)
        if isinstance(counted, bool) or not isinstance(counted, int) or counted != should:
            raise RecordError(
                f"entry {entry.index} (tally): counts {counted!r} ballots, the counting rule gives {should}"
            )
        aggregate = aggregate_from_json(entry.payload["aggregate"], self.defined().definition)
        self.tally = Tally(entry.index, should, aggregate, self._close_hash)
        self.phase = Phase.TALLIED

    def _on_decryption(self, entry: Entry) -> None:
        self._expect(Phase.TALLIED, Phase.DECRYPTING)
        self._fields(entry.payload, "trustee", "shares")
        keyed, tally = self.voting(), self.tallied()
        j = entry.payload["trustee"]
        if isinstance(j, bool) or not isinstance(j, int) or not 1 <= j <= len(keyed.confirmations):
            raise InvalidEncoding("decryption: unknown trustee")
        if j in self.decryptions:
            raise ElectionError(f"trustee {j} already decrypted")
        rows = entry.payload["shares"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise InvalidEncoding("decryption shares: one list per question")
        shares = [
            [DecryptionShare.from_json(s, f"shares[{qi}][{oi}]") for oi, s in enumerate(row)]
            for qi, row in enumerate(rows)
        ]
        if self.check_proofs:
            key = keyed.confirmations[j - 1].verification_key
            verify_partial(keyed.genesis.fingerprint, j, key, tally.aggregate, shares, batched=self.batched)
        self.decryptions[j] = shares
        self.phase = Phase.DECRYPTING

    def expected_result(self) -> dict[str, Any]:
        """The result that the decryptions so far give (spec §7.4, §7.5, §9)."""
        if self.genesis is not None and self.genesis.definition.mix:
            if self.nothing_to_decrypt():
                return self._mixed_result()  # no row to mix or decrypt
            if self.phase not in (Phase.MIXED, Phase.DECRYPTING):
                raise ElectionError("the ballots are not mixed and decrypted yet")
            return self._mixed_result()
        if self.tally is None:
            raise ElectionError("there is no tally to decrypt yet")
        tally, definition = self.tally, self.defined().definition
        if len(self.decryptions) < definition.trustees.threshold:
            raise ElectionError(
                f"{len(self.decryptions)} trustees decrypted; {definition.trustees.threshold} are needed"
            )
        counts = combine_shares(tally.aggregate, self.decryptions, tally.counted)
        return compute_result(definition, counts, tally.counted, tally.close_hash)

    def _on_result(self, entry: Entry) -> None:
        if self.nothing_to_decrypt():
            self._expect(Phase.CLOSED, Phase.MIXED)
        else:
            self._expect(Phase.DECRYPTING)
        expected = self.expected_result()
        if canonical_bytes(expected) != canonical_bytes(entry.payload):
            raise RecordError(f"entry {entry.index} (result): differs from the result recomputed from the shares")
        self.result = entry.payload
        self.phase = Phase.DONE


_BOOTH_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
MAX_BOOTH_FILES = 512


def _booth_pins(value: Any) -> dict[str, str]:
    """Spec §8.7: `{"files": {path: hex(SHA-256)}}`, relative paths of the booth's files."""
    if value == {}:
        return {}
    if not isinstance(value, dict) or set(value) != {"files"} or not isinstance(value["files"], dict):
        raise InvalidEncoding('the booth pins are {"files": {path: sha256}}')
    files = value["files"]
    if not 1 <= len(files) <= MAX_BOOTH_FILES:
        raise InvalidEncoding(f"the booth pins name 1 to {MAX_BOOTH_FILES} files")
    for path, digest in files.items():
        if not _BOOTH_PATH.fullmatch(path) or ".." in path.split("/"):
            raise InvalidEncoding(f"booth pin {path!r}: a relative path of letters, digits, '.', '_' and '-'")
        hex_bytes(digest, 32, f"booth pin {path}")
    return dict(files)


def _ballot_json(entry: Entry) -> Any:
    """A ballot entry's ballot as JSON: parsed here if it was read packed (`PackedBallot`),
    where more than its credential and election is needed."""
    ballot = entry.payload["ballot"]
    return ballot.value() if isinstance(ballot, CanonicalText) else ballot
