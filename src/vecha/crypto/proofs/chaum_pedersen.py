"""Chaum–Pedersen proof of equal discrete logarithms (spec §4.2).

Statement: the prover knows x with X = x·G and Y = x·H (for a decryption share:
H is the aggregate α, X the trustee's verification key, Y the share).
Proof (A, B, r): commitments A = w·G, B = w·H; c = H_purpose(context, H, X, Y, A, B);
r = w + c·x. Check: c from the proof's own commitments, then r·G = A + c·X and
r·H = B + c·Y: two linear equations, which a batch checks together with others
(`batch_equality`, §4.7).
"""

from __future__ import annotations

from dataclasses import dataclass

from vecha.crypto.batch import Batch
from vecha.crypto.encoding import point_from_hex, scalar_from_hex
from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding, InvalidProof

__all__ = [
    "EqualityProof",
    "prove_equality",
    "verify_equality",
    "batch_equality",
    "equality_to_json",
    "equality_from_json",
    "EQUALITY_KEYS",
]

#: the members of a proof in JSON (spec §4.2), in canonical order
EQUALITY_KEYS = ("a", "b", "response")


@dataclass(frozen=True, slots=True)
class EqualityProof:
    a: Point  #: A = w·G
    b: Point  #: B = w·H
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
    a, b = Point.base_mul(w), base * w
    return EqualityProof(a, b, w + _challenge(purpose, context, base, x, y, a, b) * secret)


def verify_equality(
    proof: EqualityProof, base: Point, x: Point, y: Point, context: bytes, purpose: str = "chaum-pedersen"
) -> None:
    """Raise `InvalidProof` unless log_G(x) = log_base(y) is proven."""
    c = _challenge(purpose, context, base, x, y, proof.a, proof.b)
    minus_c = -c
    if Point.base_double_mul(proof.response, minus_c, x) != proof.a:  # r·G − c·X
        raise InvalidProof(f"{purpose} proof does not verify")
    if Point.double_mul(proof.response, base, minus_c, y) != proof.b:  # r·H − c·Y
        raise InvalidProof(f"{purpose} proof does not verify")


def batch_equality(
    batch: Batch, proof: EqualityProof, base: Point, x: Point, y: Point, context: bytes, purpose: str = "chaum-pedersen"
) -> None:
    """Add the proof's equations z·(A + c·X − r·G) = 0 and z'·(B + c·Y − r·H) = 0 to `batch`
    (X merged: a trustee's verification key is the same in all its shares)."""
    c = _challenge(purpose, context, base, x, y, proof.a, proof.b).value
    r = proof.response.value
    z, z2 = batch.weight(), batch.weight()
    batch.term(proof.a, z)
    batch.term(proof.b, z2)
    batch.merged(x, z * c)
    batch.term(y, z2 * c)
    batch.term(base, -z2 * r)
    batch.base(-z * r)
    batch.count()
    batch.count()


def equality_to_json(proof: EqualityProof) -> dict[str, str]:
    return {"a": proof.a.hex(), "b": proof.b.hex(), "response": proof.response.hex()}


def equality_from_json(obj: object, what: str) -> EqualityProof:
    """`{"a", "b", "response"}`: two valid points and a canonical scalar (the members of a
    decryption share's proof sit beside its `share`: `obj` may hold more, the caller checks)."""
    if not isinstance(obj, dict) or not set(EQUALITY_KEYS) <= set(obj):
        raise InvalidEncoding(f"{what}: expected the fields {list(EQUALITY_KEYS)}")
    return EqualityProof(
        point_from_hex(obj["a"], f"{what}.a"),
        point_from_hex(obj["b"], f"{what}.b"),
        scalar_from_hex(obj["response"], f"{what}.response"),
    )
