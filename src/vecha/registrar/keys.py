"""A registrar's secret key file, and the public part the organizer puts in the definition.

The file holds the RSA key that blind-signs credentials, the Ed25519 seed that signs the
registrar's count, the HMAC key of the duplicate hashes and the key of the puzzle seeds.
It is kept apart from the registrar's database on purpose: a seized database alone holds
only ciphertext and keyed hashes, and a duplicate hash (over a document number, say)
cannot be searched for without the HMAC key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vecha.crypto import _sodium, blind_rsa
from vecha.crypto.encoding import hex_bytes
from vecha.election.identity import signed_message
from vecha.errors import InvalidEncoding

__all__ = ["RegistrarKey"]


@dataclass(frozen=True, repr=False)
class RegistrarKey:
    registrar: str
    blind: blind_rsa.BlindSecretKey
    signing_seed: bytes
    hmac_key: bytes
    puzzle_key: bytes

    def __repr__(self) -> str:
        return f"RegistrarKey({self.registrar})"

    @classmethod
    def new(cls, registrar: str, bits: int = blind_rsa.KEY_BITS) -> RegistrarKey:
        return cls(
            registrar,
            blind_rsa.generate_key(bits),
            secrets.token_bytes(32),
            secrets.token_bytes(32),
            secrets.token_bytes(32),
        )

    @cached_property
    def _signing(self) -> tuple[bytes, bytes]:
        return _sodium.sign_seed_keypair(self.signing_seed)

    @property
    def signing_public(self) -> bytes:
        return self._signing[0]

    def sign(self, kind: str, fingerprint: bytes, body: dict[str, Any]) -> bytes:
        return _sodium.sign_detached(signed_message(kind, fingerprint, body), self._signing[1])

    def public_spec(self, name: str | dict[str, str], reviewers: list[str]) -> dict[str, Any]:
        """This registrar's entry of the definition's `registration.registrars`."""
        return {
            "id": self.registrar,
            "name": name,
            "blind_key": self.blind.public.to_json(),
            "signing_key": self.signing_public.hex(),
            "reviewers": reviewers,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 2,
            "registrar": self.registrar,
            "blind_key": {
                "p": format(self.blind.p, "x"),
                "q": format(self.blind.q, "x"),
                "e": format(self.blind.e, "x"),
            },
            "signing_seed": self.signing_seed.hex(),
            "hmac_key": self.hmac_key.hex(),
            "puzzle_key": self.puzzle_key.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> RegistrarKey:
        keys = {"version", "registrar", "blind_key", "signing_seed", "hmac_key", "puzzle_key"}
        if (
            not isinstance(obj, dict)
            or set(obj) != keys
            or obj["version"] != 2
            or not isinstance(obj["registrar"], str)
        ):
            raise InvalidEncoding("not a registrar key file")
        b = obj["blind_key"]
        try:
            blind = blind_rsa.BlindSecretKey(int(b["p"], 16), int(b["q"], 16), int(b["e"], 16))
        except (KeyError, TypeError, ValueError):
            raise InvalidEncoding("the registrar key file's blind_key is {p, q, e} in hex") from None
        return cls(
            obj["registrar"],
            blind,
            hex_bytes(obj["signing_seed"], 32, "signing_seed"),
            hex_bytes(obj["hmac_key"], 32, "hmac_key"),
            hex_bytes(obj["puzzle_key"], 32, "puzzle_key"),
        )
