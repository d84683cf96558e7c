"""The batched same-exponent proof (spec §4.6): an honest list verifies, whatever its
points (the identity and repeats included); changing any one image, the key, a base, the
context or the purpose is caught; and the proof is one Chaum–Pedersen pair for any length."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import Point, Scalar
from vecha.crypto.group import IDENTITY
from vecha.crypto.proofs.exponent import prove_exponent, raise_all, verify_exponent
from vecha.errors import InvalidEncoding, InvalidProof
from vecha.testing.strategies import nonzero_scalars, points

CONTEXT = b"election-fingerprint"
PURPOSE = "test-exponent"


@settings(max_examples=25, deadline=None)
@given(nonzero_scalars(), st.lists(points(), min_size=1, max_size=9), st.data())
def test_an_honest_list_verifies_and_any_one_changed_image_is_caught(z: Scalar, bases: list[Point], data) -> None:
    key = Point.base_mul(z)
    images = raise_all(z, bases)
    proof = prove_exponent(z, key, bases, images, CONTEXT, PURPOSE)
    verify_exponent(proof, key, bases, images, CONTEXT, PURPOSE)
    j = data.draw(st.integers(0, len(bases) - 1))
    shift = data.draw(points().filter(lambda p: p != IDENTITY))
    changed = [*images[:j], images[j] + shift, *images[j + 1 :]]
    with pytest.raises(InvalidProof, match="one exponent"):
        verify_exponent(proof, key, bases, changed, CONTEXT, PURPOSE)
    # an image raised to another exponent, re-proved with the real key: still caught
    other = [*images[:j], bases[j] * (z + Scalar.of(1)), *images[j + 1 :]]
    if other != images:
        with pytest.raises(InvalidProof):
            verify_exponent(prove_exponent(z, key, bases, other, CONTEXT, PURPOSE), key, bases, other, CONTEXT, PURPOSE)
    for k, b, ctx, purpose in [
        (key + Point.base_mul(Scalar.of(1)), bases, CONTEXT, PURPOSE),
        (key, [*bases[:j], bases[j] + shift, *bases[j + 1 :]], CONTEXT, PURPOSE),
        (key, bases, CONTEXT + b"!", PURPOSE),
        (key, bases, CONTEXT, "another-purpose"),
    ]:
        with pytest.raises(InvalidProof):
            verify_exponent(proof, k, b, images, ctx, purpose)


def test_identities_and_repeated_bases_are_handled_and_an_empty_or_uneven_list_is_refused() -> None:
    z = Scalar.random()
    key = Point.base_mul(z)
    g = Point.base_mul(Scalar.of(5))
    for bases in ([IDENTITY], [IDENTITY, IDENTITY], [g, g, IDENTITY, g]):
        images = raise_all(z, bases)
        verify_exponent(prove_exponent(z, key, bases, images, CONTEXT, PURPOSE), key, bases, images, CONTEXT, PURPOSE)
    with pytest.raises(InvalidEncoding):
        prove_exponent(z, key, [], [], CONTEXT, PURPOSE)
    with pytest.raises(InvalidEncoding):
        verify_exponent(prove_exponent(z, key, [g], [g * z], CONTEXT, PURPOSE), key, [g], [], CONTEXT, PURPOSE)
