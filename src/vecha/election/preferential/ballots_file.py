"""The plain ballots file that `vecha count` reads (spec §9.7.6), and the count it asks for.

    {"candidates": ["Ala", "Bo", "Cy"],
     "ballots": [["Ala", "Bo"], ["Cy"], {"ballot": ["Bo", "Ala"], "count": 120}]}

    {"candidates": ["Ala", "Bo"], "grades": ["reject", "poor", "good"],
     "ballots": [{"Ala": "good", "Bo": "poor"}, {"ballot": {"Bo": "good"}, "count": 7}]}

A ranked ballot lists candidates, most preferred first; a graded one maps candidates to
grade names (a candidate left out gets the lowest grade). `{"ballot": …, "count": n}` stands
for n identical ballots. Unknown members are refused, as everywhere in Vecha.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vecha.election.preferential.judgment import count_majority_judgment
from vecha.election.preferential.outcome import Outcome
from vecha.election.preferential.schulze import count_schulze
from vecha.election.preferential.stv import count_irv, count_stv
from vecha.election.seats import Lot
from vecha.errors import CountError

__all__ = ["BallotsFile", "parse_ballots_file", "METHODS", "MAX_COUNT_CANDIDATES", "MAX_FILE_BALLOTS"]

METHODS = ("stv", "irv", "schulze", "majority-judgment")
MAX_COUNT_CANDIDATES = 1000
#: ballots a file may stand for, counts included (a count is expanded ballot by ballot)
MAX_FILE_BALLOTS = 10_000_000


@dataclass(frozen=True)
class BallotsFile:
    candidates: tuple[str, ...]
    grades: tuple[str, ...] | None  #: graded ballots: the scale, lowest first
    groups: tuple[tuple[Any, int], ...]  #: (ballot, how many cast it)

    def rankings(self) -> Iterator[tuple[str, ...]]:
        for ballot, n in self.groups:
            for _ in range(n):
                yield ballot

    def grade_maps(self) -> Iterator[dict[str, int]]:
        for ballot, n in self.groups:
            for _ in range(n):
                yield ballot

    def count(self, method: str, seats: int, lot: Lot) -> Outcome:
        graded = self.grades is not None
        if method == "majority-judgment":
            if not graded:
                raise CountError("majority-judgment counts graded ballots: give the file a grades scale")
            assert self.grades is not None
            return count_majority_judgment(self.candidates, len(self.grades), self.grade_maps(), lot, self.grades)
        if graded:
            raise CountError(f"{method} counts ranked ballots; these are graded (use majority-judgment)")
        if method == "stv":
            return count_stv(self.candidates, self.rankings(), seats, lot)
        if seats != 1:
            raise CountError(f"{method} elects one candidate; several seats need stv")
        if method == "irv":
            return count_irv(self.candidates, self.rankings(), lot)
        if method == "schulze":
            return count_schulze(self.candidates, self.rankings(), lot)
        raise CountError(f"unknown method {method!r}: one of {', '.join(METHODS)}")


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) and 1 <= len(x) <= 200 for x in value):
        raise CountError(f"{what}: a list of names (1 to 200 characters each)")
    if len(set(value)) != len(value):
        raise CountError(f"{what}: a name is given twice")
    return tuple(value)


def parse_ballots_file(data: Any) -> BallotsFile:
    """Check a ballots file; raises `CountError` with the first problem and where it is."""
    if not isinstance(data, dict) or not {"candidates", "ballots"} <= set(data) <= {"candidates", "ballots", "grades"}:
        raise CountError("a ballots file is an object with candidates, ballots and (graded ballots) grades")
    candidates = _names(data["candidates"], "candidates")
    if not 1 <= len(candidates) <= MAX_COUNT_CANDIDATES:
        raise CountError(f"candidates: 1 to {MAX_COUNT_CANDIDATES}")
    grades = _names(data["grades"], "grades") if "grades" in data else None
    if grades is not None and len(grades) < 2:
        raise CountError("grades: a scale has at least two grades")
    if not isinstance(data["ballots"], list):
        raise CountError("ballots: a list")
    known = set(candidates)
    groups: list[tuple[Any, int]] = []
    for i, item in enumerate(data["ballots"], start=1):
        ballot, n = item, 1
        if isinstance(item, dict) and set(item) == {"ballot", "count"}:
            ballot, n = item["ballot"], item["count"]
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise CountError(f"ballot {i}: count is a whole number ≥ 0")
        if grades is None:
            groups.append((_ranking(ballot, known, i), n))
        else:
            groups.append((_grading(ballot, known, grades, i), n))
    if sum(n for _, n in groups) > MAX_FILE_BALLOTS:
        raise CountError(f"ballots: at most {MAX_FILE_BALLOTS} in one file, counts included")
    return BallotsFile(candidates, grades, tuple(groups))


def _ranking(ballot: Any, known: set[str], i: int) -> tuple[str, ...]:
    if not isinstance(ballot, list) or not all(isinstance(c, str) for c in ballot):
        raise CountError(f"ballot {i}: a ranked ballot is a list of candidates")
    unknown = [c for c in ballot if c not in known]
    if unknown:
        raise CountError(f"ballot {i}: {unknown[0]!r} is not a candidate")
    if len(set(ballot)) != len(ballot):
        raise CountError(f"ballot {i}: a candidate is ranked twice")
    return tuple(ballot)


def _grading(ballot: Any, known: set[str], grades: Sequence[str], i: int) -> dict[str, int]:
    if not isinstance(ballot, Mapping):
        raise CountError(f"ballot {i}: a graded ballot maps candidates to grades")
    out = {}
    for c, g in ballot.items():
        if c not in known:
            raise CountError(f"ballot {i}: {c!r} is not a candidate")
        if g not in grades:
            raise CountError(f"ballot {i}: {g!r} is not a grade ({', '.join(grades)})")
        out[c] = grades.index(g)
    return out
