"""Fuzzing every parser: arbitrary input raises a VechaError (or parses), never anything else."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vecha.crypto.canonical import parse_canonical
from vecha.crypto.shuffle import ShuffleProof
from vecha.election.ballot import Ballot
from vecha.election.coercion import Raising, TagShares
from vecha.election.coercion_ballot import CoercionBallot
from vecha.election.coercion_roll import RollEntry
from vecha.election.credentials import normalize_code
from vecha.election.definition import parse_definition
from vecha.election.mixing import Mix
from vecha.election.preferential.ballots_file import parse_ballots_file
from vecha.election.trustees import (
    DecryptionShare,
    SealedShare,
    TrusteeAnnouncement,
    TrusteeConfirmation,
    TrusteeSecret,
)
from vecha.errors import VechaError
from vecha.record.checkpoint import Checkpoint
from vecha.record.entries import Entry, EntryType
from vecha.record.package import make_package, setup_ledger
from vecha.record.receipt import Receipt
from vecha.store.backup import backup, restore
from vecha.store.board import Board, election_ids
from vecha.store.db import open_store
from vecha.testing.records import SMALL_DEFINITION, build_election, read_lines

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _must_not_crash(parser: Any, value: Any) -> None:
    with contextlib.suppress(VechaError):
        parser(value)


@settings(max_examples=300)
@given(json_values)
def test_structured_parsers_only_raise_vecha_errors(value: Any) -> None:
    parsers = (
        Ballot.from_json,
        Entry.from_json,
        parse_definition,
        TrusteeAnnouncement.from_json,
        TrusteeConfirmation.from_json,
        TrusteeSecret.from_json,
        SealedShare.from_json,
        lambda v: DecryptionShare.from_json(v, "share"),
        Checkpoint.from_json,
        Receipt.from_json,
        setup_ledger,
        parse_ballots_file,
        lambda v: Mix.from_json(v, 2, 3),
        lambda v: ShuffleProof.from_json(v, 2, 3),
        CoercionBallot.from_json,
        lambda v: Raising.from_json(v, 2, 1),
        lambda v: TagShares.from_json(v, 2),
    )
    for parser in parsers:
        _must_not_crash(parser, value)


@settings(max_examples=300)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_canonical_json_parser(data: bytes) -> None:
    _must_not_crash(parse_canonical, data)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_credential_codes(text: str) -> None:
    _must_not_crash(normalize_code, text)


def _mutations(obj: Any) -> list[Any]:
    """Every way of replacing one leaf of `obj` by a value of another type or shape."""
    out: list[Any] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append({kk: vv for kk, vv in obj.items() if kk != k})
            out += [{**obj, k: m} for m in _mutations(v)]
    elif isinstance(obj, list):
        if obj:
            out.append(obj[:-1])
            out += [[*obj[:i], m, *obj[i + 1 :]] for i in range(min(len(obj), 3)) for m in _mutations(obj[i])]
    else:
        out += [None, 1, -1, 2**64, "x", [], {}, 1.5, True, "zz" * 32]
    return out


def test_definition_mutations_are_rejected_cleanly() -> None:
    definition = json.loads(json.dumps(SMALL_DEFINITION))
    accepted = 0
    for m in _mutations(definition):
        try:
            parse_definition(m)
            accepted += 1
        except VechaError as e:
            assert str(e).startswith("invalid election definition")
    assert accepted < len(_mutations(definition))  # most mutations are invalid; none crashes


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    built = build_election(
        tmp_path_factory.mktemp("fuzz"), voters=2, votes=[(0, {"council": ["South"], "yesno": ["No"]})]
    )
    entries = read_lines(built.record)
    by_type = {e["type"]: e for e in entries}
    ballot = by_type["ballot"]["payload"]["ballot"]
    mixed = build_election(
        tmp_path_factory.mktemp("fuzz-mixed"),
        definition={**SMALL_DEFINITION, "id": "fuzz-mixed", "mix": True},
        voters=2,
        votes=[(0, {"council": ["South"], "yesno": ["No"]}), (1, {"council": ["North"], "yesno": ["Yes"]})],
        stop_after=EntryType.MIX,
    )
    mix = next(e for e in read_lines(mixed.record) if e["type"] == "mix")["payload"]
    ballots_file = {
        "candidates": ["Ala", "Bo", "Cy"],
        "grades": ["bad", "good"],
        "ballots": [{"Ala": "good"}, {"ballot": {"Bo": "bad", "Cy": "good"}, "count": 3}],
    }
    return {
        "mix": (lambda v: Mix.from_json(v, 2, 7), mix),
        "ballots-file": (parse_ballots_file, ballots_file),
        "ballot": (Ballot.from_json, ballot),
        "announcement": (TrusteeAnnouncement.from_json, by_type["trustee"]["payload"]),
        "confirmation": (TrusteeConfirmation.from_json, by_type["trustee-confirmation"]["payload"]),
        "secret": (TrusteeSecret.from_json, built.trustees[0].to_json()),
        "share": (lambda v: DecryptionShare.from_json(v, "share"), by_type["decryption"]["payload"]["shares"][0][0]),
        "checkpoint": (Checkpoint.from_json, json.loads((built.record / "checkpoints.json").read_text())[0]),
        "receipt": (Receipt.from_json, built.board.receipt(Ballot.from_json(ballot).tracker(), 1).to_json()),
        "entry": (Entry.from_json, by_type["tally"]),
        "package": (setup_ledger, make_package(Entry.from_json(e) for e in entries)),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "ballot",
        "announcement",
        "confirmation",
        "secret",
        "share",
        "checkpoint",
        "receipt",
        "entry",
        "package",
        "mix",
        "ballots-file",
    ],
)
def test_mutated_examples_never_crash(examples: dict[str, Any], kind: str) -> None:
    parser, example = examples[kind]
    parser(example)  # the example itself is valid
    mutations = _mutations(example)
    rejected = 0
    for m in mutations:
        try:
            parser(m)
        except VechaError:
            rejected += 1
    # Entry.from_json checks the envelope only (the board's rules check payloads: see "package").
    expected = 1 if kind == "entry" else len(mutations) // 2 + 1
    assert rejected >= expected, f"{kind}: {rejected} of {len(mutations)} broken variants rejected"


@pytest.fixture(scope="module")
def coercion_examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A coercion-resistant election's parsers, each with a real example from its record."""
    from vecha.testing.coercion import coercion_election, fresh_code, run_count

    e = coercion_election(tmp_path_factory.mktemp("fuzz-coercion"), voters=2)
    e.revote(e.voters[0], {"yesno": ["Yes"]})
    e.vote(fresh_code(), {"yesno": ["No"]})
    run_count(e)
    entries = read_lines(e.record)
    first = {
        t: next(x["payload"] for x in entries if x["type"] == t)
        for t in ("roll-entry", "ballot", "raising", "tag-decryption")
    }
    rules = e.board.ledger.registration()
    rows = len(first["raising"]["ciphertexts"])
    return {
        "roll-entry": (lambda v: RollEntry.from_json(v, rules), first["roll-entry"]),
        "coercion-ballot": (CoercionBallot.from_json, first["ballot"]["ballot"]),
        "raising": (lambda v: Raising.from_json(v, rows, 1), first["raising"]),
        "tag-decryption": (lambda v: TagShares.from_json(v, rows), first["tag-decryption"]),
    }


@pytest.mark.parametrize("kind", ["roll-entry", "coercion-ballot", "raising", "tag-decryption"])
def test_mutated_coercion_examples_never_crash(coercion_examples: dict[str, Any], kind: str) -> None:
    parser, example = coercion_examples[kind]
    parser(example)
    mutations = _mutations(example)
    rejected = 0
    for m in mutations:
        try:
            parser(m)
        except VechaError:
            rejected += 1
    assert rejected >= len(mutations) // 2 + 1, f"{kind}: {rejected} of {len(mutations)} broken variants rejected"


def test_backups_damaged_anywhere_are_refused_cleanly(tmp_path: Path) -> None:
    """The backup parser (store/backup.py): every one-line change of a real backup (each JSON
    field of each line mutated, each line dropped or doubled) raises a VechaError and
    restores nothing, or restores the very same board."""
    built = build_election(tmp_path, voters=2, votes=[(0, {"council": ["South"], "yesno": ["No"]})])
    out = io.StringIO()
    backup(built.board.engine, built.board.election_id, out.write)
    lines = out.getvalue().splitlines(keepends=True)
    variants: list[list[str]] = []
    for i, line in enumerate(lines):
        variants.append(lines[:i] + lines[i + 1 :])
        variants.append(lines[: i + 1] + lines[i:])
        for m in _mutations(json.loads(line))[:12]:
            variants.append([*lines[:i], json.dumps(m) + "\n", *lines[i + 1 :]])
    restored = 0
    for n, variant in enumerate(variants):
        target = open_store(str(tmp_path / f"v{n}.sqlite"))
        try:
            restore(target, variant)
        except VechaError:
            assert election_ids(target) == []
            continue
        restored += 1
        assert Board(target, built.board.election_id).ledger.head == built.board.ledger.head
    assert restored < len(variants) // 10, f"{restored} of {len(variants)} damaged backups were restored"


@settings(max_examples=400)
@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z"))
@example("2024-02-29T23:59:59Z")
@example("2026-02-29T12:00:00Z")
@example("2026-12-07T12:00:60Z")
@example("2026-12-07T24:00:00Z")
@example("0000-01-01T00:00:00Z")
def test_an_entry_time_is_accepted_as_strptime_accepts_it(text: str) -> None:
    """An entry's time is checked by building the date from its digits; `strptime` (the
    check it replaced, slower) accepts exactly the same strings of this shape."""
    from datetime import datetime

    from vecha.record.entries import _valid_time

    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        expected = True
    except ValueError:
        expected = False
    assert _valid_time(text) is expected
