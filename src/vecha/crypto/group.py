"""ristretto255 scalars and points (spec §2).

`Scalar` and `Point` are frozen values that are valid by construction: the decoders
(`Scalar.from_canonical_bytes`, `Point.from_bytes`) reject anything that is not a
canonical encoding, so an invalid value cannot exist past them.

Scalar arithmetic is done on Python integers modulo the group order ℓ; point
arithmetic is delegated to libdecaf (`_decaf`) when it is installed, else to libsodium
(`_sodium`). Both give the same bytes; the conformance tests hold them to it. This module
reads no environment: whoever runs Vecha (the CLI, a test run, a benchmark, a worker
process told by its parent) chooses with `use_backend`; `backend()` says which is in use.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from vecha.crypto import _decaf, _sodium
from vecha.errors import BackendUnavailable, InvalidEncoding

__all__ = [
    "ORDER",
    "Scalar",
    "Point",
    "PointSum",
    "GENERATOR",
    "IDENTITY",
    "BACKENDS",
    "backend",
    "use_backend",
    "weighted_sum",
    "public_weighted_sum",
    "use_msm",
    "msm_in_use",
    "MSM_FROM",
    "public_integer_sum",
]

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


class Point:
    """A ristretto255 group element (§2.1); equal points have equal canonical encodings.

    With libsodium the point is held as its 32-byte encoding (every libsodium call decodes
    its inputs and encodes its result). With libdecaf it is also held decoded, and each form
    is computed from the other only when first needed: a chain of operations never encodes
    the intermediate points.
    """

    __slots__ = ("_encoding", "_handle")
    _encoding: bytes | None
    _handle: _decaf.Handle | None

    def __init__(self, encoding: bytes) -> None:
        """Decode a point: rejects anything but a canonical encoding of a group element."""
        handle = None
        if not isinstance(encoding, bytes) or len(encoding) != 32:
            raise InvalidEncoding("invalid ristretto255 point encoding")
        if _DECAF:
            handle = _decaf.decode(encoding)
            valid = handle is not None
        else:
            valid = _sodium.is_valid_point(encoding)
        if not valid:
            raise InvalidEncoding("invalid ristretto255 point encoding")
        object.__setattr__(self, "_encoding", encoding)
        object.__setattr__(self, "_handle", handle)

    @classmethod
    def _computed(cls, encoding: bytes | None = None, handle: _decaf.Handle | None = None) -> Point:
        """A point that the backend has just computed: valid by construction, so it is not
        checked again (that would cost a decoding, 4 µs, per operation)."""
        p = object.__new__(cls)
        object.__setattr__(p, "_encoding", encoding)
        object.__setattr__(p, "_handle", handle)
        return p

    @classmethod
    def trusted(cls, encoding: bytes) -> Point:
        """A point from an encoding already checked to be valid (one kept packed after its
        check, `vecha.crypto.rows`): decoded only when first used, never checked again."""
        return cls._computed(encoding)

    @staticmethod
    def is_valid(encoding: bytes) -> bool:
        """Whether 32 bytes are the canonical encoding of a group element."""
        if not isinstance(encoding, bytes) or len(encoding) != 32:
            return False
        if _DECAF:
            return _decaf.decode(encoding) is not None
        return bool(_sodium.is_valid_point(encoding))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Point is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Point is immutable")

    def __reduce__(self) -> tuple[type[Point], tuple[bytes]]:
        return (Point, (self.encoding,))

    def __copy__(self) -> Point:
        return self

    def __deepcopy__(self, memo: object) -> Point:
        return self

    @property
    def encoding(self) -> bytes:
        """The canonical 32-byte encoding."""
        e = self._encoding
        if e is None:
            assert self._handle is not None
            e = _decaf.encode(self._handle)
            object.__setattr__(self, "_encoding", e)
        return e

    def _decoded(self) -> _decaf.Handle:
        h = self._handle
        if h is None:
            assert self._encoding is not None
            h = _decaf.decode(self._encoding)
            assert h is not None  # the encoding was checked when the point was made
            object.__setattr__(self, "_handle", h)
        return h

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and self.encoding == other.encoding

    def __hash__(self) -> int:
        return hash(self.encoding)

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Decode a point; rejects non-canonical and invalid encodings (identity allowed)."""
        if not isinstance(data, bytes) or len(data) != 32:
            raise InvalidEncoding("a point is 32 bytes")
        return cls(data)

    @classmethod
    def many_from_bytes(cls, data: bytes) -> list[Point] | None:
        """The points whose encodings lie end to end in `data` (32 bytes each; identity
        allowed), or None if any is not a valid encoding (the caller then decodes them one by
        one, for the error naming the one). With libdecaf, decoded in one call."""
        if len(data) % 32:
            return None
        if _DECAF:
            handles = _decaf.decode_many(data)
            if handles is None:
                return None
            return [cls._computed(data[32 * i : 32 * i + 32], h) for i, h in enumerate(handles)]
        encodings = [data[32 * i : 32 * i + 32] for i in range(len(data) // 32)]
        if not all(_sodium.is_valid_point(e) for e in encodings):
            return None
        return [cls._computed(e) for e in encodings]

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
        if _DECAF:
            return cls._computed(handle=_decaf.from_hash(data))
        return cls._computed(_sodium.point_from_hash(data))

    @classmethod
    def base_mul(cls, s: Scalar) -> Point:
        """s·G for the standard generator G (constant time)."""
        if s.value == 0:
            return IDENTITY
        if _DECAF:
            return cls._computed(handle=_decaf.base_mul(bytes(s)))
        return cls._computed(_sodium.scalarmult_base(bytes(s)))

    @classmethod
    def small_multiple(cls, m: int) -> Point:
        """m·G for a (small, non-negative) integer m: the encoding of a vote count. The small
        ones are kept: every 0-or-1 proof needs 1·G, and counts repeat."""
        if 0 <= m < _SMALL_MULTIPLES:
            return _small_multiple(m)
        return cls.base_mul(Scalar.of(m))

    @classmethod
    def base_double_mul(cls, a: Scalar, b: Scalar, q: Point) -> Point:
        """a·G + b·Q, in one pass with libdecaf. VARIABLE TIME: only for public values
        (verifying a proof), never with a secret."""
        if _DECAF:
            return cls._computed(handle=_decaf.base_double_mul(bytes(a), q._decoded(), bytes(b)))
        return cls.base_mul(a) + q * b

    @classmethod
    def fixed_double_mul(cls, a: Scalar, fixed: Point, g: Scalar, b: Scalar, q: Point) -> Point:
        """a·P + g·G + b·Q, where P is a point multiplied again and again (the election key):
        a·P comes from P's table, as in `mul_fixed`, and g·G + b·Q from one variable-time
        pass. At `bench_floor.py`'s prices with libdecaf: 48 µs when g is 0 and 53 µs
        otherwise, against 54 for `double_mul` (constant time) and the subtraction it would
        need for the shift by g·G. VARIABLE TIME in g and b: only for public values
        (verifying a proof)."""
        if _DECAF:
            q_h, b_bytes = q._decoded(), bytes(b)
            rest = _decaf.base_double_mul(bytes(g), q_h, b_bytes) if g.value else _decaf.public_mul(q_h, b_bytes)
            if a.value == 0:
                return cls._computed(handle=rest)
            return cls._computed(handle=_decaf.add(_decaf.table_mul(_table_of(fixed), bytes(a)), rest))
        return fixed.mul_fixed(a) + cls.base_mul(g) + q * b

    @classmethod
    def double_mul(cls, a: Scalar, p: Point, b: Scalar, q: Point) -> Point:
        """a·P + b·Q, in one pass with libdecaf."""
        if _DECAF:
            return cls._computed(handle=_decaf.double_mul(p._decoded(), bytes(a), q._decoded(), bytes(b)))
        return p * a + q * b

    def is_identity(self) -> bool:
        return self.encoding == _IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        if _DECAF:
            return Point._computed(handle=_decaf.add(self._decoded(), other._decoded()))
        if other.encoding == _IDENTITY_BYTES:
            return self
        if self.encoding == _IDENTITY_BYTES:
            return other
        return Point._computed(_sodium.point_add(self.encoding, other.encoding))

    def __sub__(self, other: Point) -> Point:
        if _DECAF:
            return Point._computed(handle=_decaf.sub(self._decoded(), other._decoded()))
        if other.encoding == _IDENTITY_BYTES:
            return self
        return Point._computed(_sodium.point_sub(self.encoding, other.encoding))

    def __neg__(self) -> Point:
        return IDENTITY - self

    def __mul__(self, s: Scalar) -> Point:
        if s.value == 0:
            return IDENTITY
        if _DECAF:
            return Point._computed(handle=_decaf.mul(self._decoded(), bytes(s)))
        if self.is_identity():  # libsodium refuses to multiply the identity
            return IDENTITY
        return Point._computed(_sodium.scalarmult(bytes(s), self.encoding))

    __rmul__ = __mul__

    def mul_fixed(self, s: Scalar) -> Point:
        """s·P for a point that is multiplied again and again (the election key, by every
        encryption and proof). With libdecaf, P's table of multiples is computed on first use
        (about 40 µs, 9 KiB; the last 16 such points are kept), and each multiple then costs what a
        multiple of the generator does (15 µs instead of 37 in `bench_floor.py`). Constant time,
        like `*`."""
        if s.value == 0:
            return IDENTITY
        if _DECAF:
            return Point._computed(handle=_decaf.table_mul(_table_of(self), bytes(s)))
        return self * s

    def __bytes__(self) -> bytes:
        return self.encoding

    def hex(self) -> str:
        return self.encoding.hex()

    def __repr__(self) -> str:
        return f"Point({self.hex()[:16]}…)"


class PointSum:
    """A running sum of points: a mutable accumulator, not a value. The tally adds 22 points
    per 11-option ballot, a million ballots over; with libdecaf each addition here decodes
    into and adds between handles kept for the purpose, where `Point(…) + …` would make a
    handle and a `Point` per step."""

    __slots__ = ("_decaf_sum", "_point")

    def __init__(self) -> None:
        self._decaf_sum = _decaf.Sum() if _DECAF else None
        self._point = IDENTITY

    def add_encoded(self, encoding: bytes) -> None:
        """Add the point with this encoding; rejects (`InvalidEncoding`, nothing added) anything
        but a canonical encoding of a group element, as `Point.from_bytes` does."""
        if self._decaf_sum is not None:
            if not self._decaf_sum.add_encoded(encoding):
                raise InvalidEncoding("invalid ristretto255 point encoding")
        else:
            self._point = self._point + Point.from_bytes(encoding)

    def add(self, p: Point) -> None:
        if self._decaf_sum is not None:
            self._decaf_sum.add(p._decoded())
        else:
            self._point = self._point + p

    def total(self) -> Point:
        """The sum so far (a value: later additions do not change it)."""
        if self._decaf_sum is not None:
            return Point._computed(handle=self._decaf_sum.total())
        return self._point


def public_weighted_sum(scalars: Sequence[Scalar], points: Sequence[Point]) -> Point:
    """`weighted_sum` of public values (a verifier's): with libdecaf and its multi-scalar
    multiplication built, from `MSM_FROM` terms on, in one Pippenger pass (`msm.c`), whose
    time depends on the scalars; otherwise `weighted_sum`."""
    return public_integer_sum([s.value for s in scalars], points)


def public_integer_sum(scalars: Sequence[int], points: Sequence[Point]) -> Point:
    """`public_weighted_sum` for scalars given as Python integers (any, reduced here): a batch
    of proofs (`vecha.crypto.batch`) has thousands, and makes no `Scalar` for each."""
    if len(scalars) != len(points):
        raise ValueError("as many scalars as points")
    if _DECAF and _MSM and len(points) >= MSM_FROM:
        handles = [p._decoded() for p in points]
        data = b"".join((s % ORDER).to_bytes(32, "little") for s in scalars)
        return Point._computed(handle=_decaf.multi_mul(handles, data))
    return weighted_sum([Scalar(s % ORDER) for s in scalars], points)


def weighted_sum(scalars: Sequence[Scalar], points: Sequence[Point]) -> Point:
    """Σ s_i·P_i, two terms per double-scalar multiplication (the identity for none); as
    fit for secret scalars as the multiplications are (a prover's nonces)."""
    if len(scalars) != len(points):
        raise ValueError("as many scalars as points")
    total, n = IDENTITY, len(points)
    for k in range(0, n - 1, 2):
        total = total + Point.double_mul(scalars[k], points[k], scalars[k + 1], points[k + 1])
    if n % 2:
        total = total + points[-1] * scalars[-1]
    return total


#: the group backends, fastest first
BACKENDS = ("libdecaf", "libsodium")

#: whether libdecaf does the point arithmetic: by default wherever it is installed
_DECAF = _decaf.available()

#: whether `public_weighted_sum` uses the multi-scalar multiplication: wherever it is built
_MSM = _decaf.msm_available()
#: from this many terms on it is faster than double-scalar multiplications in pairs
#: (`benchmarks/bench_msm.py`)
MSM_FROM = 8


def use_msm(on: bool) -> None:
    """Let `public_weighted_sum` use the multi-scalar multiplication, or not (the pure path, to hold
    one to the other and to measure both). Raises `BackendUnavailable` where it is not built."""
    global _MSM
    if on and not _decaf.msm_available():
        raise BackendUnavailable("the multi-scalar multiplication is not built (scripts/setup builds it)")
    _MSM = on


def msm_in_use() -> bool:
    return _DECAF and _MSM


def backend() -> str:
    """The group backend in use: "libdecaf" or "libsodium"."""
    return "libdecaf" if _DECAF else "libsodium"


def use_backend(name: str) -> None:
    """Do the point arithmetic with `name` from now on (points made before stay valid: each
    keeps its encoding and decodes it for the other backend when asked). Raises
    `BackendUnavailable` for an unknown name, or for libdecaf where it is not installed
    (naming the package to install)."""
    global _DECAF
    if name not in BACKENDS:
        raise BackendUnavailable(f"unknown group backend {name!r}: expected one of {', '.join(BACKENDS)}")
    if name == "libdecaf":
        _decaf.load()
    _DECAF = name == "libdecaf"


_IDENTITY_BYTES = bytes(32)
IDENTITY = Point(_IDENTITY_BYTES)
GENERATOR = Point(bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))

_SMALL_MULTIPLES = 1024


@functools.lru_cache(maxsize=16)
def _table_of(p: Point) -> _decaf.Table:
    return _decaf.precompute(p._decoded())


@functools.lru_cache(maxsize=_SMALL_MULTIPLES)
def _small_multiple(m: int) -> Point:
    return Point.base_mul(Scalar.of(m))
