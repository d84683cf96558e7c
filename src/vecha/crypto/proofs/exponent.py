"""One secret exponent applied to a whole list of points, with one proof (spec §4.6).

Statement: the prover knows z with Z = z·G and Y_j = z·X_j for every j = 1…N. Used where
a trustee raises a column of mixed ciphertexts to its tag exponent (both α and β of each
ciphertext are points X_j) and where it decrypts the raised column (X_j = α_j, Y_j = x·α_j,
Z its verification key): a proof per element would cost the verifier two double-scalar
multiplications each; this one costs about one, and 64 bytes in all.

The list is folded with weights drawn by hashing the whole statement,
e_j = T("exponent-weight", [("seed", seed), ("index", u64be(j))]) mod ℓ with
seed = T(purpose, [("context", ctx), ("Z", Z), ("bases#", N), ("bases", X…), ("images", Y…)]),
into A = Σ e_j·X_j and B = Σ e_j·Y_j, and a Chaum–Pedersen proof (§4.2, purpose
`exponent`, context = seed) shows log_G Z = log_A B. If some Y_j ≠ z·X_j, then B − z·A is
a fixed nonzero combination weighted by e_j, which the hash makes zero only with
probability 1/ℓ (Bellare, Garay and Rabin's small-exponent batch test, with full-size
weights), so the folded statement is false and the proof cannot be made.
"""

from __future__ import annotations

from collections.abc import Sequence

from vecha.crypto.group import Point, Scalar, public_weighted_sum
from vecha.crypto.proofs.chaum_pedersen import EqualityProof, prove_equality, verify_equality
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding, InvalidProof

__all__ = [
    "raise_all",
    "raise_packed",
    "prove_exponent",
    "verify_exponent",
    "prove_exponent_packed",
    "verify_exponent_packed",
]

_CHUNK = 2048  #: points folded at a time: the weights and decoded points never grow with N


def raise_all(secret: Scalar, bases: Sequence[Point]) -> list[Point]:
    """[z·X_j for every j]."""
    return [x * secret for x in bases]


def raise_packed(secret: Scalar, bases: bytes) -> bytes:
    """`raise_all` over points given as their encodings end to end (32 bytes each, every one
    a valid point already), the images returned the same way."""
    return b"".join((Point.trusted(bases[k : k + 32]) * secret).encoding for k in range(0, len(bases), 32))


def _seed(purpose: str, context: bytes, key: Point, bases: bytes, images: bytes) -> bytes:
    if len(bases) != len(images) or not bases or len(bases) % 32:
        raise InvalidEncoding("an exponent proof is for as many images as bases, at least one")
    t = Transcript(purpose).raw("context", context).point("Z", key)
    return t.packed_points("bases", bases).packed_points("images", images).digest()


def _fold(seed: bytes, *lists: bytes) -> list[Point]:
    """Σ_j e_j·P_j for each list of points (all as long), chunk by chunk."""
    prefix = Transcript("exponent-weight").raw("seed", seed)
    n = len(lists[0]) // 32
    sums: list[Point] | None = None
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        weights = [prefix.fork().number("index", j).challenge() for j in range(start, stop)]
        parts = [
            public_weighted_sum(weights, [Point.trusted(d[32 * j : 32 * j + 32]) for j in range(start, stop)])
            for d in lists
        ]
        sums = parts if sums is None else [x + y for x, y in zip(sums, parts, strict=True)]
    assert sums is not None  # _seed refused an empty list
    return sums


def _encodings(points: Sequence[Point]) -> bytes:
    return b"".join(p.encoding for p in points)


def prove_exponent_packed(
    secret: Scalar, key: Point, bases: bytes, images: bytes, context: bytes, purpose: str
) -> EqualityProof:
    """The proof that images[j] = secret·bases[j] for every j and key = secret·G, the points
    given as their encodings end to end."""
    seed = _seed(purpose, context, key, bases, images)
    (a,) = _fold(seed, bases)
    # for honest images B = Σ e_j·z·X_j = z·A: one multiplication instead of a second sum
    return prove_equality(secret, a, key, a * secret, seed, purpose="exponent")


def verify_exponent_packed(
    proof: EqualityProof, key: Point, bases: bytes, images: bytes, context: bytes, purpose: str
) -> None:
    """Raise `InvalidProof` unless images[j] = z·bases[j] for every j, with key = z·G (the
    points as their encodings end to end, each a valid point already)."""
    seed = _seed(purpose, context, key, bases, images)
    a, b = _fold(seed, bases, images)
    try:
        verify_equality(proof, a, key, b, seed, purpose="exponent")
    except InvalidProof:
        raise InvalidProof(f"{purpose}: the images are not the bases raised to one exponent") from None


def prove_exponent(
    secret: Scalar, key: Point, bases: Sequence[Point], images: Sequence[Point], context: bytes, purpose: str
) -> EqualityProof:
    """The proof that images[j] = secret·bases[j] for every j and key = secret·G."""
    return prove_exponent_packed(secret, key, _encodings(bases), _encodings(images), context, purpose)


def verify_exponent(
    proof: EqualityProof, key: Point, bases: Sequence[Point], images: Sequence[Point], context: bytes, purpose: str
) -> None:
    """Raise `InvalidProof` unless images[j] = z·bases[j] for every j, with key = z·G."""
    verify_exponent_packed(proof, key, _encodings(bases), _encodings(images), context, purpose)
