"""A large raising or tag decryption is read packed from its board line (no object per
ciphertext or share), and gives exactly what the ordinary parser gives; a line that is not
canonical, or holds an invalid point, is refused either way."""

from __future__ import annotations

import pytest

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import Point, Scalar
from vecha.crypto.rows import PackedRows
from vecha.election.coercion import Raising, TagShares, raise_column, tag_shares
from vecha.errors import InvalidEncoding
from vecha.record.entries import Entry, EntryType
from vecha.record.packed_entries import PackedPoints, packed_entry
from vecha.testing.records import fixed_identities

FP = bytes(range(32))
ROWS = 600  # rows of two ciphertexts: lines past the size read packed (64 KiB)


def _rows() -> PackedRows:
    points = [Point.base_mul(Scalar.random()) for _ in range(8)]
    return PackedRows.of([(Ciphertext(points[i % 8], points[(i + 3) % 8]),) * 2 for i in range(ROWS)], 2)


def _line(kind: EntryType, payload: dict) -> bytes:  # type: ignore[type-arg]
    return Entry("e", 5, bytes(32), "2026-01-01T00:00:00Z", kind, payload).canonical()


def test_a_large_raising_reads_packed_as_it_reads_plain() -> None:
    inputs = _rows()
    raising = raise_column(FP, fixed_identities(1)[0], 1, Scalar.random_nonzero(), "tag-link", inputs)
    line = _line(EntryType.RAISING, raising.to_json())
    packed = packed_entry(line)
    assert packed is not None and isinstance(packed["payload"]["ciphertexts"], PackedRows)
    plain = parse_canonical(line)
    a = Raising.from_json(packed["payload"], ROWS, 2)
    b = Raising.from_json(plain["payload"], ROWS, 2)
    assert a == b and a.signed_message(FP) == b.signed_message(FP)
    a.verify(FP, [fixed_identities(1)[0].public], inputs)
    assert Entry.from_canonical(line).hash() == Entry.from_json(plain).hash()


def test_a_large_tag_decryption_reads_packed_as_it_reads_plain() -> None:
    raised = _rows()
    shares = tag_shares(FP, "tag-link", 2, Scalar.random_nonzero(), raised)
    line = _line(EntryType.TAG_DECRYPTION, shares.to_json())
    packed = packed_entry(line)
    assert packed is not None and isinstance(packed["payload"]["shares"], PackedPoints)
    assert TagShares.from_json(packed["payload"], 2 * ROWS) == TagShares.from_json(
        parse_canonical(line)["payload"], 2 * ROWS
    )
    with pytest.raises(InvalidEncoding):  # the wrong number of shares, packed too
        TagShares.from_json(packed["payload"], 2 * ROWS + 1)


def test_an_invalid_point_or_a_non_canonical_line_is_refused_packed_too() -> None:
    raised = _rows()
    shares = tag_shares(FP, "tag-group", 1, Scalar.random_nonzero(), raised).to_json()
    shares["shares"][7] = "ff" * 32
    with pytest.raises(InvalidEncoding):
        Entry.from_canonical(_line(EntryType.TAG_DECRYPTION, shares))
    raising = raise_column(FP, fixed_identities(1)[0], 1, Scalar.random_nonzero(), "tag-group", raised).to_json()
    raising["ciphertexts"][3][1]["beta"] = "ff" * 32
    with pytest.raises(InvalidEncoding):
        Entry.from_canonical(_line(EntryType.RAISING, raising))
    spaced = _line(
        EntryType.RAISING,
        raise_column(FP, fixed_identities(1)[0], 1, Scalar.random_nonzero(), "tag-group", raised).to_json(),
    )
    with pytest.raises(InvalidEncoding):
        Entry.from_canonical(spaced.replace(b'"kind":', b'"kind": ', 1))
    assert canonical_bytes(parse_canonical(spaced)) == spaced
