"""The multi-scalar multiplication (`msm.c` over libdecaf) held to the naive sum Σ s_i·P_i
on random inputs, with the cases a bucket method gets wrong if any: no term, one term, the
identity, repeated and opposite points, zero scalars, scalars of every window's digit at
its largest, and 32-byte integers above ℓ. `public_weighted_sum` gives the same points with
and without it, and the shuffle and exponent proofs that use it accept and refuse alike."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import _decaf
from vecha.crypto.group import (
    IDENTITY,
    MSM_FROM,
    ORDER,
    Point,
    Scalar,
    msm_in_use,
    public_weighted_sum,
    use_msm,
    weighted_sum,
)

if not _decaf.msm_available():
    if os.environ.get("VECHA_REQUIRE_LIBDECAF"):
        pytest.fail("VECHA_REQUIRE_LIBDECAF is set but the multi-scalar multiplication is not built", pytrace=False)
    pytest.skip("the multi-scalar multiplication is not built (scripts/setup)", allow_module_level=True)

SPECIAL = [0, 1, 2, ORDER - 1, ORDER - 2, 2**252, 2**128 - 1, (1 << 16) - 1]
scalar_ints = st.one_of(st.sampled_from(SPECIAL), st.integers(min_value=0, max_value=ORDER - 1))
#: a few distinct points, so that lists repeat them; the identity among them
point_pool = [IDENTITY] + [Point.base_mul(Scalar.of(k)) for k in (1, 2, 3, 1000)] + [Point.base_mul(Scalar.random())]
points = st.sampled_from(point_pool) | st.integers(min_value=1, max_value=ORDER - 1).map(
    lambda k: Point.base_mul(Scalar.of(k))
)


def naive(scalars: list[int], ps: list[Point]) -> Point:
    total = IDENTITY
    for s, p in zip(scalars, ps, strict=True):
        total = total + p * Scalar.of(s % ORDER)
    return total


def msm(scalars: list[int], ps: list[Point]) -> Point:
    data = b"".join(s.to_bytes(32, "little") for s in scalars)
    return Point._computed(handle=_decaf.multi_mul([p._decoded() for p in ps], data))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(scalar_ints, points), max_size=40))
def test_the_msm_is_the_naive_sum(terms: list[tuple[int, Point]]) -> None:
    scalars, ps = [s for s, _ in terms], [p for _, p in terms]
    assert msm(scalars, ps) == naive(scalars, ps)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**256 - 1), min_size=1, max_size=12))
def test_any_32_byte_integer_is_taken_whole(scalars: list[int]) -> None:
    """Above ℓ too (an unreduced scalar means the same multiple: the group has prime order)."""
    ps = [Point.base_mul(Scalar.of(k + 5)) for k in range(len(scalars))]
    assert msm(scalars, ps) == naive(scalars, ps)


def test_edge_cases() -> None:
    p, q = Point.base_mul(Scalar.of(7)), Point.base_mul(Scalar.of(11))
    assert msm([], []) == IDENTITY
    assert msm([5], [p]) == p * Scalar.of(5)
    assert msm([0, 0, 0], [p, q, p]) == IDENTITY
    assert msm([3, 4], [IDENTITY, IDENTITY]) == IDENTITY
    assert msm([1, 1], [p, -p]) == IDENTITY  # opposite points cancel in one bucket
    assert msm([ORDER - 1, 1], [p, p]) == IDENTITY
    assert msm([2**256 - 1], [p]) == p * Scalar.of((2**256 - 1) % ORDER)
    many = [Point.base_mul(Scalar.of(k)) for k in range(1, 600)]  # a larger window
    weights = [(k * 0x9E3779B97F4A7C15) % ORDER for k in range(1, 600)]
    assert msm(weights, many) == naive(weights, many)
    with pytest.raises(ValueError):
        _decaf.multi_mul([p._decoded()], bytes(31))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(scalar_ints, points), min_size=MSM_FROM, max_size=30))
def test_public_weighted_sum_is_the_same_either_way(terms: list[tuple[int, Point]]) -> None:
    scalars, ps = [Scalar.of(s % ORDER) for s, _ in terms], [p for _, p in terms]
    assert msm_in_use()
    with_msm = public_weighted_sum(scalars, ps)
    use_msm(False)
    try:
        assert public_weighted_sum(scalars, ps) == with_msm == weighted_sum(scalars, ps)
    finally:
        use_msm(True)


def test_proofs_accept_and_refuse_alike_with_and_without_it() -> None:
    """A proof of shuffle and a same-exponent proof, honest and tampered, on both paths."""
    from vecha.crypto.elgamal import encrypt
    from vecha.crypto.proofs.exponent import prove_exponent_packed, verify_exponent_packed
    from vecha.crypto.shuffle import prove_shuffle, shuffle, verify_shuffle
    from vecha.errors import InvalidProof

    fp, key = bytes(32), Point.base_mul(Scalar.random())
    inputs = [tuple(encrypt(key, m, Scalar.random()) for m in (0, 1)) for _ in range(20)]
    outputs, psi, randomness = shuffle(key, inputs)
    proof = prove_shuffle(fp, key, b"ctx", inputs, outputs, psi, randomness)
    forged = list(outputs)
    forged[3], forged[4] = forged[4], forged[3]  # moved without re-encryption: the proof fails
    z = Scalar.random()
    bases = b"".join(Point.base_mul(Scalar.random()).encoding for _ in range(20))
    images = b"".join((Point(bases[k : k + 32]) * z).encoding for k in range(0, len(bases), 32))
    other = Point(images[:32]) + Point.base_mul(Scalar.of(1))
    bad_images = other.encoding + images[32:]
    zkey = Point.base_mul(z)
    exponent_proof = prove_exponent_packed(z, zkey, bases, images, b"ctx", "exponent-test")
    for on in (True, False):
        use_msm(on)
        try:
            verify_shuffle(fp, key, b"ctx", inputs, outputs, proof)
            with pytest.raises(InvalidProof):
                verify_shuffle(fp, key, b"ctx", inputs, forged, proof)
            verify_exponent_packed(exponent_proof, zkey, bases, images, b"ctx", "exponent-test")
            with pytest.raises(InvalidProof):
                verify_exponent_packed(exponent_proof, zkey, bases, bad_images, b"ctx", "exponent-test")
        finally:
            use_msm(True)
