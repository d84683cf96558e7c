"""Disjunctive Chaum–Pedersen proof that a ciphertext encrypts a value in [lo, hi] (spec §4.3).

Statement: (α, β) under key K encrypts some v ∈ {lo, …, hi}, i.e. for some v the prover
knows r with α = r·G and β − v·G = r·K.

For the true value m the prover commits honestly (A_m = w·G, B_m = w·K); every other
branch v is simulated with a random challenge c_v and response r_v:
A_v = r_v·G − c_v·α, B_v = r_v·K − c_v·(β − v·G) (computed from the randomness, see
`_simulated`).
The challenge is c = H_purpose(context, K, α, β, lo, hi, A_lo, B_lo, …, A_hi, B_hi); the true
branch takes c_m = c − Σ_{v≠m} c_v and r_m = w + c_m·r.
The proof is the list ((A_lo, B_lo, c_lo, r_lo), …, (A_hi, B_hi, c_hi, r_hi)): it carries
its commitments, so that the verifier checks Σ c_v = c by hashing them, and then the linear
equations A_v = r_v·G − c_v·α and B_v = r_v·K − c_v·(β − v·G), one proof at a time or in a
batch with other proofs' (§4.7).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from vecha.crypto.batch import Batch
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript, frame, frame_header, number_frame, points_frame
from vecha.errors import InvalidProof

__all__ = [
    "RangeProof",
    "Branch",
    "prove_range",
    "verify_range",
    "batch_range",
    "range_challenge",
    "range_challenger",
    "RangeChallenger",
]


@dataclass(frozen=True, slots=True)
class Branch:
    """One value v of the range: the commitments (A_v, B_v), the challenge c_v, the response r_v."""

    a: Point
    b: Point
    challenge: Scalar
    response: Scalar


@dataclass(frozen=True, slots=True)
class RangeProof:
    branches: tuple[Branch, ...]  #: one per value of the range, lo first


def _challenge(
    purpose: str, context: bytes, key: Point, ct: Ciphertext, lo: int, hi: int, commitments: list[Point]
) -> Scalar:
    return range_challenge(
        purpose,
        context,
        key.encoding,
        ct.alpha.encoding,
        ct.beta.encoding,
        lo,
        hi,
        b"".join(p.encoding for p in commitments),
    )


def range_challenge(
    purpose: str, context: bytes, key: bytes, alpha: bytes, beta: bytes, lo: int, hi: int, commitments: bytes
) -> Scalar:
    """The challenge c (§4.3) from the encodings of the key, α, β and the commitments (end to
    end: A_lo, B_lo, …): for a reader that holds no `Point` for them (`vecha.election.packed_ballots`)."""
    return range_challenger(purpose, key, lo, hi)(context, alpha, beta, commitments)


class RangeChallenger:
    """`range_challenge` for one purpose, key and range: the framing of everything fixed is
    done once, and each challenge is one hash (a verifier takes hundreds per ballot)."""

    __slots__ = ("_bounds", "_key_then_alpha", "_purpose")

    def __init__(self, purpose: str, key: bytes, lo: int, hi: int) -> None:
        self._purpose = purpose
        self._key_then_alpha = frame("K", key) + frame_header("alpha", 32)  # α's own bytes follow
        self._bounds = number_frame("lo", lo) + number_frame("hi", hi)

    def __call__(self, context: bytes, alpha: bytes, beta: bytes, commitments: bytes) -> Scalar:
        if len(alpha) != 32 or len(beta) != 32:
            raise ValueError("points are 32 bytes each")
        return Transcript.challenge_of(
            self._purpose,
            frame_header("context", len(context)),
            context,
            self._key_then_alpha,
            alpha,
            _BETA,
            beta,
            self._bounds,
            points_frame("commitments", commitments),
        )


_BETA = frame_header("beta", 32)


@functools.lru_cache(maxsize=64)
def range_challenger(purpose: str, key: bytes, lo: int, hi: int) -> RangeChallenger:
    """The `RangeChallenger` of these, made once."""
    return RangeChallenger(purpose, key, lo, hi)


def _simulated(key: Point, value: int, randomness: Scalar, v: int, c: Scalar, r: Scalar) -> tuple[Point, Point]:
    """(A_v, B_v) from (c_v, r_v) for a branch v ≠ m that the prover simulates. The prover
    knows α = ρ·G and β − v·G = (m − v)·G + ρ·K, so with u = r_v − c_v·ρ:
    A_v = u·G and B_v = u·K − c_v·(m − v)·G: three multiples of fixed points (the generator
    and the key, each from its table) instead of two of them and two variable-base ones; the
    same points as the verifier's. The curve operations are the constant-time ones, and every
    simulated branch does the same ones: the timing must not tell which branch is the true
    one (the vote)."""
    u = r - c * randomness
    shift = c * (Scalar.of(value) - Scalar.of(v))
    return Point.base_mul(u), key.mul_fixed(u) - Point.base_mul(shift)


def _recomputed(key: Point, ct: Ciphertext, v: int, c: Scalar, r: Scalar) -> tuple[Point, Point]:
    """The same (A_v, B_v) for the verifier, whose inputs are all public: variable-time
    multiplications, with the key's multiple from its table, and the shift by v·G folded
    into the same pass: B_v = r_v·K + (c_v·v)·G − c_v·β."""
    minus_c = -c
    return Point.base_double_mul(r, minus_c, ct.alpha), Point.fixed_double_mul(
        r, key, c * Scalar.of(v), minus_c, ct.beta
    )


def prove_range(
    key: Point,
    ct: Ciphertext,
    value: int,
    randomness: Scalar,
    lo: int,
    hi: int,
    context: bytes,
    purpose: str = "range",
) -> RangeProof:
    if not lo <= value <= hi:
        raise ValueError("the value is outside the range it is proven in")
    commitments: list[Point] = []
    simulated: dict[int, tuple[Scalar, Scalar]] = {}
    w = Scalar.random()
    for v in range(lo, hi + 1):
        if v == value:
            commitments += [Point.base_mul(w), key.mul_fixed(w)]
        else:
            c_v, r_v = Scalar.random(), Scalar.random()
            simulated[v] = (c_v, r_v)
            commitments += list(_simulated(key, value, randomness, v, c_v, r_v))
    c = _challenge(purpose, context, key, ct, lo, hi, commitments)
    c_true = c
    for c_v, _ in simulated.values():
        c_true = c_true - c_v
    scalars = [(c_true, w + c_true * randomness) if v == value else simulated[v] for v in range(lo, hi + 1)]
    return RangeProof(
        tuple(Branch(commitments[2 * k], commitments[2 * k + 1], c_v, r_v) for k, (c_v, r_v) in enumerate(scalars))
    )


def _shape(proof: RangeProof, lo: int, hi: int, purpose: str) -> None:
    if len(proof.branches) != hi - lo + 1:
        raise InvalidProof(f"{purpose} proof has {len(proof.branches)} branches, expected {hi - lo + 1}")


def _hashed(proof: RangeProof, key: Point, ct: Ciphertext, lo: int, hi: int, context: bytes, purpose: str) -> None:
    """The check by hashing: Σ c_v = c over the proof's own commitments."""
    commitments = [p for branch in proof.branches for p in (branch.a, branch.b)]
    total = 0
    for branch in proof.branches:
        total += branch.challenge.value
    if _challenge(purpose, context, key, ct, lo, hi, commitments) != Scalar.of(total):
        raise InvalidProof(f"{purpose} proof does not verify")


def verify_range(
    proof: RangeProof, key: Point, ct: Ciphertext, lo: int, hi: int, context: bytes, purpose: str = "range"
) -> None:
    """Raise `InvalidProof` unless `ct` is proven to encrypt a value in [lo, hi]: the hash,
    then each branch's two equations on its own."""
    _shape(proof, lo, hi, purpose)
    _hashed(proof, key, ct, lo, hi, context, purpose)
    for v, branch in zip(range(lo, hi + 1), proof.branches, strict=True):
        a, b = _recomputed(key, ct, v, branch.challenge, branch.response)
        if a != branch.a or b != branch.b:
            raise InvalidProof(f"{purpose} proof does not verify")


def batch_range(
    batch: Batch,
    proof: RangeProof,
    key: Point,
    ct: Ciphertext,
    lo: int,
    hi: int,
    context: bytes,
    purpose: str = "range",
) -> None:
    """Check the hash now (raising `InvalidProof`) and add the branches' equations to
    `batch`, each with its own weight:
    z·(A_v + c_v·α − r_v·G) = 0 and z'·(B_v + c_v·β − (c_v·v)·G − r_v·K) = 0."""
    _shape(proof, lo, hi, purpose)
    _hashed(proof, key, ct, lo, hi, context, purpose)
    on_alpha = on_beta = on_key = on_base = 0
    for v, branch in zip(range(lo, hi + 1), proof.branches, strict=True):
        c, r = branch.challenge.value, branch.response.value
        z, z2 = batch.weight(), batch.weight()
        batch.term(branch.a, z)
        batch.term(branch.b, z2)
        on_alpha += z * c
        on_beta += z2 * c
        on_key -= z2 * r
        on_base -= z * r + z2 * c * v
        batch.count()
        batch.count()
    batch.merged(ct.alpha, on_alpha)
    batch.merged(ct.beta, on_beta)
    batch.merged(key, on_key)
    batch.base(on_base)
