"""Ballots checked straight from their canonical JSON (`vecha.election.packed_ballots`) give
exactly what decoding them and checking each proof alone gives: the same ballots pass, the
same fail with the same error, and the same sum of ciphertexts is handed to the tally. And
the fast reading really checks: a ballot whose hashes hold and whose equations do not is
caught by the batch, not passed through."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import ORDER, Point, Scalar
from vecha.crypto.batch import Batch
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.group import backend, msm_in_use, use_backend, use_msm
from vecha.election.ballot import Ballot, encrypt_ballot, selections_from_labels, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.counting import aggregate_ballots
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.election.packed_ballots import check_ballot_lines, layout_of, read_ballot, sum_ballots
from vecha.errors import VechaError
from vecha.record.entries import Entry, EntryType
from vecha.record.packed_entries import PackedBallot
from vecha.testing.records import SMALL_DEFINITION, WHOLE_BALLOT_DEFINITION

pytestmark = pytest.mark.skipif(not msm_in_use(), reason="points are held in bulk only with libdecaf and msm.c")

SMALL_VOTES = [{"council": ["North"], "yesno": ["Yes"]}, {"council": ["South / Cat"], "yesno": ["No"]}]
WHOLE_VOTES = [
    {"board": ["Ala", "Bo"], "chair": ["Ala", "Bo", "Cy"], "judge": ["Ala=good", "Bo=poor"], "council": ["North"]},
    {"board": ["Dan"], "chair": ["Cy"], "judge": ["Bo=excellent"], "council": ["North / Ann", "North / Bob"]},
]


def _election(definition: dict[str, Any], votes: list[dict[str, list[str]]]) -> tuple[ElectionContext, list[bytes]]:
    ctx = ElectionContext(os.urandom(32), parse_definition(definition), Point.base_mul(Scalar.random()))
    lines = []
    for labels in votes:
        credential = Credential.from_code(new_code(), ctx.fingerprint)
        made = encrypt_ballot(ctx, credential, selections_from_labels(ctx.definition, labels))
        lines.append(canonical_bytes(made.ballot.to_json()))
    return ctx, lines


@pytest.fixture(scope="module", params=["small", "whole"])
def election(request: pytest.FixtureRequest) -> tuple[ElectionContext, list[bytes]]:
    if request.param == "small":
        return _election(SMALL_DEFINITION, SMALL_VOTES)
    return _election(WHOLE_BALLOT_DEFINITION, WHOLE_VOTES)


def _ordinary(line: bytes, ctx: ElectionContext) -> tuple[type[VechaError], str] | None:
    """What decoding the ballot and checking each proof alone says of it."""
    try:
        verify_ballot(Ballot.from_json(json.loads(line)), ctx, line)
    except VechaError as e:
        return type(e), str(e)
    return None


def _values(line: bytes) -> Iterator[tuple[int, int]]:
    """Where each hex value lies in the line (start, end)."""
    for m in re.finditer(rb'"([0-9a-f]{64})"', line):
        yield m.start(1), m.end(1)


def test_honest_ballots_are_read_and_their_equations_hold(election: tuple[ElectionContext, list[bytes]]) -> None:
    ctx, lines = election
    layout = layout_of(ctx.definition)
    assert layout is not None
    for line in lines:
        batch = Batch()
        read_ballot(batch, line, ctx, layout)
        assert batch.equations == layout.equations and batch.holds()
    failed, sums = check_ballot_lines(lines, ctx) or ([], ())
    assert failed == []
    assert sums == aggregate_ballots(ctx.definition, [Ballot.from_json(json.loads(line)) for line in lines])


def test_a_moved_response_passes_the_hash_and_fails_the_batch(election: tuple[ElectionContext, list[bytes]]) -> None:
    """r + 1 in one branch: the challenge is over the commitments, so it still matches;
    only the equation A = r·G − c·α can tell."""
    ctx, lines = election
    layout = layout_of(ctx.definition)
    assert layout is not None
    obj = json.loads(lines[0])
    branch = obj["answers"][0]["proofs"][1][0]
    branch[3] = ((int.from_bytes(bytes.fromhex(branch[3]), "little") + 1) % ORDER).to_bytes(32, "little").hex()
    moved = canonical_bytes(obj)
    batch = Batch()
    read_ballot(batch, moved, ctx, layout)  # read: nothing about it is malformed
    assert not batch.holds()
    found = check_ballot_lines([lines[1], moved, lines[0]], ctx)
    assert found is not None
    failed, _ = found
    expected = _ordinary(moved, ctx)
    assert expected is not None and [(i, type(e), str(e)) for i, e in failed] == [(1, *expected)]


def test_every_changed_value_fails_as_it_does_when_decoded(election: tuple[ElectionContext, list[bytes]]) -> None:
    """Each value of a ballot changed in turn (a digit; for points another valid point, or
    the identity; for scalars one not below ℓ), all in one chunk among honest ballots: the
    same ballots fail, with the same error, as when each is decoded and checked alone, and
    the sum handed on is that of the honest ones."""
    ctx, lines = election
    line = lines[0]
    other = Point.base_mul(Scalar.random()).encoding.hex().encode()
    changed: list[bytes] = []
    for start, end in _values(line):
        digit = b"0123456789abcdef"[(b"0123456789abcdef".index(line[start]) + 1) % 16]
        changed.append(line[:start] + bytes([digit]) + line[start + 1 :])
        for replacement in (other, b"00" * 32, ORDER.to_bytes(32, "little").hex().encode()):
            if line[start:end] != replacement:
                changed.append(line[:start] + replacement + line[end:])
    chunk = [*lines, *changed, *lines]
    found = check_ballot_lines(chunk, ctx)
    assert found is not None
    failed, sums = found
    expected = [(i, *e) for i, c in enumerate(chunk) if (e := _ordinary(c, ctx)) is not None]
    assert len(expected) == len(changed)  # every change breaks the ballot
    assert [(i, type(e), str(e)) for i, e in failed] == expected
    honest = [Ballot.from_json(json.loads(c)) for c in lines + lines]
    assert sums == aggregate_ballots(ctx.definition, honest)


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.replace(b'"alpha"', b'"blphb"', 1),  # hex letters in a key: not a value
        lambda line: line.replace(b'"choices":[', b'"choices": [', 1),  # not canonical
        lambda line: line.replace(b"],", b"],[],", 1),  # another shape
        lambda line: line[:-1] + b',"x":1}',  # a member more
    ],
)
def test_a_ballot_of_another_shape_is_left_to_the_ordinary_path(
    election: tuple[ElectionContext, list[bytes]], change: Any
) -> None:
    ctx, lines = election
    layout = layout_of(ctx.definition)
    assert layout is not None
    bad = change(lines[0])
    assert bad != lines[0]
    with pytest.raises(VechaError):
        read_ballot(Batch(), bad, ctx, layout)
    found = check_ballot_lines([bad, lines[1]], ctx)
    assert found is not None
    try:
        expected = _ordinary(bad, ctx)
    except json.JSONDecodeError:
        expected = None
    if expected is not None:
        assert [(i, type(e), str(e)) for i, e in found[0]] == [(0, *expected)]
    else:  # not even JSON: the ordinary path could not decode it either
        assert [i for i, _ in found[0]] == [0]


def test_a_ballot_of_another_election_is_refused_as_it_is_when_decoded(
    election: tuple[ElectionContext, list[bytes]],
) -> None:
    ctx, lines = election
    other = ElectionContext(os.urandom(32), ctx.definition, ctx.public_key)
    found = check_ballot_lines(lines, other)
    assert found is not None
    assert [(i, type(e), str(e)) for i, e in found[0]] == [(i, *_ordinary(line, other)) for i, line in enumerate(lines)]  # type: ignore[misc]


def test_without_points_in_bulk_the_caller_decodes() -> None:
    ctx, lines = _election(SMALL_DEFINITION, SMALL_VOTES[:1])
    was = backend()
    use_msm(False)
    try:
        assert check_ballot_lines(lines, ctx) is None
    finally:
        use_msm(True)
    use_backend("libsodium")
    try:
        assert check_ballot_lines(lines, ctx) is None
    finally:
        use_backend(was)
    from vecha.testing.coercion import COERCION_DEFINITION
    from vecha.testing.registration import make_registrars, with_registration

    coercion = with_registration(COERCION_DEFINITION, make_registrars(["r1", "r2"]), required=2)
    assert coercion.coercion and layout_of(coercion) is None


def test_the_tally_reads_the_choices_alone_and_leaves_the_rest(election: tuple[ElectionContext, list[bytes]]) -> None:
    """`sum_ballots` (checked ballots, the tally): the sum of the choices of those it reads,
    and the positions of those it does not (another shape, an invalid point), for the
    ordinary path to add or refuse."""
    ctx, lines = election
    start, end = next(_values(lines[0]))  # the first choice's α
    invalid = lines[0][:start] + b"ff" * 32 + lines[0][end:]
    reshaped = lines[1].replace(b'"choices":[', b'"choices": [', 1)
    found = sum_ballots([lines[0], invalid, reshaped, lines[1]], ctx.definition)
    assert found is not None
    sums, rest = found
    assert rest == [1, 2]
    assert sums == aggregate_ballots(ctx.definition, [Ballot.from_json(json.loads(line)) for line in lines[:2]])


def _entry_line(ballot: bytes, channel: str = "web", time: str = "2026-12-07T10:00:00Z") -> bytes:
    entry = Entry("e", 7, bytes(32), time, EntryType.BALLOT, {"ballot": json.loads(ballot), "channel": channel})
    return entry.canonical()


def test_a_ballot_entry_read_packed_is_the_entry_read_whole(election: tuple[ElectionContext, list[bytes]]) -> None:
    """A verifier reads a ballot entry with the election's layout: the same entry (fields,
    hash, the ballot's bytes, credential and election), only its ballot left as bytes."""
    ctx, lines = election
    layout = layout_of(ctx.definition)
    assert layout is not None
    line = _entry_line(lines[0])
    packed, whole = Entry.from_canonical(line, layout), Entry.from_canonical(line)
    ballot = packed.payload["ballot"]
    assert isinstance(ballot, PackedBallot) and ballot.value() == whole.payload["ballot"]
    assert (ballot.credential, ballot.election) == (whole.payload["ballot"]["credential"], ctx.fingerprint.hex())
    assert packed.hash() == whole.hash() and packed.ballot_bytes() == whole.ballot_bytes() == lines[0]
    assert packed.payload["channel"] == "web" and replace(packed, payload=whole.payload) == whole


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.replace(b'"channel":"web"', b'"channel": "web"'),  # the envelope not canonical
        lambda line: line.replace(b'"index":7', b'"index":07'),
        lambda line: line.replace(b'"time":"2026-12-07T10:00:00Z"', b'"time":"2026-02-30T10:00:00Z"'),
        lambda line: line.replace(b'"version":3', b'"version":2'),
        lambda line: line.replace(b'"choices":[', b'"choices": [', 1),  # the ballot not canonical
        lambda line: line.replace(b'"alpha"', b'"blphb"', 1),
    ],
)
def test_a_changed_ballot_entry_is_refused_as_it_is_read_whole(
    election: tuple[ElectionContext, list[bytes]], change: Any
) -> None:
    ctx, lines = election
    layout = layout_of(ctx.definition)
    bad = change(_entry_line(lines[0]))
    try:
        whole: Entry | VechaError = Entry.from_canonical(bad)
    except VechaError as e:
        whole = e
    try:
        packed: Entry | VechaError = Entry.from_canonical(bad, layout)
    except VechaError as e:
        packed = e
    if isinstance(whole, VechaError):
        assert isinstance(packed, VechaError) and (type(packed), str(packed)) == (type(whole), str(whole))
    else:  # a ballot of another shape is left to the ordinary reading, and read as it reads it
        assert packed == whole and not isinstance(packed.payload["ballot"], PackedBallot)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_changed_byte_is_read_as_the_ordinary_path_reads_it(data: st.DataObject) -> None:
    """Fuzzing the fast reading: any byte of a ballot line changed to any byte. The chunk is
    always answered (no exception escapes); where the changed line is still canonical JSON
    (as every line of a checked record is), each ballot gets the ordinary path's error."""
    ctx, lines = _FUZZ
    line = lines[0]
    at = data.draw(st.integers(0, len(line) - 1))
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != line[at]))
    changed = line[:at] + bytes([byte]) + line[at + 1 :]
    found = check_ballot_lines([changed, lines[1]], ctx)
    assert found is not None
    failed, _ = found
    assert [i for i, _ in failed] == [0]  # one byte changed always breaks the ballot
    try:
        canonical = canonical_bytes(json.loads(changed)) == changed
    except (ValueError, VechaError):
        canonical = False
    if canonical:
        assert (type(failed[0][1]), str(failed[0][1])) == _ordinary(changed, ctx)


_FUZZ = _election(SMALL_DEFINITION, SMALL_VOTES) if msm_in_use() else (None, [])
