"""Exponential ElGamal over ristretto255 (spec §3).

A message m (a small non-negative integer: a mark or a count) under the joint key K and
randomness r is the pair ``(α, β) = (r·G, m·G + r·K)``. Ciphertexts add component-wise,
which adds the messages: this is what lets the tally be computed without decrypting any
single ballot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vecha.crypto.group import IDENTITY, Point, Scalar

__all__ = ["Ciphertext", "encrypt", "decrypt_to_point", "add_all"]


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An exponential ElGamal ciphertext (α, β)."""

    alpha: Point  #: α = r·G
    beta: Point  #: β = m·G + r·K

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def __sub__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha - other.alpha, self.beta - other.beta)

    @classmethod
    def zero(cls) -> Ciphertext:
        """The encryption of 0 with randomness 0: the neutral element of `+`."""
        return cls(IDENTITY, IDENTITY)


def encrypt(key: Point, message: int, randomness: Scalar) -> Ciphertext:
    """(r·G, m·G + r·K)."""
    return Ciphertext(Point.base_mul(randomness), Point.small_multiple(message) + key.mul_fixed(randomness))


def decrypt_to_point(secret: Scalar, ct: Ciphertext) -> Point:
    """m·G = β − x·α, for the holder of the whole secret x (tests and single-key use)."""
    return ct.beta - ct.alpha * secret


def add_all(cts: Iterable[Ciphertext]) -> Ciphertext:
    total = Ciphertext.zero()
    for ct in cts:
        total = total + ct
    return total
