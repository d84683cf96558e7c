"""The result object (spec §9.6): blank ballots of one-mark questions are reported."""

from __future__ import annotations

from vecha.election.counting import compute_result
from vecha.election.definition import parse_definition
from vecha.testing.records import trustees_of

DEFINITION = {
    "id": "blanks",
    "title": "Blanks",
    "trustees": trustees_of(1, 1),
    "questions": [
        {"id": "referendum", "title": "Approve?", "options": ["Yes", "No"]},
        {"id": "approval", "title": "Approve any", "options": ["A", "B", "C"], "max": 3},
        {
            "id": "council",
            "kind": "list-pr",
            "title": "List",
            "lists": [{"name": "L"}],
            "seats": {"method": "dhondt", "seats": 1},
        },
    ],
}


def test_blank_ballots_per_question() -> None:
    result = compute_result(parse_definition(DEFINITION), [[4, 3], [5, 2, 1], [6]], 10, bytes(32))
    referendum, approval, council = result["questions"]
    assert referendum["blank"] == 3  # 10 counted, 7 marked Yes or No
    assert approval["blank"] is None  # several marks per ballot: not known from the totals
    assert council["blank"] == 4
