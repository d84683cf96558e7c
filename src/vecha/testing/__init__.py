"""Shared test helpers: Hypothesis strategies for Vecha's types (needs the `test` extra)."""

from vecha.testing.strategies import ciphertexts, points, scalars, small_messages

__all__ = ["scalars", "points", "ciphertexts", "small_messages"]
