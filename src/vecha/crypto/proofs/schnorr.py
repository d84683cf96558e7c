"""Schnorr proof of knowledge of a discrete logarithm (spec §4.1).

Statement: the prover knows x with X = x·G.
Proof (c, r): the prover picks w, computes the commitment A = w·G, the challenge
c = H_purpose(context, X, A) and the response r = w + c·x.
Check: A' = r·G − c·X, and c = H_purpose(context, X, A').

The same construction, with the message to sign in `context`, is the credential's
signature on a ballot (§6.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidProof

__all__ = ["SchnorrProof", "prove_knowledge", "verify_knowledge"]


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    challenge: Scalar  #: c
    response: Scalar  #: r


def _challenge(purpose: str, context: bytes, public: Point, commitment: Point) -> Scalar:
    return Transcript(purpose).raw("context", context).point("X", public).point("A", commitment).challenge()


def prove_knowledge(secret: Scalar, public: Point, context: bytes, purpose: str = "schnorr") -> SchnorrProof:
    w = Scalar.random()
    c = _challenge(purpose, context, public, Point.base_mul(w))
    return SchnorrProof(c, w + c * secret)


def verify_knowledge(proof: SchnorrProof, public: Point, context: bytes, purpose: str = "schnorr") -> None:
    """Raise `InvalidProof` unless `proof` shows knowledge of log_G(public)."""
    commitment = Point.base_double_mul(proof.response, -proof.challenge, public)  # r·G − c·X
    if _challenge(purpose, context, public, commitment) != proof.challenge:
        raise InvalidProof(f"{purpose} proof does not verify")
