"""The second group backend: libdecaf (Debian's `libdecaf0`), by ristretto's inventor (DESIGN §2).

Byte-compatible with libsodium's ristretto255 (the conformance tests check this, RFC 9496
vectors included), but it lets points stay decoded between operations (an addition costs
0.3 µs instead of 12 µs), and it has double-scalar multiplication, which verification uses
for every `u·G + c·P`. Only group operations come from here; signatures and sealed boxes
stay with libsodium.

A point is held as an opaque `Handle`: libdecaf's point structure, which must be 32-byte
aligned (its field elements are declared `aligned(32)` for vector instructions), so it is
carved out of a slightly larger buffer that the handle keeps alive.
"""

from __future__ import annotations

import ctypes.util

from cffi import FFI

from vecha.errors import BackendUnavailable

try:  # the multi-scalar multiplication in C over libdecaf, where scripts/setup built it
    from vecha.crypto import _msm  # type: ignore[attr-defined]
except (ImportError, OSError):
    _msm = None

__all__ = [
    "Handle",
    "decode",
    "encode",
    "add",
    "sub",
    "mul",
    "base_mul",
    "Table",
    "precompute",
    "table_mul",
    "base_double_mul",
    "public_mul",
    "double_mul",
    "from_hash",
    "Sum",
    "load",
    "available",
    "msm_available",
    "multi_mul",
    "decode_many",
    "Block",
    "decode_block",
    "sum_into",
    "encode_at",
    "multi_mul_at",
]

_POINT_BYTES = 256  #: sizeof(decaf_255_point_s): 4 field elements of 40 bytes, each padded to 64
_ALIGN = 32
if _msm is not None and _msm.lib.vecha_point_size() != _POINT_BYTES:  # another libdecaf build: not ours to use
    _msm = None

_ffi = FFI()
_ffi.cdef(
    """
    typedef struct { uint64_t words[32]; } decaf_255_point_s;
    typedef struct { uint64_t limb[4]; } decaf_255_scalar_s;
    typedef struct decaf_255_precomputed_s decaf_255_precomputed_s;
    extern const decaf_255_precomputed_s *decaf_255_precomputed_base;
    extern size_t decaf_255_sizeof_precomputed_s;  /* const in the header; read-only here */
    extern size_t decaf_255_alignof_precomputed_s;
    void decaf_255_precompute(decaf_255_precomputed_s *a, const decaf_255_point_s *b);

    int decaf_255_point_decode(decaf_255_point_s *p, const uint8_t ser[32], uint64_t allow_identity);
    void decaf_255_point_encode(uint8_t ser[32], const decaf_255_point_s *p);
    void decaf_255_point_add(decaf_255_point_s *out, const decaf_255_point_s *a, const decaf_255_point_s *b);
    void decaf_255_point_sub(decaf_255_point_s *out, const decaf_255_point_s *a, const decaf_255_point_s *b);
    void decaf_255_point_scalarmul(decaf_255_point_s *out, const decaf_255_point_s *b, const decaf_255_scalar_s *s);
    void decaf_255_precomputed_scalarmul(
        decaf_255_point_s *out, const decaf_255_precomputed_s *b, const decaf_255_scalar_s *s);
    void decaf_255_base_double_scalarmul_non_secret(
        decaf_255_point_s *combo, const decaf_255_scalar_s *s1, const decaf_255_point_s *b2,
        const decaf_255_scalar_s *s2);
    void decaf_255_point_double_scalarmul(
        decaf_255_point_s *combo, const decaf_255_point_s *b1, const decaf_255_scalar_s *s1,
        const decaf_255_point_s *b2, const decaf_255_scalar_s *s2);
    int decaf_255_scalar_decode(decaf_255_scalar_s *out, const uint8_t ser[32]);
    void decaf_255_point_from_hash_uniform(decaf_255_point_s *pt, const unsigned char data[64]);
    """
)

# The C types, looked up once (`ffi.new("…")` would parse or look up the string on every call).
_CHARS = _ffi.typeof("char[]")
_UINTPTR = _ffi.typeof("uintptr_t")
_POINT_PTR = _ffi.typeof("decaf_255_point_s *")
_SCALAR_PTR = _ffi.typeof("decaf_255_scalar_s *")
_BYTES32 = _ffi.typeof("uint8_t[32]")

_SUCCESS = -1  #: DECAF_SUCCESS
_ZERO_SCALAR = _ffi.new(_SCALAR_PTR)  #: zero-filled
_ALLOW_IDENTITY = 0xFFFFFFFFFFFFFFFF  #: DECAF_TRUE


def load() -> object:
    """The library, or `BackendUnavailable` if it is not installed."""
    names = [n for n in ("libdecaf.so.0", ctypes.util.find_library("decaf")) if n]
    for name in names:
        try:
            return _ffi.dlopen(name)
        except OSError:
            continue
    raise BackendUnavailable("libdecaf was not found (Debian: apt-get install libdecaf0)")


_L: object = None


def _lib() -> object:
    global _L
    if _L is None:
        _L = load()
    return _L


class Handle:
    """A decoded point (libdecaf's structure), 32-byte aligned: in a buffer of its own, or
    one of many in a shared buffer (`decode_many`), which it keeps alive."""

    __slots__ = ("_buffer", "ptr", "address")

    def __init__(self) -> None:
        self._buffer = _ffi.new(_CHARS, _POINT_BYTES + _ALIGN)
        self.address = (int(_ffi.cast(_UINTPTR, self._buffer)) + _ALIGN - 1) & ~(_ALIGN - 1)
        self.ptr = _ffi.cast(_POINT_PTR, self.address)

    @classmethod
    def _view(cls, buffer: object, address: int) -> Handle:
        h = cls.__new__(cls)
        h._buffer, h.address, h.ptr = buffer, address, _ffi.cast(_POINT_PTR, address)
        return h


def _scalar(data: bytes) -> object:
    """A reduced scalar (32 bytes little-endian, below ℓ: the caller's `Scalar` guarantees it)."""
    s = _ffi.new(_SCALAR_PTR)
    if _lib().decaf_255_scalar_decode(s, data) != _SUCCESS:  # type: ignore[attr-defined]
        raise ValueError("scalar not reduced")
    return s


def decode(data: bytes) -> Handle | None:
    """The point with this canonical encoding (identity allowed), or None if it is not one."""
    if len(data) != 32:
        return None
    h = Handle()
    ok = _lib().decaf_255_point_decode(h.ptr, data, _ALLOW_IDENTITY)  # type: ignore[attr-defined]
    return h if ok == _SUCCESS else None


def decode_many(data: bytes) -> list[Handle] | None:
    """The points whose canonical encodings lie end to end in `data` (32 bytes each; identity
    allowed), or None if any is not one: decoded in one call into C, into one buffer, where
    the multi-scalar multiplication's module is built (a ballot's 72 points: a call each
    costs more than the decoding's own arithmetic); one by one otherwise."""
    n = len(data) // 32
    if len(data) % 32:
        return None
    if _msm is None or n == 0:
        single = [decode(data[32 * i : 32 * i + 32]) for i in range(n)]
        return None if any(h is None for h in single) else single  # type: ignore[return-value]
    block = decode_block(data)
    if block is None:
        return None
    return [Handle._view(block.buffer, block.base + i * _POINT_BYTES) for i in range(n)]


class Block:
    """Points decoded end to end in one buffer, known by their addresses: no `Handle` per
    point (a verifier reading a chunk of ballots straight from their bytes). `spare` slots
    after the decoded ones are left for points computed into the block."""

    __slots__ = ("buffer", "base")

    def __init__(self, size: int) -> None:
        self.buffer = _ffi.new(_CHARS, size * _POINT_BYTES + _ALIGN)
        self.base = (int(_ffi.cast(_UINTPTR, self.buffer)) + _ALIGN - 1) & ~(_ALIGN - 1)

    def handle(self, i: int) -> Handle:
        """Point i as a handle (which keeps the whole block alive)."""
        return Handle._view(self.buffer, self.base + i * _POINT_BYTES)


def decode_block(data: bytes, spare: int = 0) -> Block | None:
    """The points encoded end to end in `data` (identity allowed), decoded in one call, with
    `spare` more slots; None if any is not a canonical encoding (or the module is not built)."""
    n = len(data) // 32
    if _msm is None or len(data) % 32:
        return None
    block = Block(n + spare)
    if n and _msm.lib.vecha_decode_many(block.base, data, n) != -1:
        return None
    return block


def sum_into(out: int, addresses: list[int]) -> None:
    """Write at `out` the sum of the points at `addresses` (one call into C)."""
    if _msm is None:
        raise BackendUnavailable("the multi-scalar multiplication is not built (scripts/setup builds it)")
    _msm.lib.vecha_sum(out, _msm.ffi.new("uintptr_t[]", addresses), len(addresses))


def encode_at(address: int) -> bytes:
    out = _ffi.new(_BYTES32)
    _lib().decaf_255_point_encode(out, _ffi.cast(_POINT_PTR, address))  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(out))


def encode(h: Handle) -> bytes:
    out = _ffi.new(_BYTES32)
    _lib().decaf_255_point_encode(out, h.ptr)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(out))


def add(a: Handle, b: Handle) -> Handle:
    h = Handle()
    _lib().decaf_255_point_add(h.ptr, a.ptr, b.ptr)  # type: ignore[attr-defined]
    return h


def sub(a: Handle, b: Handle) -> Handle:
    h = Handle()
    _lib().decaf_255_point_sub(h.ptr, a.ptr, b.ptr)  # type: ignore[attr-defined]
    return h


def mul(p: Handle, n: bytes) -> Handle:
    """n·P (constant time)."""
    h = Handle()
    _lib().decaf_255_point_scalarmul(h.ptr, p.ptr, _scalar(n))  # type: ignore[attr-defined]
    return h


def base_mul(n: bytes) -> Handle:
    """n·G from the precomputed table of the generator (constant time)."""
    lib = _lib()
    h = Handle()
    lib.decaf_255_precomputed_scalarmul(h.ptr, lib.decaf_255_precomputed_base, _scalar(n))  # type: ignore[attr-defined]
    return h


class Table:
    """libdecaf's precomputed multiples of one point (the comb table it keeps for the generator),
    aligned as the library declares."""

    __slots__ = ("_buffer", "ptr")

    def __init__(self, p: Handle) -> None:
        lib = _lib()
        size, align = lib.decaf_255_sizeof_precomputed_s, lib.decaf_255_alignof_precomputed_s  # type: ignore[attr-defined]
        self._buffer = _ffi.new("char[]", size + align)
        address = (int(_ffi.cast("uintptr_t", self._buffer)) + align - 1) & ~(align - 1)
        self.ptr = _ffi.cast("decaf_255_precomputed_s *", address)
        lib.decaf_255_precompute(self.ptr, p.ptr)  # type: ignore[attr-defined]


def precompute(p: Handle) -> Table:
    return Table(p)


def table_mul(t: Table, n: bytes) -> Handle:
    """n·P from P's table, as fast as a multiple of the generator (constant time)."""
    h = Handle()
    _lib().decaf_255_precomputed_scalarmul(h.ptr, t.ptr, _scalar(n))  # type: ignore[attr-defined]
    return h


def base_double_mul(n1: bytes, p2: Handle, n2: bytes) -> Handle:
    """n1·G + n2·P2. Variable time: only for public values (verification)."""
    if not any(n2):
        # libdecaf 1.0.2 returns the identity here when n2 is 0, whatever n1 is (found by the
        # conformance tests). A forged proof could choose a zero challenge: compute it plainly.
        return base_mul(n1)
    h = Handle()
    _lib().decaf_255_base_double_scalarmul_non_secret(h.ptr, _scalar(n1), p2.ptr, _scalar(n2))  # type: ignore[attr-defined]
    return h


def public_mul(p: Handle, n: bytes) -> Handle:
    """n·P. Variable time: only for public values. (The base double multiplication with no
    multiple of the generator: its variable-time pass costs less than `mul`'s constant-time
    one, 32 µs instead of 38 in `bench_floor.py`; with n = 0 it returns the identity, rightly.)"""
    h = Handle()
    _lib().decaf_255_base_double_scalarmul_non_secret(h.ptr, _ZERO_SCALAR, p.ptr, _scalar(n))  # type: ignore[attr-defined]
    return h


def double_mul(p1: Handle, n1: bytes, p2: Handle, n2: bytes) -> Handle:
    """n1·P1 + n2·P2."""
    h = Handle()
    _lib().decaf_255_point_double_scalarmul(h.ptr, p1.ptr, _scalar(n1), p2.ptr, _scalar(n2))  # type: ignore[attr-defined]
    return h


def from_hash(data: bytes) -> Handle:
    """RFC 9496's one-way map from 64 uniform bytes."""
    if len(data) != 64:
        raise ValueError("hash-to-point takes 64 bytes")
    h = Handle()
    _lib().decaf_255_point_from_hash_uniform(h.ptr, data)  # type: ignore[attr-defined]
    return h


class Sum:
    """A running sum of points, added to without a new handle per step (the tally adds
    millions): the sum and a spare swap roles after each addition, so no call writes a point
    it also reads."""

    __slots__ = ("_sum", "_spare", "_scratch", "_decode", "_add")

    def __init__(self) -> None:
        lib = _lib()
        self._sum, self._spare, self._scratch = Handle(), Handle(), Handle()
        self._decode, self._add = lib.decaf_255_point_decode, lib.decaf_255_point_add  # type: ignore[attr-defined]
        self._decode(self._sum.ptr, bytes(32), _ALLOW_IDENTITY)

    def add_encoded(self, data: bytes) -> bool:
        """Add the point with this canonical encoding; False (and nothing added) if it is not one."""
        if len(data) != 32 or self._decode(self._scratch.ptr, data, _ALLOW_IDENTITY) != _SUCCESS:
            return False
        self._add(self._spare.ptr, self._sum.ptr, self._scratch.ptr)
        self._sum, self._spare = self._spare, self._sum
        return True

    def add(self, h: Handle) -> None:
        self._add(self._spare.ptr, self._sum.ptr, h.ptr)
        self._sum, self._spare = self._spare, self._sum

    def total(self) -> Handle:
        """The sum so far, as a handle of its own (later additions do not change it)."""
        h = Handle()
        _ffi.memmove(h.ptr, self._sum.ptr, _POINT_BYTES)
        return h


def available() -> bool:
    try:
        _lib()
    except BackendUnavailable:
        return False
    return True


def msm_available() -> bool:
    """Whether the multi-scalar multiplication (`msm.c`, built by `_msm_build`) is here."""
    return _msm is not None and available()


def multi_mul(handles: list[Handle], scalars: bytes) -> Handle:
    """Σ s_i·P_i for the points `handles` and the scalars end to end in `scalars` (32 bytes
    each, little-endian), by Pippenger's bucket method. Variable time: public values only."""
    return multi_mul_at([h.address for h in handles], scalars)


def multi_mul_at(addresses: list[int], scalars: bytes) -> Handle:
    """`multi_mul` for points given by their addresses (handles' or a `Block`'s, which the
    caller keeps alive)."""
    if _msm is None:
        raise BackendUnavailable("the multi-scalar multiplication is not built (scripts/setup builds it)")
    if len(scalars) != 32 * len(addresses):
        raise ValueError("32 bytes of scalar per point")
    h = Handle()
    if _msm.lib.vecha_msm(h.address, _msm.ffi.new("uintptr_t[]", addresses), scalars, len(addresses)) != 0:
        raise MemoryError("the multi-scalar multiplication ran out of memory")
    return h
