"""Receipts: the board's signed word that a ballot is on it (spec §6.5).

A receipt is `{"election", "tracker", "index", "signature"}`, the board key's Ed25519
signature over `canonical({"type": "vecha/v1/receipt", "election", "tracker", "index"})`.
A valid receipt for a ballot that is missing from the published record proves that the
board dropped a ballot it had accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vecha.crypto import _sodium
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.encoding import hex_bytes
from vecha.errors import InvalidBallot, InvalidEncoding, InvalidSignature, RecordError
from vecha.record.archive import find_tracker, iter_board

__all__ = ["Receipt", "receipt_message", "check_receipt"]


def receipt_message(election: str, tracker: str, index: int) -> bytes:
    return canonical_bytes({"type": "vecha/v1/receipt", "election": election, "tracker": tracker, "index": index})


@dataclass(frozen=True)
class Receipt:
    election: str
    tracker: str
    index: int
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "election": self.election,
            "tracker": self.tracker,
            "index": self.index,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Receipt:
        if not isinstance(obj, dict) or set(obj) != {"election", "tracker", "index", "signature"}:
            raise InvalidEncoding("a receipt has election, tracker, index and signature")
        index = obj["index"]
        if isinstance(index, bool) or not isinstance(index, int) or index < 0 or not isinstance(obj["election"], str):
            raise InvalidEncoding("a receipt's index is a non-negative integer")
        tracker = hex_bytes(obj["tracker"], 32, "receipt.tracker").hex()
        return cls(obj["election"], tracker, index, hex_bytes(obj["signature"], 64, "receipt.signature"))

    def verify(self, board_key: bytes) -> None:
        if not _sodium.verify_detached(
            self.signature, receipt_message(self.election, self.tracker, self.index), board_key
        ):
            raise InvalidSignature("the receipt is not signed by this election's ballot box")


def check_receipt(directory: Path, receipt: Receipt) -> bool | None:
    """Check a receipt against a record; returns whether the ballot counts (None in a
    coercion-resistant election: no single ballot shows it). Raises if the receipt is not the
    board's, or if the board dropped or moved the ballot it acknowledged."""
    first = next(iter_board(directory))
    if first.election != receipt.election:
        raise RecordError(f"the receipt is for election {receipt.election!r}, the record for {first.election!r}")
    receipt.verify(hex_bytes(first.payload.get("board_key"), 32, "board_key"))
    try:
        index, counts = find_tracker(directory, receipt.tracker)
    except InvalidBallot:
        raise RecordError(
            "the ballot box acknowledged this ballot but it is not in the record: keep this receipt, "
            "it proves that an accepted ballot was dropped"
        ) from None
    if index != receipt.index:
        raise RecordError(f"the board acknowledged this ballot at entry {receipt.index}, the record has it at {index}")
    return counts
