"""Ranked, graded and open-list ballots in a mixed election, end to end (spec §6.2, §9.7):
voters rank, grade and give several preferences; the ballots are mixed, decrypted one by one
and counted by STV, Schulze, Majority Judgment and the list rules; the record verifies. A
ballot whose proofs hold but whose answer breaks a rule only the opened ballot shows (ranks
1, 1; marks on two lists) is counted invalid, visibly, in its question only. A result that
counts it, or that drops it, does not verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vecha.election import ballot as ballot_module
from vecha.election.ballot import InvalidBallot, check_selections, selections_from_labels
from vecha.election.definition import parse_definition
from vecha.testing.records import WHOLE_BALLOT_DEFINITION, build_election, rewrite_record
from vecha.verify import verify_record

WHOLE = WHOLE_BALLOT_DEFINITION

VOTES = [
    (0, {"board": ["Ala", "Bo"], "chair": ["Ala", "Bo", "Cy"], "judge": ["Ala=good", "Bo=poor"], "council": ["North"]}),
    (1, {"board": ["Ala", "Cy"], "chair": ["Bo", "Ala"], "judge": ["Ala=excellent"], "council": ["North / Ann"]}),
    (2, {"board": ["Ala"], "chair": ["Cy", "Ala"], "judge": ["Ala=good", "Bo=good"], "council": ["South / Cat"]}),
    (3, {"board": ["Bo", "Ala"], "chair": ["Ala"], "judge": ["Bo=excellent"], "council": ["North", "North / Bob"]}),
    (4, {"board": ["Dan", "Bo"], "chair": ["Bo", "Cy"], "judge": ["Ala=poor", "Bo=good"], "council": ["South"]}),
    (5, {"chair": ["Ala", "Cy"], "council": ["North / Ann", "North / Bob"]}),
    (6, {"board": ["Bo", "Cy"], "judge": ["Ala=reject", "Bo=poor"]}),
]


def _questions(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in result["questions"]}


def test_ranked_graded_and_open_list_ballots_are_counted_after_the_mix(tmp_path: Path) -> None:
    e = build_election(tmp_path, definition=WHOLE, votes=VOTES, voters=7)
    assert verify_record(e.record).ok
    result = e.board.ledger.result
    assert result is not None and result["counted"] == 7 and result["mixed"] == {"ballots": 7, "invalid": 0}
    q = _questions(result)
    # STV, 2 seats, 6 ballots ranking someone: quota ⌊6/3⌋+1 = 3; Ala has 3 first preferences
    board = q["board"]
    assert (board["method"], board["quota"], board["ballots"], board["blank"]) == ("stv", "3", 6, 1)
    assert board["elected"] == ["Ala", "Bo"] and board["invalid"] == 0
    assert board["rounds"][0]["totals"] == {"Ala": "3", "Bo": "2", "Cy": "0", "Dan": "1"}
    assert [(r["action"], r["candidates"]) for r in board["rounds"]] == [
        ("elected", ["Ala"]),
        ("excluded", ["Cy"]),
        ("excluded", ["Dan"]),  # Dan's ballot goes on to Bo
        ("remaining", ["Bo"]),  # one continuing candidate for one seat left
    ]
    # Schulze: Ala beats Bo 4–2 and Cy 4–2 (unranked candidates are below every ranked one)
    chair = q["chair"]
    assert chair["elected"] == ["Ala"] and chair["pairwise"]["Ala"]["Bo"] == 4 and chair["blank"] == 1
    # Majority Judgment: sorted, Ala 0 0 0 1 2 2 3 and Bo 0 0 1 1 2 2 3, both "poor" at the
    # median (position 3); one median removed, position 2 decides: Ala 0, Bo 1
    judge = q["judge"]
    assert judge["grades"] == {"Ala": [3, 1, 2, 1], "Bo": [2, 2, 2, 1]}
    assert judge["majority_grades"] == {"Ala": 1, "Bo": 1} and judge["elected"] == ["Bo"]
    assert [r["action"] for r in judge["rounds"]] == ["tied", "winner"]
    # the open list: one vote for the list per ballot, a preference vote per candidate marked
    council = q["council"]
    assert council["list_votes"] == {"North": 4, "South": 2} and council["blank"] == 1
    assert council["counts"]["North / Bob"] == 2 and council["counts"]["North / Ann"] == 2


def _lenient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A booth that does not check what it encrypts (the proofs still hold: every value is
    within its range, every sum too)."""

    def unchecked(definition: Any, selections: Any) -> Any:
        return tuple(tuple(s) for s in selections)

    monkeypatch.setattr(ballot_module, "check_selections", unchecked)


def test_an_answer_only_the_opened_ballot_shows_invalid_is_counted_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definition = parse_definition(WHOLE)
    good = selections_from_labels(definition, VOTES[0][1])
    # ranks 1, 1 on the board question; North and South both marked on the list question
    bad = ((1, 1, 0, 0), good[1], good[2], (1, 0, 0, 1, 0))
    with pytest.raises(InvalidBallot, match="ranks must be 1, 2, 3"):
        check_selections(definition, bad)
    _lenient(monkeypatch)
    e = build_election(tmp_path, definition=WHOLE, votes=[(0, VOTES[0][1]), (1, bad)], voters=2)
    assert verify_record(e.record).ok
    result = e.board.ledger.result
    assert result is not None and result["counted"] == 2 and result["mixed"]["invalid"] == 0
    q = _questions(result)
    assert (q["board"]["invalid"], q["board"]["ballots"]) == (1, 1)
    assert q["board"]["rounds"][0]["totals"] == {"Ala": "1", "Bo": "0", "Cy": "0", "Dan": "0"}
    assert (q["council"]["invalid"], q["council"]["list_votes"]) == (1, {"North": 1, "South": 0})
    # the other answers of that ballot count
    assert q["chair"]["ballots"] == 2 and q["chair"]["invalid"] == q["judge"]["invalid"] == 0


def test_a_result_that_counts_an_invalid_answer_does_not_verify(tmp_path: Path) -> None:
    e = build_election(tmp_path, definition=WHOLE, votes=VOTES, voters=7)

    def count_blank_as_invalid(objs: list[dict[str, Any]]) -> None:
        result = next(o for o in objs if o["type"] == "result")["payload"]
        board = next(q for q in result["questions"] if q["id"] == "board")
        board["invalid"], board["blank"] = 1, 0

    rewrite_record(e.record, e.board_key, count_blank_as_invalid)
    report = verify_record(e.record)
    assert not report.ok and "differs from the result recomputed" in str(report.error)
