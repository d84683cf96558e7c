"""Chaum–Pedersen proof of equal discrete logarithms (spec §4.2).

Statement: the prover knows x with X = x·G and Y = x·H (for a decryption share:
H is the aggregate α, X the trustee's verification key, Y the share).
Proof (c, r): commitments A = w·G, B = w·H; c = H_purpose(context, H, X, Y, A, B);
r = w + c·x. Check: A' = r·G − c·X, B' = r·H − c·Y, c = H_purpose(context, H, X, Y, A', B').
"""

from __future__ import annotations

from dataclasses import dataclass

from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidProof

__all__ = ["EqualityProof", "prove_equality", "verify_equality"]


@dataclass(frozen=True, slots=True)
class EqualityProof:
    challenge: Scalar  #: c
    response: Scalar  #: r


def _challenge(purpose: str, context: bytes, base: Point, x: Point, y: Point, a: Point, b: Point) -> Scalar:
    return (
        Transcript(purpose)
        .raw("context", context)
        .point("H", base)
        .point("X", x)
        .point("Y", y)
        .point("A", a)
        .point("B", b)
        .challenge()
    )


def prove_equality(
    secret: Scalar, base: Point, x: Point, y: Point, context: bytes, purpose: str = "chaum-pedersen"
) -> EqualityProof:
    w = Scalar.random()
    c = _challenge(purpose, context, base, x, y, Point.base_mul(w), base * w)
    return EqualityProof(c, w + c * secret)


def verify_equality(
    proof: EqualityProof, base: Point, x: Point, y: Point, context: bytes, purpose: str = "chaum-pedersen"
) -> None:
    """Raise `InvalidProof` unless log_G(x) = log_base(y) is proven."""
    a = Point.base_double_mul(proof.response, -proof.challenge, x)  # r·G − c·X
    b = Point.double_mul(proof.response, base, -proof.challenge, y)  # r·H − c·Y
    if _challenge(purpose, context, base, x, y, a, b) != proof.challenge:
        raise InvalidProof(f"{purpose} proof does not verify")
