"""Threshold keys: Pedersen-style distributed key generation with Feldman commitments (spec §5).

Each of the n trustees (numbered 1…n) picks a random polynomial f_i of degree t−1 and
publishes the commitments C_{i,k} = a_{i,k}·G to its coefficients. Trustee j receives
f_i(j) from every trustee i and checks it against the commitments
(`share_matches_commitments`). The joint public key is K = Σ_i C_{i,0}; trustee j's key
share is x_j = Σ_i f_i(j) and its public verification key X_j = x_j·G can be computed by
anyone from the commitments (`verification_key`). Any t shares recombine at 0 with
Lagrange coefficients (`lagrange_at_zero`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vecha.crypto.group import IDENTITY, Point, Scalar

__all__ = [
    "Polynomial",
    "evaluate_commitments",
    "share_matches_commitments",
    "joint_key",
    "verification_key",
    "lagrange_at_zero",
]


@dataclass(frozen=True, slots=True)
class Polynomial:
    """f(z) = a_0 + a_1·z + … + a_{t−1}·z^{t−1} over the scalars; a_0 is the trustee's secret."""

    coefficients: tuple[Scalar, ...]

    @classmethod
    def random(cls, threshold: int) -> Polynomial:
        if threshold < 1:
            raise ValueError("the threshold is at least 1")
        return cls(tuple(Scalar.random_nonzero() for _ in range(threshold)))

    def at(self, index: int) -> Scalar:
        z = Scalar.of(index)
        acc = Scalar(0)
        for a in reversed(self.coefficients):  # Horner
            acc = acc * z + a
        return acc

    def commitments(self) -> tuple[Point, ...]:
        return tuple(Point.base_mul(a) for a in self.coefficients)


def evaluate_commitments(commitments: Sequence[Point], index: int) -> Point:
    """Σ_k index^k · C_k, i.e. f(index)·G computed from the public commitments."""
    z = Scalar.of(index)
    power = Scalar(1)
    acc = IDENTITY
    for c in commitments:
        acc = acc + c * power
        power = power * z
    return acc


def share_matches_commitments(share: Scalar, commitments: Sequence[Point], index: int) -> bool:
    return Point.base_mul(share) == evaluate_commitments(commitments, index)


def joint_key(all_commitments: Iterable[Sequence[Point]]) -> Point:
    key = IDENTITY
    for cs in all_commitments:
        key = key + cs[0]
    return key


def verification_key(all_commitments: Iterable[Sequence[Point]], index: int) -> Point:
    """X_j = Σ_i f_i(j)·G, the public counterpart of trustee j's key share."""
    key = IDENTITY
    for cs in all_commitments:
        key = key + evaluate_commitments(cs, index)
    return key


def lagrange_at_zero(index: int, indices: Sequence[int]) -> Scalar:
    """λ_j = Π_{m ∈ S, m ≠ j} m / (m − j) for the set S of participating trustees."""
    if index not in indices or len(set(indices)) != len(indices):
        raise ValueError("the trustee set must hold distinct indices including this one")
    num = Scalar(1)
    den = Scalar(1)
    for m in indices:
        if m != index:
            num = num * Scalar.of(m)
            den = den * Scalar.of(m - index)
    return num * den.inverse()
