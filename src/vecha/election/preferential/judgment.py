"""Majority Judgment (spec §9.7.5): every ballot gives every candidate a grade of a fixed
scale (0 the lowest); a candidate's majority grade is the lower median of its grades; ties
between majority grades are broken by Balinski and Laraki's majority value: remove one
majority grade from each tied candidate and take the new majority grade, again and again,
until they differ (Balinski & Laraki, "A theory of measuring, electing, and ranking",
PNAS 104(21), 2007). Candidates equal to the end are split by the lot.

Grades are kept as counts per grade, so a count of 100k ballots is a table, not a list.
Every candidate is graded by every ballot, so all candidates have the same number of
grades N, and the k-th majority grade of each is its sorted grades' element at the same
position: the positions the removals take (the middle, then outward, the lower side first
when the remaining number is even).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from functools import cmp_to_key
from itertools import accumulate

from vecha.election.preferential.outcome import Outcome, Round
from vecha.election.seats import Lot
from vecha.errors import CountError

__all__ = ["count_majority_judgment", "grade_table", "removal_positions"]


def grade_table(
    candidates: Sequence[str], grades: int, ballots: Iterable[Mapping[str, int]]
) -> tuple[int, dict[str, list[int]]]:
    """The number of ballots and, per candidate, how many gave each grade. A ballot that
    leaves a candidate out gives it the lowest grade (0)."""
    if grades < 2:
        raise CountError("a grading scale has at least two grades")
    table = {c: [0] * grades for c in candidates}
    n = 0
    for i, ballot in enumerate(ballots):
        unknown = [c for c in ballot if c not in table]
        if unknown:
            raise CountError(f"ballot {i + 1}: {unknown[0]!r} is not a candidate")
        for c in candidates:
            g = ballot.get(c, 0)
            if isinstance(g, bool) or not isinstance(g, int) or not 0 <= g < grades:
                raise CountError(f"ballot {i + 1}: grade {g!r} for {c!r} is not on the scale 0…{grades - 1}")
            table[c][g] += 1
        n += 1
    return n, table


def removal_positions(n: int) -> Iterable[int]:
    """The sorted positions that successive majority grades take among n grades."""
    if n == 0:
        return
    lo = hi = (n - 1) // 2  # the positions taken so far are lo…hi, a block about the middle
    yield lo
    for taken in range(1, n):
        # the next majority grade is element (m − 1) // 2 of the m left: below the block
        # when that index falls among the lo elements below it, else just above it
        if ((n - taken) - 1) // 2 == lo - 1:
            lo -= 1
            yield lo
        else:
            hi += 1
            yield hi


class _Sorted:
    """A candidate's grades in ascending order, read by position from the counts."""

    def __init__(self, counts: Sequence[int]) -> None:
        self.ends = list(accumulate(counts))

    def at(self, position: int) -> int:
        return bisect_right(self.ends, position)


def count_majority_judgment(
    candidates: Sequence[str],
    grades: int,
    ballots: Iterable[Mapping[str, int]],
    lot: Lot,
    grade_names: Sequence[str] | None = None,
) -> Outcome:
    """`grade_names` (lowest first) only label the explanation; the count uses indices."""
    if not candidates:
        raise CountError("no candidates")
    n, table = grade_table(candidates, grades, ballots)
    sorted_grades = {c: _Sorted(table[c]) for c in candidates}
    positions = list(removal_positions(n))

    def majority_value(c: str, upto: int) -> list[int]:
        return [sorted_grades[c].at(p) for p in positions[:upto]]

    def compare(a: str, b: str) -> int:
        for p in positions:
            ga, gb = sorted_grades[a].at(p), sorted_grades[b].at(p)
            if ga != gb:
                return -1 if ga > gb else 1
        return 0

    ranking = sorted(candidates, key=cmp_to_key(compare))
    # equal majority values (identical counts): the lot orders them
    ordered: list[str] = []
    i = 0
    while i < len(ranking):
        j = i + 1
        while j < len(ranking) and compare(ranking[i], ranking[j]) == 0:
            j += 1
        ordered += lot.order(ranking[i:j])
        i = j
    winner = ordered[0]
    rounds: list[Round] = []
    tied = list(candidates)
    for k, p in enumerate(positions):
        values = {c: Fraction(sorted_grades[c].at(p)) for c in tied}
        top = max(values.values())
        leaders = [c for c in tied if values[c] == top]
        if len(leaders) == 1:
            rounds.append(Round(k + 1, values, "winner", (winner,), None, Fraction(0), "highest majority grade"))
            break
        note = f"tied at the highest majority grade: {', '.join(leaders)}"
        if k + 1 == len(positions):
            rounds.append(Round(k + 1, values, "winner", (winner,), "lot", Fraction(0), note))
            break
        rounds.append(Round(k + 1, values, "tied", tuple(leaders), None, Fraction(0), note + "; one grade removed"))
        tied = leaders
    if n == 0:
        rounds.append(Round(1, {c: Fraction(0) for c in candidates}, "winner", (winner,), "lot", Fraction(0)))
    majority = {c: (majority_value(c, 1) or [0])[0] for c in candidates}
    extra = {"grades": {c: list(table[c]) for c in candidates}, "majority_grades": majority, "ranking": ordered}
    names = list(grade_names) if grade_names is not None else [str(g) for g in range(grades)]
    details = tuple(
        f"{c}: "
        + ", ".join(f"{names[g]} {table[c][g]}" for g in range(grades))
        + f"; majority grade {names[majority[c]]}"
        for c in candidates
    )
    return Outcome("majority-judgment", 1, n, (winner,), tuple(rounds), None, extra, details)
