"""Property tests for the group, ElGamal, threshold keys and discrete logs."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vecha.crypto import Point, Scalar, decrypt_to_point, encrypt, small_dlog
from vecha.crypto.group import GENERATOR, IDENTITY, PointSum
from vecha.crypto.threshold import (
    Polynomial,
    joint_key,
    lagrange_at_zero,
    share_matches_commitments,
    verification_key,
)
from vecha.errors import InvalidEncoding
from vecha.testing.strategies import nonzero_scalars, scalars, small_messages


@given(scalars(), scalars())
def test_base_mul_is_a_homomorphism(a: Scalar, b: Scalar) -> None:
    assert Point.base_mul(a + b) == Point.base_mul(a) + Point.base_mul(b)
    assert Point.base_mul(a * b) == Point.base_mul(a) * b


@given(scalars(), scalars())
def test_multiples_of_a_fixed_point_are_multiples(a: Scalar, b: Scalar) -> None:
    p = Point.base_mul(a)
    assert p.mul_fixed(b) == p * b
    assert p.mul_fixed(b) == Point.base_mul(a * b)


@given(scalars(), scalars(), scalars(), scalars(), st.sampled_from(["random", "a", "g", "b", "all"]))
def test_fixed_double_multiplication_is_the_sum_of_multiples(
    a: Scalar, g: Scalar, b: Scalar, x: Scalar, zero: str
) -> None:
    """a·P + g·G + b·Q, each scalar zero in turn (libdecaf's variable-time pass has special
    cases at zero)."""
    a, g, b = (Scalar(0) if zero in (name, "all") else s for name, s in (("a", a), ("g", g), ("b", b)))
    p, q = Point.base_mul(x), Point.base_mul(x * x + Scalar.of(5))
    assert Point.fixed_double_mul(a, p, g, b, q) == p * a + Point.base_mul(g) + q * b


@given(st.lists(scalars(), max_size=6), st.binary(min_size=32, max_size=32))
def test_a_running_sum_is_the_sum(multiples: list[Scalar], junk: bytes) -> None:
    """`PointSum` (the tally's accumulator, added to in place) against `+`; a refused
    encoding adds nothing; a total taken is not changed by later additions."""
    points = [Point.base_mul(a) for a in multiples]
    running = PointSum()
    expected = IDENTITY
    for i, p in enumerate(points):
        if i % 2:
            running.add(p)
        else:
            running.add_encoded(p.encoding)
        expected = expected + p
    assert running.total() == expected
    try:
        Point.from_bytes(junk)
    except InvalidEncoding:
        with pytest.raises(InvalidEncoding):
            running.add_encoded(junk)
    else:
        running.add_encoded(junk)
        expected = expected + Point.from_bytes(junk)
    snapshot = running.total()
    assert snapshot == expected
    running.add(GENERATOR)
    assert snapshot == expected and running.total() == expected + GENERATOR


@given(scalars())
def test_point_decode_encode_is_identity(a: Scalar) -> None:
    p = Point.base_mul(a)
    assert Point.from_bytes(bytes(p)) == p
    assert Scalar.from_canonical_bytes(bytes(a)) == a


@given(nonzero_scalars(), small_messages(), small_messages(), scalars(), scalars())
def test_elgamal_is_additively_homomorphic(x: Scalar, m1: int, m2: int, r1: Scalar, r2: Scalar) -> None:
    key = Point.base_mul(x)
    total = encrypt(key, m1, r1) + encrypt(key, m2, r2)
    assert decrypt_to_point(x, total) == Point.small_multiple(m1 + m2)
    assert small_dlog(decrypt_to_point(x, total), 100) == m1 + m2


@given(st.integers(min_value=0, max_value=5000))
def test_small_dlog_inverts_small_multiples(m: int) -> None:
    assert small_dlog(Point.small_multiple(m), 5000) == m


@given(st.integers(min_value=1, max_value=5), st.data())
def test_any_t_of_n_shares_decrypt(t: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=t, max_value=6))
    polys = [Polynomial.random(t) for _ in range(n)]
    commitments = [p.commitments() for p in polys]
    key = joint_key(commitments)
    shares = {j: sum((p.at(j) for p in polys), Scalar(0)) for j in range(1, n + 1)}
    for j, x_j in shares.items():
        assert all(share_matches_commitments(p.at(j), c, j) for p, c in zip(polys, commitments, strict=True))
        assert Point.base_mul(x_j) == verification_key(commitments, j)
    m = data.draw(small_messages())
    ct = encrypt(key, m, data.draw(scalars()))
    for subset in combinations(range(1, n + 1), t):
        combined = ct.beta
        for j in subset:
            combined = combined - (ct.alpha * shares[j]) * lagrange_at_zero(j, subset)
        assert combined == Point.small_multiple(m)
