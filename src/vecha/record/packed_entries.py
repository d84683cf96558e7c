"""Reading a mix entry, or a trustee's decryption of the mixed ballots, without building a
Python object per ciphertext (spec §7.5).

A mix of 100k ballots of 5 ciphertexts is one board line of about 90 MB; parsed as JSON it
would be some 1.3 KB of Python objects per ciphertext, over a gigabyte at once. Its large
arrays have a fixed shape in canonical JSON, so they are read here straight into packed
bytes: `{"alpha":"<64 hex>","beta":"<64 hex>"}` per ciphertext, in rows of one width, and
`{"a":"…","b":"…","response":"…","share":"…"}` per share. The rest of the entry goes through
the strict canonical parser with the array cut out, so the line as a whole is accepted only
if it is canonical JSON. Anything that does not have exactly this shape is left to the
ordinary parser (which then reports what is wrong): this is a faster reading of the same
bytes, never a different one.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from typing import Any

from vecha.crypto.canonical import CanonicalText, parse_canonical
from vecha.crypto.group import Point
from vecha.crypto.rows import PackedRows
from vecha.crypto.shuffle import PROOF_SHAPE
from vecha.election.packed_ballots import Layout
from vecha.errors import InvalidEncoding
from vecha.record.entries import RECORD_VERSION

__all__ = ["PackedBallot", "PackedPoints", "PackedShares", "packed_entry", "packed_ballot_entry"]

_HEX = rb"[0-9a-f]{64}"
_CT = rb'\{"alpha":"' + _HEX + rb'","beta":"' + _HEX + rb'"\}'
_SHARE = rb'\{"a":"' + _HEX + rb'","b":"' + _HEX + rb'","response":"' + _HEX + rb'","share":"' + _HEX + rb'"\}'
_TAIL = re.compile(
    rb',"time":"[0-9TZ:-]{20}","type":"(mix|mix-decryption|raising|tag-decryption)","version":'
    + str(RECORD_VERSION).encode()
    + rb"\}\Z"
)
_MIX_START, _MIX_END = b'"payload":{"ballots":', b',"mixer":'
_RAISING_START, _RAISING_END = b'"payload":{"ciphertexts":', b',"key":"'
_POINTS_START, _POINTS_END = b',"shares":', b',"trustee":'
_POINT_LIST = re.compile(rb'\[(?:"' + _HEX + rb'",)*+"' + _HEX + rb'"\]')  # possessive, as _rows_regex
_PROOF_START, _PROOF_END = b',"proof":', b',"signature":"'
_SHARES_START, _SHARES_END = b'"payload":{"shares":', b',"trustee":'
_SMALL = 1 << 16  #: lines shorter than this are parsed the ordinary way

_BALLOT_START, _BALLOT_END = b'"payload":{"ballot":', b',"channel":"'
_BALLOT_TAIL = re.compile(
    rb',"time":"[0-9TZ:-]{20}","type":"ballot","version":' + str(RECORD_VERSION).encode() + rb"\}\Z"
)


@dataclass(frozen=True)
class PackedBallot(CanonicalText):
    """A ballot as read from a record by a verifier: its canonical bytes, checked to have its
    election's ballot layout (so canonical), with the two values the board's rules need
    before its proofs are checked, in hex. `value()` parses it, where the rest is needed."""

    credential: str
    election: str


@dataclass(frozen=True)
class PackedPoints:
    """A list of points as read from the board (a tag decryption's shares), each checked,
    their encodings end to end."""

    data: bytes

    def __len__(self) -> int:
        return len(self.data) // 32


@dataclass(frozen=True)
class PackedShares:
    """A trustee's shares of the mixed ballots as read from the board: per share, the
    proof's commitments A and B, its response and the share point (32 bytes each, 128 in
    all), row by row."""

    data: bytes
    rows: int
    width: int


def _rows_regex(item: bytes, width: int) -> re.Pattern[bytes]:
    row = rb"\[" + (item + rb",") * (width - 1) + item + rb"\]"
    # possessive (`*+`): no backtracking state is kept per row (seen here: 13 MB for a 20k-ballot mix)
    return re.compile(rb"\[(?:" + row + rb",)*+" + row + rb"\]")


def _cut(raw: bytes, start: bytes, end: bytes) -> tuple[int, int] | None:
    at = raw.find(start)
    if at < 0:
        return None
    begin = at + len(start)
    stop = raw.find(end, begin)
    return None if stop < 0 else (begin, stop)


def _width(raw: bytes, begin: int, key: bytes) -> int:
    return raw.count(key, begin, raw.find(b"]", begin) + 1)


#: in canonical JSON an item has a fixed length and its hex digits fixed offsets:
#: {"alpha":"…","beta":"…"} is 150 bytes (α at 10, β at 84);
#: {"a":"…","b":"…","response":"…","share":"…"} is 296 (A at 6, B at 77, r at 155, D at 230)
_CT_LAYOUT = (150, (10, 84))
_SHARE_LAYOUT = (296, (6, 77, 155, 230))


def _unpack(raw: bytes, begin: int, rows: int, width: int, layout: tuple[int, tuple[int, ...]]) -> bytes:
    """The hex fields of every item, decoded, in order (the shape was checked already)."""
    size, offsets = layout
    stride = (size + 1) * width + 2  # a row: "[", items joined by ",", "]"; then ","
    view, out = memoryview(raw), bytearray()
    for b in range(rows):
        row = begin + 1 + b * stride + 1
        for k in range(width):
            item = row + k * (size + 1)
            for off in offsets:
                out += binascii.unhexlify(view[item + off : item + off + 64])
    return bytes(out)


def _proof_span(raw: bytes, after: int) -> tuple[int, int] | None:
    """Where a mix's proof lies in its line (after the ballots end at `after`), if it has the
    canonical shape of a shuffle proof; else None (the ordinary parser reads it)."""
    at = raw.find(_PROOF_START, after)
    end = raw.rfind(_PROOF_END)
    if at < 0 or end < at:
        return None
    begin = at + len(_PROOF_START)
    return (begin, end) if PROOF_SHAPE.fullmatch(raw, begin, end) else None


def packed_entry(raw: bytes) -> dict[str, Any] | None:
    """A large `mix` or `mix-decryption` line as an entry object whose payload has its big
    array packed (a `PackedRows` for `ballots`, a `PackedShares` for `shares`) and a mix's
    proof kept as its canonical bytes (a `CanonicalText`); None for any
    other line, or one whose array does not have the fixed shape (the ordinary parser then
    reads it)."""
    if len(raw) < _SMALL:
        return None
    tail = _TAIL.search(raw[-96:])
    if tail is None:
        return None
    if tail.group(1) == b"tag-decryption":
        return _packed_points(raw)
    mix = tail.group(1) in (b"mix", b"raising")
    member = b"ballots" if tail.group(1) == b"mix" else b"ciphertexts"
    markers = {b"mix": (_MIX_START, _MIX_END), b"raising": (_RAISING_START, _RAISING_END)}
    span = _cut(raw, *markers.get(tail.group(1), (_SHARES_START, _SHARES_END)))
    if span is None:
        return None
    begin, stop = span
    width = _width(raw, begin, b'{"alpha"' if mix else b'{"a"')
    if width < 1 or not _rows_regex(_CT if mix else _SHARE, width).fullmatch(raw, begin, stop):
        return None
    proof = _proof_span(raw, stop) if member == b"ballots" and mix else None
    if proof is None:
        rest: Any = parse_canonical(raw[:begin] + b"[]" + raw[stop:])
    else:  # the proof is kept as its bytes, parsed by whoever checks it (a verifier's worker)
        rest = parse_canonical(raw[:begin] + b"[]" + raw[stop : proof[0]] + b"{}" + raw[proof[1] :])
    payload = rest.get("payload") if isinstance(rest, dict) else None
    if not isinstance(payload, dict):
        return None
    if proof is not None:
        payload["proof"] = CanonicalText(raw[proof[0] : proof[1]])
    layout = _CT_LAYOUT if mix else _SHARE_LAYOUT
    # "[" rows joined by "," "]": 1 + rows·(row + 1) bytes, a row being (item + 1)·width + 1
    rows = (stop - begin - 1) // ((layout[0] + 1) * width + 2)
    data = _unpack(raw, begin, rows, width, layout)
    if mix:
        for k in range(0, len(data), 32):
            if not Point.is_valid(data[k : k + 32]):
                raise InvalidEncoding(f"a mix: ciphertext {k // 64} holds an invalid point")
        payload[member.decode()] = PackedRows(data, width)
    else:
        payload["shares"] = PackedShares(data, rows, width)
    entry: dict[str, Any] = rest
    return entry


def _packed_points(raw: bytes) -> dict[str, Any] | None:
    """A large tag decryption: its `shares`, a list of hex points, read into a `PackedPoints`."""
    begin = raw.find(_POINTS_START)
    stop = raw.rfind(_POINTS_END)
    if begin < 0 or stop < begin:
        return None
    begin += len(_POINTS_START)
    if not _POINT_LIST.fullmatch(raw, begin, stop):
        return None
    rest = parse_canonical(raw[:begin] + b"[]" + raw[stop:])
    payload = rest.get("payload") if isinstance(rest, dict) else None
    if not isinstance(payload, dict):
        return None
    data = binascii.unhexlify(raw[begin:stop].replace(b'"', b"").replace(b",", b"")[1:-1])
    for k in range(0, len(data), 32):
        if not Point.is_valid(data[k : k + 32]):
            raise InvalidEncoding(f"a tag decryption: share {k // 32} is an invalid point")
    payload["shares"] = PackedPoints(data)
    entry: dict[str, Any] = rest
    return entry


def packed_ballot_entry(raw: bytes, layout: Layout) -> dict[str, Any] | None:
    """A ballot entry as an entry object whose ballot is a `PackedBallot`, if the ballot has
    the election's ballot layout (which is canonical JSON): the rest of the line goes through
    the strict canonical parser with the ballot cut out, so the line is accepted only if it is
    canonical JSON. None for any other line (the ordinary parser then reads it). A verifier's
    reading: it spares parsing and encoding again the 8 KB of every ballot, whose values a
    worker decodes."""
    if _BALLOT_TAIL.search(raw, max(0, len(raw) - 64)) is None:
        return None
    at = raw.find(_BALLOT_START)
    stop = raw.rfind(_BALLOT_END)
    if at < 0 or stop < at:
        return None
    begin = at + len(_BALLOT_START)
    ballot = raw[begin:stop]
    if not layout.fits(ballot):
        return None
    rest = parse_canonical(raw[:begin] + b"{}" + raw[stop:])
    payload = rest.get("payload") if isinstance(rest, dict) else None
    if not isinstance(payload, dict) or payload.get("ballot") != {}:
        return None
    payload["ballot"] = PackedBallot(ballot, ballot[layout.credential].decode(), ballot[layout.election].decode())
    entry: dict[str, Any] = rest
    return entry
