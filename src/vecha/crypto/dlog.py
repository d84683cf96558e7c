"""Discrete logarithm of a small multiple of G by baby-step giant-step (spec §7.4).

A decrypted tally is M = m·G with 0 ≤ m ≤ bound (the number of counted ballots), so m is
found in O(√bound) group operations.
"""

from __future__ import annotations

import math

from vecha.crypto.group import GENERATOR, IDENTITY, Point, Scalar
from vecha.errors import InvalidEncoding

__all__ = ["small_dlog"]


def small_dlog(target: Point, bound: int) -> int:
    """The m in [0, bound] with m·G = target; raises `InvalidEncoding` if there is none."""
    if bound < 0:
        raise ValueError("bound must be non-negative")
    step = math.isqrt(bound) + 1
    baby: dict[bytes, int] = {}
    p = IDENTITY
    for j in range(step):
        baby[p.encoding] = j
        p = p + GENERATOR
    giant = Point.base_mul(Scalar.of(step))
    gamma = target
    for i in range(step + 1):
        found = baby.get(gamma.encoding)
        if found is not None:
            m = i * step + found
            if m <= bound:
                return m
            break
        gamma = gamma - giant
    raise InvalidEncoding(f"the decrypted value is not a count between 0 and {bound}")
