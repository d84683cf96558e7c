"""A proof that a ballot box signed two histories (spec §8.3, threat model §2.1).

    {"version": 2, "kind": "equivocation", "election_entry": <entry 0, canonical JSON as text>,
     "checkpoints": [checkpoint, checkpoint]}

Entry 0 names the election and its board key (and hashes to the election's fingerprint);
the two checkpoints are for that election, at the same height, with different heads, and
both verify under that key. Anyone can check it with `vecha verify FILE`: no honest box
signs two heads at one height, so the file proves that this box showed different people
different boards, whatever else it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vecha.crypto.encoding import hex_bytes
from vecha.errors import InvalidEncoding, RecordError
from vecha.record.checkpoint import Checkpoint
from vecha.record.entries import Entry, EntryType

__all__ = ["Equivocation", "equivocation_of", "is_equivocation_file"]


def is_equivocation_file(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("kind") == "equivocation"


@dataclass(frozen=True)
class Equivocation:
    election_entry: bytes  #: entry 0's canonical JSON
    first: Checkpoint
    second: Checkpoint

    @property
    def height(self) -> int:
        return self.first.height

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 2,
            "kind": "equivocation",
            "election_entry": self.election_entry.decode("utf-8"),
            "checkpoints": [self.first.to_json(), self.second.to_json()],
        }

    @classmethod
    def from_json(cls, obj: Any) -> Equivocation:
        if not isinstance(obj, dict) or set(obj) != {"version", "kind", "election_entry", "checkpoints"}:
            raise InvalidEncoding("a proof of equivocation has version, kind, election_entry and checkpoints")
        if obj["version"] != 2 or obj["kind"] != "equivocation" or not isinstance(obj["election_entry"], str):
            raise InvalidEncoding("not a version 2 proof of equivocation")
        cps = obj["checkpoints"]
        if not isinstance(cps, list) or len(cps) != 2:
            raise InvalidEncoding("a proof of equivocation holds two checkpoints")
        return cls(obj["election_entry"].encode("utf-8"), Checkpoint.from_json(cps[0]), Checkpoint.from_json(cps[1]))

    def check(self) -> Entry:
        """Raise unless this proves equivocation; returns the election's entry 0."""
        entry = Entry.from_canonical(self.election_entry)
        if entry.index != 0 or entry.type is not EntryType.ELECTION:
            raise RecordError("the proof's election entry is not an election's entry 0")
        board_key = hex_bytes(entry.payload.get("board_key"), 32, "board_key")
        a, b = self.first, self.second
        if a.election != entry.election or b.election != entry.election:
            raise RecordError("a checkpoint of the proof is for another election")
        if a.height != b.height:
            raise RecordError("the checkpoints are at different heights: that proves nothing")
        if a.head == b.head:
            raise RecordError("the checkpoints name the same head: that proves nothing")
        a.verify(board_key)
        b.verify(board_key)
        return entry


def equivocation_of(election_entry: bytes, mine: Checkpoint, theirs: Checkpoint) -> Equivocation | None:
    """The proof, if `mine` and `theirs` are two signed heads at one height; else None."""
    if mine.height != theirs.height or mine.head == theirs.head:
        return None
    proof = Equivocation(election_entry, mine, theirs)
    proof.check()
    return proof
