"""Trustees' long-term identity keys (spec §5.1).

A trustee makes an Ed25519 identity key once, on its own machine, and hands the organizer
only the public half; the organizer writes it into the election definition, so it is fixed
by the election fingerprint before the ceremony starts. Every ceremony message a trustee
sends is signed with it, so whoever carries the messages (the ballot box, a proxy, the
organizer's e-mail) cannot replace one unnoticed.

The *identity fingerprint* is a short code a trustee reads aloud to the organizer (or
publishes on its own site) so that the key in the definition can be checked out of band:
the first 80 bits of T("trustee-identity", key) in Crockford base 32, four groups of four.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vecha.crypto import _sodium
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding, InvalidSignature

__all__ = ["TrusteeIdentity", "identity_fingerprint", "verify_signed", "verify_signed_message", "signed_message"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def identity_fingerprint(public: bytes) -> str:
    """The 16-character code that names an identity key out of band (e.g. `7QKD-2M9X-G4TB-HN0C`)."""
    digest = Transcript("trustee-identity").raw("key", public).digest()[:10]
    n = int.from_bytes(digest, "big")
    chars = "".join(_ALPHABET[(n >> (5 * (15 - k))) & 31] for k in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def signed_message(kind: str, fingerprint: bytes, body: dict[str, Any]) -> bytes:
    """What an identity key signs: canonical({"type": "vecha/v2/<kind>", "election": hex(fp), "body": body})."""
    return canonical_bytes({"type": f"vecha/v2/{kind}", "election": fingerprint.hex(), "body": body})


def verify_signed(public: bytes, signature: bytes, kind: str, fingerprint: bytes, body: dict[str, Any]) -> None:
    verify_signed_message(public, signature, signed_message(kind, fingerprint, body))


def verify_signed_message(public: bytes, signature: bytes, message: bytes | bytearray) -> None:
    """`verify_signed` for a message already in `signed_message`'s form (a large one,
    assembled without building its object: a mix)."""
    if not _sodium.verify_detached(signature, message, public):
        raise InvalidSignature("the trustee's identity signature does not verify")


@dataclass(frozen=True)
class TrusteeIdentity:
    """An Ed25519 identity key pair, from its 32-byte seed (kept by the trustee, never sent)."""

    seed: bytes

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise InvalidEncoding("an identity seed is 32 bytes")

    @classmethod
    def new(cls) -> TrusteeIdentity:
        return cls(secrets.token_bytes(32))

    @cached_property
    def _keypair(self) -> tuple[bytes, bytes]:
        return _sodium.sign_seed_keypair(self.seed)

    @property
    def public(self) -> bytes:
        return self._keypair[0]

    @property
    def fingerprint(self) -> str:
        return identity_fingerprint(self.public)

    def sign(self, kind: str, fingerprint: bytes, body: dict[str, Any]) -> bytes:
        return _sodium.sign_detached(signed_message(kind, fingerprint, body), self._keypair[1])

    def sign_message(self, message: bytes | bytearray) -> bytes:
        """Sign a message already in the form `signed_message` gives (a large one, assembled
        without building its object)."""
        return _sodium.sign_detached(message, self._keypair[1])

    def to_json(self) -> dict[str, Any]:
        return {"version": 2, "identity_seed": self.seed.hex(), "public": self.public.hex()}

    @classmethod
    def from_json(cls, obj: Any) -> TrusteeIdentity:
        if not isinstance(obj, dict) or set(obj) != {"version", "identity_seed", "public"} or obj["version"] != 2:
            raise InvalidEncoding("not a trustee identity file")
        identity = cls(hex_bytes(obj["identity_seed"], 32, "identity_seed"))
        if identity.public.hex() != obj["public"]:
            raise InvalidEncoding("the identity file's public key does not match its seed")
        return identity
