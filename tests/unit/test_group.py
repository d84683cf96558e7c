from __future__ import annotations

import pytest

from vecha.crypto import GENERATOR, IDENTITY, ORDER, Point, Scalar
from vecha.errors import InvalidEncoding


def test_scalar_rejects_non_canonical_encodings() -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_canonical_bytes(ORDER.to_bytes(32, "little"))
    with pytest.raises(InvalidEncoding):
        Scalar.from_canonical_bytes((2**256 - 1).to_bytes(32, "little"))
    with pytest.raises(InvalidEncoding):
        Scalar.from_canonical_bytes(bytes(31))
    assert Scalar.from_canonical_bytes((ORDER - 1).to_bytes(32, "little")).value == ORDER - 1


def test_scalar_constructor_rejects_out_of_range() -> None:
    with pytest.raises(InvalidEncoding):
        Scalar(ORDER)
    with pytest.raises(InvalidEncoding):
        Scalar(-1)


def test_identity_special_cases() -> None:
    assert Point.base_mul(Scalar(0)) == IDENTITY
    assert GENERATOR * Scalar(0) == IDENTITY
    assert IDENTITY * Scalar.of(5) == IDENTITY
    assert GENERATOR * Scalar.of(ORDER - 1) + GENERATOR == IDENTITY
    with pytest.raises(InvalidEncoding):
        Point.from_bytes_nonidentity(bytes(32))


def test_point_rejects_wrong_lengths() -> None:
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes(31))
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes(33))


def test_negation_and_inverse() -> None:
    s = Scalar.random_nonzero()
    assert s * s.inverse() == Scalar(1)
    assert s + (-s) == Scalar(0)
    p = Point.base_mul(s)
    assert p + (-p) == IDENTITY
    with pytest.raises(ZeroDivisionError):
        Scalar(0).inverse()


def test_an_encoding_with_bit_255_set_is_not_canonical() -> None:
    """RFC 9496 §4.3.1 reads all 256 bits: a set top bit makes the value ≥ p. (libsodium
    1.0.18 ignores that bit; Vecha rejects the string on every backend.)"""
    valid = GENERATOR.encoding
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(valid[:31] + bytes([valid[31] | 0x80]))
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes(31) + b"\xbb")


def test_many_points_decode_as_each_does_and_one_bad_encoding_refuses_all() -> None:
    """`Point.many_from_bytes` (one call into C with libdecaf) gives the points `Point` gives
    one by one; any invalid, non-canonical or short input gives None, never a point."""
    import os

    from vecha.crypto.group import IDENTITY, Point, Scalar

    good = [Point.base_mul(Scalar.random()).encoding for _ in range(9)] + [IDENTITY.encoding]
    many = Point.many_from_bytes(b"".join(good))
    assert many is not None and [p.encoding for p in many] == good
    assert [p + p for p in many] == [Point(e) + Point(e) for e in good]  # the handles are the points
    assert Point.many_from_bytes(b"") == []
    for bad in (b"\xff" * 32, (2**255 - 19).to_bytes(32, "little"), bytes([1]) + bytes(31)):
        for at in (0, 5, 10):
            assert Point.many_from_bytes(b"".join([*good[:at], bad, *good[at:]])) is None
    assert Point.many_from_bytes(b"".join(good)[:-1]) is None
    assert Point.many_from_bytes(os.urandom(32) * 0) == []
