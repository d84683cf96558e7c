"""ristretto255 scalars and points (spec §2).

`Scalar` and `Point` are frozen values that are valid by construction: the decoders
(`Scalar.from_canonical_bytes`, `Point.from_bytes`) reject anything that is not a
canonical encoding, so an invalid value cannot exist past them.

Scalar arithmetic is done on Python integers modulo the group order ℓ; point
arithmetic is delegated to libsodium through `_sodium`.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from vecha.crypto import _sodium
from vecha.crypto.errors import InvalidEncoding

__all__ = ["ORDER", "Scalar", "Point", "GENERATOR", "IDENTITY"]

#: ℓ = 2^252 + 27742317777372353535851937790883648493, the order of ristretto255.
ORDER = 2**252 + 27742317777372353535851937790883648493


@dataclass(frozen=True, slots=True)
class Scalar:
    """An integer modulo ℓ, encoded as 32 bytes little-endian (§2.2)."""

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value < ORDER:
            raise InvalidEncoding("scalar out of range")

    @classmethod
    def of(cls, n: int) -> Scalar:
        """The scalar n mod ℓ (any integer, negative included)."""
        return cls(n % ORDER)

    @classmethod
    def from_canonical_bytes(cls, data: bytes) -> Scalar:
        """Decode 32 bytes; rejects values ≥ ℓ (non-canonical)."""
        if len(data) != 32:
            raise InvalidEncoding("a scalar is 32 bytes")
        n = int.from_bytes(data, "little")
        if n >= ORDER:
            raise InvalidEncoding("non-canonical scalar (not below the group order)")
        return cls(n)

    @classmethod
    def from_bytes_mod_order_wide(cls, data: bytes) -> Scalar:
        """Reduce 64 bytes little-endian modulo ℓ (hash-to-scalar, §2.4)."""
        if len(data) != 64:
            raise InvalidEncoding("wide reduction takes 64 bytes")
        return cls(int.from_bytes(data, "little") % ORDER)

    @classmethod
    def random(cls) -> Scalar:
        """A uniformly random scalar from the OS generator."""
        return cls.from_bytes_mod_order_wide(secrets.token_bytes(64))

    @classmethod
    def random_nonzero(cls) -> Scalar:
        while True:
            s = cls.random()
            if s.value:
                return s

    def __bytes__(self) -> bytes:
        return self.value.to_bytes(32, "little")

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar((self.value + other.value) % ORDER)

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar((self.value - other.value) % ORDER)

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar((self.value * other.value) % ORDER)

    def __neg__(self) -> Scalar:
        return Scalar((-self.value) % ORDER)

    def inverse(self) -> Scalar:
        if self.value == 0:
            raise ZeroDivisionError("zero has no inverse")
        return Scalar(pow(self.value, -1, ORDER))

    def hex(self) -> str:
        return bytes(self).hex()

    def __repr__(self) -> str:
        return f"Scalar({self.hex()[:16]}…)"


@dataclass(frozen=True, slots=True)
class Point:
    """A ristretto255 group element, held as its canonical 32-byte encoding (§2.1)."""

    encoding: bytes

    def __post_init__(self) -> None:
        if len(self.encoding) != 32 or not _sodium.is_valid_point(self.encoding):
            raise InvalidEncoding("invalid ristretto255 point encoding")

    @classmethod
    def _computed(cls, encoding: bytes) -> Point:
        """A point that libsodium has just computed. Its outputs are always canonical encodings
        of group elements, so validating them again would only cost time (4 µs a point)."""
        p = object.__new__(cls)
        object.__setattr__(p, "encoding", encoding)
        return p

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Decode a point; rejects non-canonical and invalid encodings (identity allowed)."""
        if not isinstance(data, bytes) or len(data) != 32:
            raise InvalidEncoding("a point is 32 bytes")
        return cls(data)

    @classmethod
    def from_bytes_nonidentity(cls, data: bytes) -> Point:
        """Decode a point where the identity would weaken a key or a proof."""
        p = cls.from_bytes(data)
        if p.is_identity():
            raise InvalidEncoding("the identity point is not allowed here")
        return p

    @classmethod
    def from_uniform_bytes(cls, data: bytes) -> Point:
        """RFC 9496 §4.3.4: map 64 uniform bytes to a point (hash-to-point)."""
        return cls._computed(_sodium.point_from_hash(data))

    @classmethod
    def base_mul(cls, s: Scalar) -> Point:
        """s·G for the standard generator G."""
        if s.value == 0:
            return IDENTITY
        return cls._computed(_sodium.scalarmult_base(bytes(s)))

    @classmethod
    def small_multiple(cls, m: int) -> Point:
        """m·G for a (small, non-negative) integer m: the encoding of a vote count. The small
        ones are kept: every 0-or-1 proof needs 1·G, and counts repeat."""
        if 0 <= m < _SMALL_MULTIPLES:
            return _small_multiple(m)
        return cls.base_mul(Scalar.of(m))

    def is_identity(self) -> bool:
        return self.encoding == _IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        if other.encoding == _IDENTITY_BYTES:
            return self
        if self.encoding == _IDENTITY_BYTES:
            return other
        return Point._computed(_sodium.point_add(self.encoding, other.encoding))

    def __sub__(self, other: Point) -> Point:
        if other.encoding == _IDENTITY_BYTES:
            return self
        return Point._computed(_sodium.point_sub(self.encoding, other.encoding))

    def __neg__(self) -> Point:
        return IDENTITY - self

    def __mul__(self, s: Scalar) -> Point:
        if s.value == 0 or self.is_identity():
            return IDENTITY
        return Point._computed(_sodium.scalarmult(bytes(s), self.encoding))

    __rmul__ = __mul__

    def __bytes__(self) -> bytes:
        return self.encoding

    def hex(self) -> str:
        return self.encoding.hex()

    def __repr__(self) -> str:
        return f"Point({self.hex()[:16]}…)"


_IDENTITY_BYTES = bytes(32)
IDENTITY = Point(_IDENTITY_BYTES)
GENERATOR = Point(bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))

_SMALL_MULTIPLES = 1024


@functools.lru_cache(maxsize=_SMALL_MULTIPLES)
def _small_multiple(m: int) -> Point:
    return Point.base_mul(Scalar.of(m))
