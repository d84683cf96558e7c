"""Strict text encodings of binary values (spec §2.3).

Binary values travel as lowercase hexadecimal of their exact length. Decoders reject
upper case, odd lengths, wrong lengths and non-canonical values, so every value has
exactly one text form and a flipped character can never decode to the same value.
"""

from __future__ import annotations

import re

from vecha.crypto.group import Point, Scalar
from vecha.errors import InvalidEncoding

__all__ = ["hex_bytes", "point_from_hex", "scalar_from_hex", "hex_many"]

_HEX = re.compile(r"^[0-9a-f]*$")


def hex_bytes(text: object, size: int, what: str) -> bytes:
    if not isinstance(text, str) or len(text) != 2 * size or not _HEX.match(text):
        raise InvalidEncoding(f"{what}: expected {2 * size} lowercase hex digits")
    return bytes.fromhex(text)


def hex_many(texts: list[object], size: int = 32) -> bytes | None:
    """The bytes of many values of `size` bytes each, end to end, if every one is exactly
    `2 * size` lowercase hex digits; None otherwise (the caller then decodes them one by one,
    for the error naming the one). One match and one conversion for all of them."""
    if not all(isinstance(t, str) and len(t) == 2 * size for t in texts):
        return None
    joined = "".join(texts)  # type: ignore[arg-type]  # all str, checked above
    if not _HEX.match(joined):
        return None
    return bytes.fromhex(joined)


def point_from_hex(text: object, what: str, *, nonidentity: bool = False) -> Point:
    data = hex_bytes(text, 32, what)
    try:
        return Point.from_bytes_nonidentity(data) if nonidentity else Point.from_bytes(data)
    except InvalidEncoding as e:
        raise InvalidEncoding(f"{what}: {e}") from None


def scalar_from_hex(text: object, what: str) -> Scalar:
    data = hex_bytes(text, 32, what)
    try:
        return Scalar.from_canonical_bytes(data)
    except InvalidEncoding as e:
        raise InvalidEncoding(f"{what}: {e}") from None
