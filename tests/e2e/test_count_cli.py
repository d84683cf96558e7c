"""`vecha count` on a plain ballots file (spec §9.7.6): every method, --explain, --json, the
same count a mixed election's result holds, and a one-line error for every bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vecha.cli.main import main
from vecha.election.mixed_count import grades_of, ranking_of
from vecha.testing.records import WHOLE_BALLOT_DEFINITION, build_election

TEXTBOOK = {
    "candidates": ["Orange", "Pear", "Choc", "Straw", "Bonbon"],
    "ballots": [
        {"ballot": ["Orange"], "count": 4},
        {"ballot": ["Pear", "Orange"], "count": 2},
        {"ballot": ["Choc", "Straw"], "count": 8},
        {"ballot": ["Choc", "Bonbon"], "count": 4},
        ["Straw"],
        ["Bonbon"],
    ],
}


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _file(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def test_stv_explained_round_by_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "count", _file(tmp_path, TEXTBOOK), "--method", "stv", "--seats", "3", "--explain")
    assert code == 0
    assert out.splitlines()[0] == "stv, 3 seats, 20 ballots, quota 6"
    assert "round 2: Orange 4, Pear 2, Choc 12, Straw 1, Bonbon 1 -> surplus: Choc" in out
    assert "round 3: Orange 4, Pear 2, Choc 6, Straw 5, Bonbon 3 -> excluded: Pear" in out
    assert out.splitlines()[-1] == "elected: Choc, Orange, Straw"
    code, out, _ = run(capsys, "count", _file(tmp_path, TEXTBOOK), "--method", "stv", "--seats", "3", "--json")
    result = json.loads(out)
    assert result["elected"] == ["Choc", "Orange", "Straw"] and result["quota"] == "6"
    assert [r["action"] for r in result["rounds"]] == [
        "elected",
        "surplus",
        "excluded",
        "elected",
        "excluded",
        "remaining",
    ]


def test_instant_runoff_schulze_and_majority_judgment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ranked = _file(tmp_path, TEXTBOOK)
    assert run(capsys, "count", ranked, "--method", "irv")[1].splitlines()[-1] == "elected: Choc"
    code, out, _ = run(capsys, "count", ranked, "--method", "schulze", "--explain")
    assert code == 0 and "Choc: over Orange 12" in out and out.splitlines()[-1] == "elected: Choc"
    graded = _file(
        tmp_path,
        {
            "candidates": ["Ala", "Bo"],
            "grades": ["reject", "poor", "good"],
            "ballots": [{"Ala": "good", "Bo": "poor"}, {"ballot": {"Bo": "good"}, "count": 2}, {"Ala": "poor"}],
        },
    )
    code, out, _ = run(capsys, "count", graded, "--method", "majority-judgment", "--explain")
    assert code == 0
    assert "Ala: reject 2, poor 1, good 1; majority grade reject" in out
    assert "Bo: reject 1, poor 1, good 2; majority grade poor" in out
    assert out.splitlines()[-1] == "elected: Bo"


def test_the_count_of_a_mixed_elections_ballots_is_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The opened ballots of a mixed election, written as a ballots file, count to what the
    result on the board says (the lot seeded as the result says)."""
    from vecha.election.ballot import answer_problem
    from vecha.election.definition import parse_definition

    votes = [
        (0, {"board": ["Ala", "Bo"], "judge": ["Ala=good"]}),
        (1, {"board": ["Cy", "Ala"], "judge": ["Bo=excellent"]}),
        (2, {"board": ["Bo"], "judge": ["Ala=poor", "Bo=good"]}),
        (3, {"board": ["Dan", "Cy"]}),
    ]
    e = build_election(tmp_path / "box", definition=WHOLE_BALLOT_DEFINITION, votes=votes, voters=4)
    result = e.board.ledger.result
    assert result is not None
    definition = parse_definition(WHOLE_BALLOT_DEFINITION)
    board_q, _, judge_q, _ = definition.questions
    opened = e.board.ledger.opened_ballots()
    ranked = [ranking_of(board_q, row[:4]) for row in opened if answer_problem(board_q, row[:4]) is None]  # type: ignore[arg-type]
    graded = [{c: judge_q.grades[g] for c, g in grades_of(judge_q, row[7:9]).items()} for row in opened]  # type: ignore[arg-type]
    seed = result["lot_seed"]
    ranked_file = _file(tmp_path, {"candidates": list(board_q.candidates), "ballots": [list(r) for r in ranked if r]})
    stv = json.loads(
        run(capsys, "count", ranked_file, "--method", "stv", "--seats", "2", "--lot-seed", seed, "--json")[1]
    )
    on_board = next(q for q in result["questions"] if q["id"] == "board")
    assert stv["elected"] == on_board["elected"] and stv["rounds"] == on_board["rounds"]
    graded_file = _file(tmp_path, {"candidates": ["Ala", "Bo"], "grades": list(judge_q.grades), "ballots": graded})
    mj = json.loads(run(capsys, "count", graded_file, "--method", "majority-judgment", "--lot-seed", seed, "--json")[1])
    on_board = next(q for q in result["questions"] if q["id"] == "judge")
    assert mj["elected"] == on_board["elected"] and mj["grades"] == on_board["grades"]


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        ({"candidates": ["A"], "ballots": [["B"]]}, ["--method", "irv"], "ballot 1: 'B' is not a candidate"),
        ({"candidates": ["A", "B"], "ballots": [["A", "A"]]}, ["--method", "irv"], "ranked twice"),
        ({"candidates": ["A", "B"], "ballots": []}, ["--method", "stv", "--seats", "3"], "3 seats for 2 candidates"),
        ({"candidates": ["A", "B"], "ballots": []}, ["--method", "irv", "--seats", "2"], "several seats need stv"),
        ({"candidates": ["A", "B"], "ballots": []}, ["--method", "borda"], "--method is one of"),
        ({"candidates": ["A", "B"], "ballots": []}, ["--method", "majority-judgment"], "grades scale"),
        (
            {"candidates": ["A"], "grades": ["x", "y"], "ballots": [{"A": "z"}]},
            ["--method", "majority-judgment"],
            "'z' is not a grade",
        ),
        ({"candidates": ["A"], "grades": ["x", "y"], "ballots": []}, ["--method", "stv"], "these are graded"),
        ({"candidates": ["A"], "ballots": [], "weights": 1}, ["--method", "irv"], "a ballots file is an object"),
        ({"candidates": ["A", "A"], "ballots": []}, ["--method", "irv"], "a name is given twice"),
        ({"candidates": ["A"], "ballots": [{"ballot": ["A"], "count": -1}]}, ["--method", "irv"], "count is a whole"),
        (
            {"candidates": ["A"], "ballots": [{"ballot": ["A"], "count": 10**12}]},
            ["--method", "irv"],
            "at most 10000000",
        ),
    ],
)
def test_bad_input_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "count", _file(tmp_path, data), *args)
    assert code != 0 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err
