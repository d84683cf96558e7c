"""`vecha seats`: the table, --json, --explain and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vecha.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_matches_hand_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text(json.dumps({"A": 100000, "B": 80000, "C": 30000, "D": 20000}))
    code, out, _ = run(capsys, "seats", votes, "--seats", "8", "--method", "dhondt", "--json")
    assert code == 0 and json.loads(out) == {"A": 4, "B": 3, "C": 1, "D": 0}
    code, out, _ = run(capsys, "seats", votes, "--seats", "8", "--method", "sainte-lague", "--json")
    assert json.loads(out) == {"A": 3, "B": 3, "C": 1, "D": 1}
    code, out, _ = run(
        capsys, "seats", votes, "--seats", "8", "--method", "highest-averages", "--divisors", "1,3", "--json"
    )
    assert json.loads(out) == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_threshold_exempt_and_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text(json.dumps({"A": 900, "B": 55, "C": 45}))
    args = ["seats", votes, "--seats", "12", "--method", "sainte-lague", "--threshold", "5%"]
    assert json.loads(run(capsys, *args, "--json")[1]) == {"A": 11, "B": 1, "C": 0}
    assert json.loads(run(capsys, *args, "--exempt", "C", "--json")[1]) == {"A": 10, "B": 1, "C": 1}
    code, out, _ = run(capsys, *args, "--explain")
    assert code == 0 and "seat 12: A" in out and "below threshold" in out


def test_ties_follow_the_lot_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text(json.dumps({"Alpha": 10, "Zeta": 10}))
    winners = set()
    for seed in ["a", "b", "c", "d", "e", "f"]:
        out = json.loads(
            run(capsys, "seats", votes, "--seats", "1", "--method", "hare", "--lot-seed", seed, "--json")[1]
        )
        winners.add(max(out, key=out.__getitem__))
    assert winners == {"Alpha", "Zeta"}


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"A": -5}', [], "negative"),
        ("", [], "not valid JSON"),
        ('{"A": "many"}', [], "whole number"),
        ("{}", [], "at least one list"),
        ('{"A": 5}', ["--threshold", "lots"], "not a number"),
        ('{"A": 5}', ["--exempt", "Z"], "exempt"),
    ],
)
def test_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text(content)
    code, _, err = run(capsys, "seats", votes, "--seats", "5", "--method", "dhondt", *args)
    assert code != 0 and message in err and "Traceback" not in err


def test_zero_seats_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = tmp_path / "votes.json"
    votes.write_text('{"A": 5}')
    code, _, err = run(capsys, "seats", votes, "--seats", "0", "--method", "dhondt")
    assert code != 0 and "seats" in err
