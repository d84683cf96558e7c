"""A ballot's points and scalars are decoded many at a time (one call into C per proof), and
one at a time where anything is wrong: both give the same ballot, and a wrong value is
named exactly, whichever path found it."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

import vecha.election.ballot as ballot_module
from vecha.crypto import ORDER, Point, Scalar
from vecha.election.ballot import Ballot, encrypt_ballot, selections_from_labels
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.errors import InvalidEncoding
from vecha.testing.records import SMALL_DEFINITION


@pytest.fixture(scope="module")
def made() -> tuple[ElectionContext, dict[str, Any]]:
    ctx = ElectionContext(os.urandom(32), parse_definition(SMALL_DEFINITION), Point.base_mul(Scalar.random()))
    sel = selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["Yes"]})
    return ctx, encrypt_ballot(ctx, Credential.from_code(new_code(), ctx.fingerprint), sel).ballot.to_json()


def test_the_fast_and_the_slow_decoding_give_the_same_ballot(
    made: tuple[ElectionContext, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, good = made
    fast = Ballot.from_json(good)
    monkeypatch.setattr(ballot_module, "hex_many", lambda texts, size=32: None)  # every value alone
    slow = Ballot.from_json(good)
    assert fast == slow and fast.to_json() == good


@pytest.mark.parametrize(
    ("where", "value", "named"),
    [
        (("answers", 0, "proofs", 1, 0, 0), "ff" * 32, r"answers\[0\].proofs\[1\]\[0\]\[0\]"),
        (("answers", 1, "overall", 0, 1), "00" * 31 + "80", r"answers\[1\].overall\[0\]\[1\]"),
        (("answers", 0, "proofs", 0, 1, 2), ORDER.to_bytes(32, "little").hex(), r"proofs\[0\]\[1\]\[2\]"),
        (("answers", 0, "proofs", 2, 0, 3), "AB" * 32, r"proofs\[2\]\[0\]\[3\]"),
        (("answers", 0, "choices", 2, "beta"), "ff" * 32, r"choices\[2\].beta"),
        (("answers", 1, "choices", 0, "alpha"), "12" * 31, r"choices\[0\].alpha"),
    ],
)
def test_a_wrong_value_is_named_exactly(
    made: tuple[ElectionContext, dict[str, Any]], where: tuple[Any, ...], value: str, named: str
) -> None:
    _, good = made
    bad = json.loads(json.dumps(good))
    target = bad
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(InvalidEncoding, match=named):
        Ballot.from_json(bad)
