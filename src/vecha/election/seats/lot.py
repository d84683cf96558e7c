"""A public, reproducible lot for breaking ties (spec §9.4).

Every name gets the rank SHA-512(frame("vecha/v1/lot") ‖ frame("seed") ‖ frame(seed) ‖
frame("name") ‖ frame(UTF-8 name)) read as a big-endian integer; among tied names the
smallest rank wins. The seed comes from the election record, so every verifier draws
the same lot; nobody can steer it without changing the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vecha.crypto.transcript import Transcript

__all__ = ["Lot"]


@dataclass(frozen=True, slots=True)
class Lot:
    seed: bytes

    @classmethod
    def from_text(cls, text: str) -> Lot:
        """A seed given on the command line: hex if it is hex, else its UTF-8 bytes."""
        try:
            return cls(bytes.fromhex(text))
        except ValueError:
            return cls(text.encode())

    def rank(self, name: str) -> int:
        digest = Transcript("lot").raw("seed", self.seed).text("name", name).digest()
        return int.from_bytes(digest, "big")

    def order(self, names: Iterable[str]) -> list[str]:
        """The names in the order the lot puts them (first = wins a tie)."""
        return sorted(names, key=self.rank)
