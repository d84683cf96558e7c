"""Signed checkpoints of the board's head (spec §8.3).

The board signs, with Ed25519, the canonical JSON of
``{"type": "vecha/v1/checkpoint", "election": <id>, "height": <number of entries>,
"head": <hex hash of the last entry>}``. Mirrors keep checkpoints: two valid checkpoints
with the same height and different heads prove that the board forked its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vecha.crypto import _sodium
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.encoding import hex_bytes
from vecha.errors import InvalidEncoding, InvalidSignature

__all__ = ["Checkpoint", "sign_checkpoint", "BoardKey"]


@dataclass(frozen=True)
class BoardKey:
    """The board's Ed25519 signing key (held by the ballot box, never in the record)."""

    seed: bytes

    @cached_property
    def _keypair(self) -> tuple[bytes, bytes]:
        # derived once: the ballot box signs a receipt for every ballot
        return _sodium.sign_seed_keypair(self.seed)

    @property
    def public(self) -> bytes:
        return self._keypair[0]

    def sign(self, message: bytes) -> bytes:
        return _sodium.sign_detached(message, self._keypair[1])


def _message(election: str, height: int, head: bytes) -> bytes:
    return canonical_bytes({"type": "vecha/v1/checkpoint", "election": election, "height": height, "head": head.hex()})


@dataclass(frozen=True)
class Checkpoint:
    election: str
    height: int
    head: bytes
    signature: bytes

    def verify(self, board_public: bytes) -> None:
        if not _sodium.verify_detached(self.signature, _message(self.election, self.height, self.head), board_public):
            raise InvalidSignature(f"checkpoint at height {self.height}: the board's signature does not verify")

    def to_json(self) -> dict[str, Any]:
        return {
            "election": self.election,
            "height": self.height,
            "head": self.head.hex(),
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> Checkpoint:
        if not isinstance(obj, dict) or set(obj) != {"election", "height", "head", "signature"}:
            raise InvalidEncoding("a checkpoint has election, height, head and signature")
        h = obj["height"]
        if isinstance(h, bool) or not isinstance(h, int) or h < 1 or not isinstance(obj["election"], str):
            raise InvalidEncoding("checkpoint height must be a positive integer")
        return cls(
            obj["election"],
            h,
            hex_bytes(obj["head"], 32, "checkpoint.head"),
            hex_bytes(obj["signature"], 64, "checkpoint.signature"),
        )


def sign_checkpoint(key: BoardKey, election: str, height: int, head: bytes) -> Checkpoint:
    return Checkpoint(election, height, head, key.sign(_message(election, height, head)))
