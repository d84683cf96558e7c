"""RFC 9496 Appendix A vectors against our libsodium binding."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vecha.crypto import GENERATOR, IDENTITY, Point, Scalar
from vecha.errors import InvalidEncoding

VECTORS = json.loads((Path(__file__).parent / "ristretto255.json").read_text())
INVALID = [(why, enc) for why, encs in VECTORS["invalid_encodings"].items() for enc in encs]


def test_generator_multiples_by_addition_and_by_multiplication() -> None:
    p = IDENTITY
    for i, expected in enumerate(VECTORS["multiples_of_generator"]):
        assert p.hex() == expected
        assert Point.base_mul(Scalar.of(i)).hex() == expected
        assert (GENERATOR * Scalar.of(i)).hex() == expected
        p = p + GENERATOR


@pytest.mark.parametrize(("why", "encoding"), INVALID)
def test_invalid_encodings_are_rejected(why: str, encoding: str) -> None:
    with pytest.raises(InvalidEncoding):
        Point.from_bytes(bytes.fromhex(encoding))


@pytest.mark.parametrize(("uniform", "expected"), VECTORS["from_uniform_bytes"])
def test_from_uniform_bytes(uniform: str, expected: str) -> None:
    assert Point.from_uniform_bytes(bytes.fromhex(uniform)).hex() == expected


def test_uniform_inputs_are_sha512_of_the_rfc_labels() -> None:
    label = b"Ristretto is traditionally a short shot of espresso coffee"
    assert hashlib.sha512(label).hexdigest() == VECTORS["from_uniform_bytes"][0][0]
