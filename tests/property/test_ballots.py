"""Ballots: decode∘encode is the identity; any changed character breaks them."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import Point, Scalar
from vecha.crypto.canonical import canonical_bytes
from vecha.election.ballot import Ballot, body_of_canonical, encrypt_ballot, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.counting import AggregateSum, aggregate_ballots
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.errors import InvalidEncoding, VechaError
from vecha.testing.records import SMALL_DEFINITION

MANIFEST = parse_definition(SMALL_DEFINITION)
CTX = ElectionContext(os.urandom(32), MANIFEST, Point.base_mul(Scalar.random_nonzero()))
CRED = Credential.from_code(new_code(), CTX.fingerprint)
selections = st.tuples(
    st.sampled_from([(0, 0, 0, 0, 0), (1, 0, 0, 0, 0), (0, 1, 0, 0, 0), (0, 0, 0, 0, 1)]),
    st.sampled_from([(1, 0), (0, 1)]),
)
BALLOT = encrypt_ballot(CTX, CRED, ((0, 1, 0, 0, 0), (1, 0))).ballot
TEXT = json.dumps(BALLOT.to_json())


@settings(max_examples=10)
@given(selections)
def test_round_trip(sel: tuple[tuple[int, ...], ...]) -> None:
    ballot = encrypt_ballot(CTX, CRED, sel).ballot
    assert Ballot.from_json(json.loads(json.dumps(ballot.to_json()))) == ballot
    verify_ballot(ballot, CTX)
    # a verifier reading canonical records cuts the signed body out of the ballot's bytes
    canonical = canonical_bytes(ballot.to_json())
    assert body_of_canonical(canonical) == canonical_bytes(ballot.body_json())
    verify_ballot(ballot, CTX, canonical=canonical)


# Positions of the characters inside hex values (64 or 128 hex digits between quotes).
HEX_POSITIONS = [
    m.start() + k for m in re.finditer(r"(?<=\")[0-9a-f]{64,128}(?=\")", TEXT) for k in range(m.end() - m.start())
]


@settings(max_examples=150)
@given(st.sampled_from(HEX_POSITIONS), st.integers(1, 15))
def test_any_changed_hex_digit_is_rejected(pos: int, shift: int) -> None:
    digit = "0123456789abcdef"[("0123456789abcdef".index(TEXT[pos]) + shift) % 16]
    changed = TEXT[:pos] + digit + TEXT[pos + 1 :]
    with pytest.raises(VechaError):
        verify_ballot(Ballot.from_json(json.loads(changed)), CTX)
    with pytest.raises(VechaError):
        changed_ballot = Ballot.from_json(json.loads(changed))
        verify_ballot(changed_ballot, CTX, canonical=canonical_bytes(changed_ballot.to_json()))


def test_benaloh_audit_accepts_the_truth_and_catches_a_lie() -> None:
    from vecha.election.ballot import audit_ballot
    from vecha.errors import InvalidBallot

    spoiled = encrypt_ballot(CTX, CRED, ((1, 0, 0, 0, 0), (0, 1)))
    audit_ballot(CTX, spoiled.ballot, spoiled.selections, spoiled.randomness)
    with pytest.raises(InvalidBallot, match="does not encrypt the claimed choice"):
        audit_ballot(CTX, spoiled.ballot, ((0, 0, 0, 1, 0), (0, 1)), spoiled.randomness)


@settings(max_examples=5)
@given(st.lists(selections, min_size=1, max_size=3))
def test_the_tally_from_ballots_json_is_the_sum_of_the_ballots(votes: list[tuple[tuple[int, ...], ...]]) -> None:
    """The tally's inner loop decodes only the ciphertexts of a ballot's JSON; it must add
    up to what the decoded ballots do."""
    ballots = [encrypt_ballot(CTX, CRED, sel).ballot for sel in votes]
    from_json = AggregateSum(MANIFEST)
    for b in ballots:
        from_json.add_ballot_json(json.loads(json.dumps(b.to_json())))
    assert from_json.total() == aggregate_ballots(MANIFEST, ballots)


def _without_answers(ballot: dict) -> None:
    del ballot["answers"]


def _one_answer_too_few(ballot: dict) -> None:
    ballot["answers"].pop()


def _one_choice_too_many(ballot: dict) -> None:
    ballot["answers"][0]["choices"].append(ballot["answers"][0]["choices"][0])


def _not_a_point(ballot: dict) -> None:
    ballot["answers"][1]["choices"][1]["beta"] = "ff" * 32


def _upper_case(ballot: dict) -> None:
    ballot["answers"][0]["choices"][0]["alpha"] = ballot["answers"][0]["choices"][0]["alpha"].upper()


def _choice_not_an_object(ballot: dict) -> None:
    ballot["answers"][0]["choices"][2] = "x"


@pytest.mark.parametrize(
    "spoil",
    [_without_answers, _one_answer_too_few, _one_choice_too_many, _not_a_point, _upper_case, _choice_not_an_object],
)
def test_the_tally_refuses_a_malformed_ballot(spoil: Callable[[dict], None]) -> None:
    ballot = json.loads(TEXT)
    spoil(ballot)
    with pytest.raises(InvalidEncoding):
        AggregateSum(MANIFEST).add_ballot_json(ballot)
