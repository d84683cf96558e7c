"""Fuzzing every parser: arbitrary input raises a VechaError (or parses), never anything else."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import VechaError
from vecha.crypto.canonical import parse_canonical
from vecha.election.ballot import Ballot
from vecha.election.credentials import normalize_code
from vecha.election.manifest import parse_manifest
from vecha.election.trustees import TrusteeAnnouncement
from vecha.record.entries import Entry
from vecha.testing.records import SMALL_DEFINITION

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
    for parser in (Ballot.from_json, Entry.from_json, parse_manifest, TrusteeAnnouncement.from_json):
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
            parse_manifest(m)
            accepted += 1
        except VechaError as e:
            assert str(e).startswith("invalid election definition")
    assert accepted < len(_mutations(definition))  # most mutations are invalid; none crashes
