"""Board entries and their hash chain (spec §8.1).

An entry is a JSON object with exactly the keys
``version`` (3), ``election`` (the election id), ``index`` (0, 1, 2, …), ``parent`` (hex of
the previous entry's hash; 64 zeros for entry 0), ``time`` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``),
``type`` and ``payload``. Its hash is

    hash_i = SHA-512( frame("vecha/v1/board-entry") ‖ frame("parent") ‖ frame(hash_{i−1})
                      ‖ frame("entry") ‖ frame(canonical(entry_i)) )[0:32]

and the election fingerprint is hash_0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from vecha.crypto.canonical import CanonicalText, canonical_bytes, parse_canonical
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding, RecordError

if TYPE_CHECKING:
    from vecha.election.packed_ballots import Layout

__all__ = ["EntryType", "Entry", "entry_hash", "GENESIS_PARENT", "parse_entry", "RECORD_VERSION"]

RECORD_VERSION = 3
GENESIS_PARENT = bytes(32)
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")  #: ASCII digits, whole string
_BALLOT_START = b'"payload":{"ballot":'
_CHANNEL_START = b',"channel":"'


class EntryType(StrEnum):
    ELECTION = "election"
    TRUSTEE = "trustee"
    TRUSTEE_CONFIRMATION = "trustee-confirmation"
    JOINT_KEY = "joint-key"
    CREDENTIALS = "credentials"
    SIGNED_CREDENTIAL = "signed-credential"
    ROLL_ENTRY = "roll-entry"
    REGISTRAR_COUNT = "registrar-count"
    OPEN = "open"
    BALLOT = "ballot"
    CLOSE = "close"
    MIX = "mix"
    RAISING = "raising"
    TAG_DECRYPTION = "tag-decryption"
    MIX_DECRYPTION = "mix-decryption"
    TALLY = "tally"
    DECRYPTION = "decryption"
    RESULT = "result"


def _valid_time(text: str) -> bool:
    """`YYYY-MM-DDTHH:MM:SSZ` in ASCII digits, nothing after it, and a real date and time."""
    if not _TIME.fullmatch(text):
        return False
    try:  # what strptime would accept of these digits (seconds 60 and 61 included: it refuses them too)
        datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]), int(text[17:19]))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Entry:
    election: str
    index: int
    parent: bytes
    time: str
    type: EntryType
    payload: dict[str, Any]
    #: the canonical JSON this entry was read from, when it was (`from_canonical`): hashing
    #: it again needs no re-encoding
    raw: bytes | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "election": self.election,
            "index": self.index,
            "parent": self.parent.hex(),
            "time": self.time,
            "type": self.type.value,
            "payload": self.payload,
        }

    def canonical(self) -> bytes:
        return self.raw if self.raw is not None else canonical_bytes(self.to_json())

    @classmethod
    def from_canonical(cls, raw: bytes, layout: Layout | None = None) -> Entry:
        """Decode an entry that must be in canonical form (a line of a record, a row of the store).
        A large mix or decryption of the mixed ballots is read packed (`packed_entries`), and,
        given the election's ballot layout, so is a ballot (a `PackedBallot`: a verifier's
        reading)."""
        from vecha.record.packed_entries import packed_ballot_entry, packed_entry

        packed = packed_ballot_entry(raw, layout) if layout is not None else None
        if packed is None:
            packed = packed_entry(raw)
        return cls.from_json(packed if packed is not None else parse_canonical(raw), raw)

    def ballot_bytes(self) -> bytes:
        """For a ballot entry read from canonical JSON: the canonical JSON of its ballot, cut
        out of the entry's bytes (the payload is `{"ballot": B, "channel": C}`, keys sorted,
        and C is one of a few fixed words, so B ends where the last `,"channel":"` begins)."""
        if self.raw is None:
            return canonical_bytes(self.payload["ballot"])
        return ballot_of_line(self.raw)

    def mix_proof_bytes(self) -> bytes:
        """For a mix entry: the canonical JSON of its proof. A large mix read packed holds it
        as its bytes already (`CanonicalText`); a small one is encoded again, which costs
        little."""
        proof = self.payload["proof"]
        return proof.data if isinstance(proof, CanonicalText) else canonical_bytes(proof)

    def hash(self) -> bytes:
        return entry_hash(self.parent, self.canonical())

    @classmethod
    def from_json(cls, obj: Any, raw: bytes | None = None) -> Entry:
        """The entry `obj` describes; `raw`: the canonical JSON it was read from (`from_canonical`)."""
        keys = {"version", "election", "index", "parent", "time", "type", "payload"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise InvalidEncoding(f"an entry has exactly the fields {sorted(keys)}")
        if obj["version"] != RECORD_VERSION:
            raise InvalidEncoding(f"unsupported record version {obj['version']!r}")
        index = obj["index"]
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise InvalidEncoding("entry index must be a non-negative integer")
        if not isinstance(obj["election"], str) or not isinstance(obj["payload"], dict):
            raise InvalidEncoding("entry election must be a string and payload an object")
        if not isinstance(obj["time"], str) or not _valid_time(obj["time"]):
            raise InvalidEncoding("entry time must be UTC as YYYY-MM-DDTHH:MM:SSZ")
        try:
            kind = EntryType(obj["type"])
        except ValueError:
            raise InvalidEncoding(f"unknown entry type {obj['type']!r}") from None
        return cls(
            obj["election"], index, hex_bytes(obj["parent"], 32, "parent"), obj["time"], kind, obj["payload"], raw
        )


def ballot_of_line(line: bytes) -> bytes:
    """The canonical JSON of the ballot in a ballot entry's canonical JSON (a line of a
    checked record), cut out of it (`Entry.ballot_bytes`)."""
    start = line.index(_BALLOT_START) + len(_BALLOT_START)
    return line[start : line.rindex(_CHANNEL_START)]


def entry_hash(parent: bytes, canonical_entry: bytes) -> bytes:
    return Transcript("board-entry").raw("parent", parent).raw("entry", canonical_entry).digest()[:32]


def parse_entry(raw: bytes, expected_index: int, layout: Layout | None = None) -> Entry:
    """Decode the canonical JSON of the entry expected at `expected_index` (a ballot packed,
    given the election's ballot layout)."""
    try:
        entry = Entry.from_canonical(raw, layout)
    except InvalidEncoding as e:
        raise RecordError(f"entry {expected_index}: {e}", expected_index, InvalidEncoding) from None
    if entry.index != expected_index:
        raise RecordError(f"entry {expected_index}: its index says {entry.index}", expected_index)
    return entry
