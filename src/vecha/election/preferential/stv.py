"""Single transferable vote and instant runoff (spec §9.7.2, §9.7.3), in exact arithmetic.

STV is the weighted inclusive Gregory method of Scottish STV (the Scottish Local Government
Elections Order 2007, rules 45–52): the Droop quota; every ballot of an elected candidate
moves on with its value times surplus/total, truncated to 5 decimal places; surpluses go
before exclusions, the largest first; an excluded candidate's ballots move at the values
they hold. One simplification, stated in the spec: an excluded candidate's ballots move in
one stage, not in one sub-stage per value. Ties are broken by the latest earlier stage
where the tied candidates differed, then by the lot.

Instant runoff elects the candidate with more than half of the ballots still counting
(those that rank a continuing candidate), excluding the last candidate round by round.

Ballots are grouped: identical rankings are counted once with their number, so a count of
100k ballots over a few candidates holds a few thousand groups, not 100k.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vecha.election.preferential.outcome import Outcome, Round, break_tie, number_text
from vecha.election.seats import Lot
from vecha.errors import CountError

__all__ = ["count_stv", "count_irv", "check_rankings", "STV_DECIMALS"]

#: Scottish STV's transfer values: five decimal places, the rest dropped (rule 48(3))
STV_DECIMALS = 5

Ranking = tuple[str, ...]


def check_rankings(candidates: Sequence[str], ballots: Iterable[Sequence[str]]) -> Counter[Ranking]:
    """The ballots as rankings grouped by how many cast each; raises `CountError` on an
    unknown candidate or one ranked twice. Empty rankings (blank ballots) are dropped."""
    known = set(candidates)
    if len(known) != len(candidates):
        raise CountError("a candidate is named twice")
    groups: Counter[Ranking] = Counter()
    for i, ballot in enumerate(ballots):
        ranking = tuple(ballot)
        unknown = [c for c in ranking if c not in known]
        if unknown:
            raise CountError(f"ballot {i + 1}: {unknown[0]!r} is not a candidate")
        if len(set(ranking)) != len(ranking):
            raise CountError(f"ballot {i + 1}: a candidate is ranked twice")
        if ranking:
            groups[ranking] += 1
    return groups


@dataclass
class _Parcel:
    """Ballots of one ranking, at one value, now with `ranking[position]`."""

    ranking: Ranking
    position: int
    count: int
    value: Fraction


def _truncate(x: Fraction, decimals: int | None) -> Fraction:
    if decimals is None:
        return x
    scale = 10**decimals
    return Fraction(x.numerator * scale // x.denominator, scale)


class _Piles:
    """Each continuing or elected candidate's parcels, and the votes no one holds."""

    def __init__(self, candidates: Sequence[str], groups: Counter[Ranking]) -> None:
        self.candidates = list(candidates)
        self.piles: dict[str, list[_Parcel]] = {c: [] for c in candidates}
        self.exhausted = Fraction(0)
        for ranking, n in groups.items():
            self.piles[ranking[0]].append(_Parcel(ranking, 0, n, Fraction(1)))
        self.held: dict[str, Fraction] = {}  #: an elected candidate's votes, fixed at the quota

    def total(self, c: str) -> Fraction:
        if c in self.held:
            return self.held[c]
        return sum((p.value * p.count for p in self.piles[c]), Fraction(0))

    def totals(self, among: Iterable[str]) -> dict[str, Fraction]:
        return {c: self.total(c) for c in among}

    def move(self, parcels: list[_Parcel], continuing: set[str]) -> None:
        """Give each parcel to its next continuing candidate, or count it as exhausted."""
        for p in parcels:
            k = p.position + 1
            while k < len(p.ranking) and p.ranking[k] not in continuing:
                k += 1
            if k == len(p.ranking):
                self.exhausted += p.value * p.count
            elif p.value > 0:
                self.piles[p.ranking[k]].append(_Parcel(p.ranking, k, p.count, p.value))


def count_stv(
    candidates: Sequence[str],
    ballots: Iterable[Sequence[str]],
    seats: int,
    lot: Lot,
    decimals: int | None = STV_DECIMALS,
) -> Outcome:
    """Elect `seats` of `candidates` by STV. `decimals=None` keeps transfer values exact
    (for comparing with other exact counts); the rule is 5 places."""
    if not 1 <= seats <= len(candidates):
        raise CountError(f"{seats} seats for {len(candidates)} candidates")
    groups = check_rankings(candidates, ballots)
    valid = sum(groups.values())
    quota = Fraction(valid // (seats + 1) + 1)
    piles = _Piles(candidates, groups)
    continuing = set(candidates)
    elected: list[str] = []
    surpluses: list[str] = []  #: elected candidates whose surplus is still to move
    rounds: list[Round] = []
    history: list[dict[str, Fraction]] = []

    excluded: set[str] = set()

    def record(action: str, who: Sequence[str], tie: str | None = None, note: str = "") -> None:
        """The stage: the totals it compared and the votes exhausted, as it started; what it did."""
        totals = {c: current[c] for c in candidates if c not in excluded or c in who}
        rounds.append(Round(len(rounds) + 1, totals, action, tuple(who), tie, exhausted_before, note))

    while len(elected) < seats:
        current = piles.totals(candidates)
        exhausted_before = piles.exhausted
        if len(continuing) <= seats - len(elected):
            rest, how = _order_by_total([c for c in candidates if c in continuing], current, history, lot)
            elected += rest
            continuing.clear()
            record("remaining", rest, how)
            break
        reached = [c for c in candidates if c in continuing and current[c] >= quota]
        if reached:
            order, how = _order_by_total(reached, current, history, lot)
            for c in order:
                continuing.discard(c)
                elected.append(c)
                if current[c] > quota:
                    surpluses.append(c)
                piles.held[c] = current[c]
            history.append(current)
            record("elected", order, how)
            continue
        if surpluses:
            largest = max(current[c] - quota for c in surpluses)
            tied = [c for c in surpluses if current[c] - quota == largest]
            c, how = (tied[0], None) if len(tied) == 1 else break_tie(tied, history, lot, lowest=False)
            surpluses.remove(c)
            total = current[c]
            parcels = piles.piles[c]
            piles.piles[c] = []
            for p in parcels:
                p.value = _truncate(p.value * (total - quota) / total, decimals)
            piles.held[c] = quota
            piles.move(parcels, continuing)
            history.append(current)
            record(
                "surplus",
                [c],
                how,
                f"transfer value {number_text(total - quota)}/{number_text(total)} of each ballot's",
            )
            continue
        lowest = min(current[c] for c in continuing)
        tied = sorted(c for c in continuing if current[c] == lowest)
        c, how = (tied[0], None) if len(tied) == 1 else break_tie(tied, history, lot, lowest=True)
        continuing.discard(c)
        excluded.add(c)
        parcels = piles.piles[c]
        piles.piles[c] = []
        piles.move(parcels, continuing)
        history.append(current)
        record("excluded", [c], how)
    return Outcome("stv", seats, valid, tuple(elected), tuple(rounds), quota)


def _order_by_total(
    names: Sequence[str], totals: dict[str, Fraction], history: list[dict[str, Fraction]], lot: Lot
) -> tuple[list[str], str | None]:
    """Highest total first; equal totals ordered by earlier stages, then the lot. Also how
    a tie was broken (the lot, if it ever was; else an earlier stage; None if no tie)."""
    out: list[str] = []
    rest = list(names)
    how: str | None = None
    while rest:
        top = max(totals[c] for c in rest)
        tied = [c for c in rest if totals[c] == top]
        c = tied[0]
        if len(tied) > 1:
            c, broke = break_tie(tied, history, lot, lowest=False)
            how = "lot" if "lot" in (how, broke) else broke
        out.append(c)
        rest.remove(c)
    return out, how


def count_irv(candidates: Sequence[str], ballots: Iterable[Sequence[str]], lot: Lot) -> Outcome:
    """Instant runoff: one winner, with more than half of the ballots still counting."""
    if not candidates:
        raise CountError("no candidates")
    groups = check_rankings(candidates, ballots)
    valid = sum(groups.values())
    continuing = list(candidates)
    rounds: list[Round] = []
    history: list[dict[str, Fraction]] = []
    while True:
        totals = {c: Fraction(0) for c in continuing}
        for ranking, n in groups.items():
            first = next((c for c in ranking if c in totals), None)
            if first is not None:
                totals[first] += n
        exhausted = Fraction(valid) - sum(totals.values(), Fraction(0))
        live = valid - exhausted
        top = max(totals.values())
        if len(continuing) == 1 or (live > 0 and 2 * top > live):
            winner = [c for c in continuing if totals[c] == top][0]
            rounds.append(Round(len(rounds) + 1, totals, "elected", (winner,), None, exhausted))
            return Outcome("irv", 1, valid, (winner,), tuple(rounds))
        lowest = min(totals.values())
        tied = [c for c in continuing if totals[c] == lowest]
        c, how = (tied[0], None) if len(tied) == 1 else break_tie(tied, history, lot, lowest=True)
        rounds.append(Round(len(rounds) + 1, totals, "excluded", (c,), how, exhausted))
        history.append(totals)
        continuing.remove(c)
