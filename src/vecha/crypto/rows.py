"""Rows of ciphertexts held packed: 64 bytes (α ‖ β) per ciphertext, decoded when read.

A mix of 100k ballots of 5 ciphertexts holds 500k ciphertexts; as `Point` objects (each with
its encoding and, with libdecaf, its decoded form) that is hundreds of megabytes per copy,
and a verifier holds a mix's inputs and outputs at once. Packed, a copy is 32 MB. Every
encoding put in is a valid point (checked once, where it came from), so reading one back
needs no second check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.group import Point
from vecha.errors import InvalidEncoding

__all__ = ["PackedRows", "Row"]

Row = tuple[Ciphertext, ...]
_PIECE_ROWS = 4096  #: rows per piece of `canonical_json_pieces`
_CT = 64


class PackedRows(Sequence[Row]):
    """`len(data) / (64·width)` rows of `width` ciphertexts; immutable."""

    __slots__ = ("_data", "width")

    def __init__(self, data: bytes, width: int) -> None:
        if width < 1 or len(data) % (_CT * width):
            raise InvalidEncoding(f"packed rows: {len(data)} bytes are not rows of {width} ciphertexts")
        self._data = bytes(data)
        self.width = width

    @classmethod
    def of(cls, rows: Iterable[Row], width: int) -> PackedRows:
        parts: list[bytes] = []
        for row in rows:
            if len(row) != width:
                raise InvalidEncoding(f"a row of {len(row)} ciphertexts among rows of {width}")
            parts.extend(ct.alpha.encoding + ct.beta.encoding for ct in row)
        return cls(b"".join(parts), width)

    @classmethod
    def from_json(cls, obj: object, ballots: int, width: int) -> PackedRows:
        """Rows as JSON (`[[{"alpha", "beta"} × width] × ballots]`), each point checked."""
        if not isinstance(obj, list) or len(obj) != ballots:
            raise InvalidEncoding(f"{ballots} ballots, one row each")
        out = bytearray()
        for b, row in enumerate(obj):
            if not isinstance(row, list) or len(row) != width:
                raise InvalidEncoding(f"ballot {b}: {width} ciphertexts")
            for k, ct in enumerate(row):
                if not isinstance(ct, dict) or set(ct) != {"alpha", "beta"}:
                    raise InvalidEncoding(f"ballot {b}, ciphertext {k}: {{alpha, beta}}")
                for name in ("alpha", "beta"):
                    encoding = hex_bytes(ct[name], 32, name)
                    if not Point.is_valid(encoding):
                        raise InvalidEncoding(f"ballot {b}, ciphertext {k}: {name} is not a point")
                    out += encoding
        return cls(bytes(out), width)

    @property
    def data(self) -> bytes:
        return self._data

    def __len__(self) -> int:
        return len(self._data) // (_CT * self.width)

    @overload
    def __getitem__(self, i: int) -> Row: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Row]: ...
    def __getitem__(self, i: int | slice) -> Row | Sequence[Row]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row index out of range")
        start, d = i * _CT * self.width, self._data
        return tuple(
            Ciphertext(Point.trusted(d[k : k + 32]), Point.trusted(d[k + 32 : k + 64]))
            for k in range(start, start + _CT * self.width, _CT)
        )

    def __iter__(self) -> Iterator[Row]:
        for i in range(len(self)):
            yield self[i]

    def row_bytes(self, i: int) -> bytes:
        start = i * _CT * self.width
        return self._data[start : start + _CT * self.width]

    def to_json(self) -> list[list[dict[str, str]]]:
        d, w = self._data, self.width
        return [
            [
                {"alpha": d[k : k + 32].hex(), "beta": d[k + 32 : k + 64].hex()}
                for k in range(start, start + _CT * w, _CT)
            ]
            for start in range(0, len(d), _CT * w)
        ]

    def canonical_json(self) -> bytes:
        """`canonical_bytes(self.to_json())`, written straight from the packed bytes (no
        object per ciphertext): what a mix's signature covers."""
        return b"".join(self.canonical_json_pieces())

    def canonical_json_length(self) -> int:
        """len(canonical_json()), without writing it: per ciphertext
        `{"alpha":"…","beta":"…"}` (150 bytes), commas between them and between rows,
        brackets around each row and around all."""
        rows, w = len(self), self.width
        return 2 + rows * (150 * w + (w - 1) + 2) + max(rows - 1, 0)

    def write_canonical_json(self, out: bytearray, at: int) -> int:
        """Write canonical_json() into `out` from offset `at`, a piece of some 4096 rows at
        a time; returns the offset after it. A 100k-ballot mix's signed message is so built
        in one buffer of its exact size, not hexed whole, grown and copied again (some
        300 MB at once at 100k, before)."""
        for piece in self.canonical_json_pieces():
            out[at : at + len(piece)] = piece
            at += len(piece)
        return at

    def canonical_json_pieces(self) -> Iterator[bytes]:
        """`canonical_json()` in pieces of some 4096 rows each, made one at a time."""
        d, w = self._data, self.width
        step = _CT * w * _PIECE_ROWS
        yield b"["
        for begin in range(0, len(d), step):
            hexed = d[begin : begin + step].hex().encode("ascii")
            out = bytearray()
            for start in range(0, len(hexed), 2 * _CT * w):
                out += b"," if begin or start else b""
                out += b"["
                for k in range(start, start + 2 * _CT * w, 2 * _CT):
                    if k != start:
                        out += b","
                    out += b'{"alpha":"'
                    out += hexed[k : k + 64]
                    out += b'","beta":"'
                    out += hexed[k + 64 : k + 128]
                    out += b'"}'
                out += b"]"
            yield bytes(out)
        yield b"]"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedRows):
            return self.width == other.width and self._data == other._data
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.width, self._data))

    def __repr__(self) -> str:
        return f"PackedRows({len(self)} rows of {self.width})"


def packed(rows: Sequence[Row]) -> PackedRows:
    """`rows` packed (as they are, if they already are)."""
    if isinstance(rows, PackedRows):
        return rows
    width = len(rows[0]) if rows else 1
    return PackedRows.of(rows, width)
