"""The roll of a coercion-resistant election (spec §6.10; docs/coercion.md §3).

A roll entry is a registered credential kept encrypted: `R = E(S) = (r·G, S + r·K)` for
the credential point S of the voter's real code, with the registrars' blind signatures on
`R` (so a registrar never sees R, nor can link it to the application it approved) and a
proof that the poster knows r. The device posts it through any anonymous channel and
forgets r. Nothing in it says whose it is, and without r nobody, the voter included, can
show what it encrypts.

Why the proof: a roll entry is only ever counted against ballots cast with its S, so
posting someone else's R gains nothing; but a copied R is a replay (refused), a
re-randomized one loses its signatures, and the proof makes sure the poster could have
cast ballots for it at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs import SchnorrProof, prove_knowledge, verify_knowledge
from vecha.crypto.transcript import Transcript
from vecha.election.ballot import ciphertext_from_json, schnorr_from_json, schnorr_to_json
from vecha.election.eligibility import (
    RegistrarSignature,
    RegistrationRules,
    registrar_signatures_from_json,
    verify_registrar_signatures,
)
from vecha.errors import InvalidEncoding

__all__ = ["RollEntry", "roll_message", "encrypt_credential", "make_roll_entry"]

ROLL_PURPOSE = "roll-entry"


def roll_message(fingerprint: bytes, credential: Ciphertext) -> bytes:
    """What a registrar signs blindly for a roll entry: the 64-byte
    T("roll-entry", [("election", fp), ("alpha", α), ("beta", β)])."""
    t = Transcript("roll-entry").raw("election", fingerprint)
    return t.point("alpha", credential.alpha).point("beta", credential.beta).digest()


def _context(fingerprint: bytes, credential: Ciphertext) -> bytes:
    return fingerprint + credential.alpha.encoding + credential.beta.encoding


def encrypt_credential(key: Point, credential: Point) -> tuple[Ciphertext, Scalar]:
    """R = (r·G, S + r·K) for a fresh nonzero r; the device keeps r only until it posts R."""
    r = Scalar.random()
    return Ciphertext(Point.base_mul(r), credential + key * r), r


@dataclass(frozen=True)
class RollEntry:
    """The payload of a `roll-entry` entry."""

    credential: Ciphertext  #: R = E(S)
    proof: SchnorrProof  #: of r, for α = r·G
    signatures: tuple[RegistrarSignature, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "credential": {"alpha": self.credential.alpha.hex(), "beta": self.credential.beta.hex()},
            "proof": schnorr_to_json(self.proof),
            "signatures": [s.to_json() for s in self.signatures],
        }

    @classmethod
    def from_json(cls, obj: Any, rules: RegistrationRules) -> RollEntry:
        if not isinstance(obj, dict) or set(obj) != {"credential", "proof", "signatures"}:
            raise InvalidEncoding("a roll entry is {credential, proof, signatures}")
        credential = ciphertext_from_json(obj["credential"], "credential", nonidentity_alpha=True)
        proof = schnorr_from_json(obj["proof"], "proof")
        return cls(credential, proof, registrar_signatures_from_json(obj["signatures"], rules, "a roll entry"))

    @property
    def registrars(self) -> tuple[str, ...]:
        return tuple(s.registrar for s in self.signatures)

    def verify(self, fingerprint: bytes, rules: RegistrationRules) -> None:
        """The proof of r (`InvalidProof`), then every registrar signature and enough of them
        (`InvalidSignature`)."""
        verify_knowledge(self.proof, self.credential.alpha, _context(fingerprint, self.credential), ROLL_PURPOSE)
        verify_registrar_signatures(
            self.signatures, roll_message(fingerprint, self.credential), rules, "the roll entry"
        )


def make_roll_entry(
    fingerprint: bytes, credential: Ciphertext, randomness: Scalar, signatures: list[RegistrarSignature]
) -> RollEntry:
    proof = prove_knowledge(randomness, credential.alpha, _context(fingerprint, credential), ROLL_PURPOSE)
    return RollEntry(credential, proof, tuple(sorted(signatures, key=lambda s: s.registrar)))
