"""Hypothesis strategies for the core values, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from vecha.crypto.elgamal import Ciphertext, encrypt
from vecha.crypto.group import ORDER, Point, Scalar

__all__ = ["scalars", "nonzero_scalars", "points", "ciphertexts", "small_messages"]


def scalars() -> st.SearchStrategy[Scalar]:
    return st.integers(min_value=0, max_value=ORDER - 1).map(Scalar)


def nonzero_scalars() -> st.SearchStrategy[Scalar]:
    return st.integers(min_value=1, max_value=ORDER - 1).map(Scalar)


def points() -> st.SearchStrategy[Point]:
    return scalars().map(Point.base_mul)


def small_messages(limit: int = 50) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=limit)


def ciphertexts(key: Point) -> st.SearchStrategy[Ciphertext]:
    return st.builds(lambda m, r: encrypt(key, m, r), small_messages(), scalars())
