"""The Schulze method (spec §9.7.4), with winning votes as the strength of a defeat.

d[a][b] is the number of ballots that rank a above b (a ranked candidate is above every
unranked one; unranked candidates are equal). a defeats b when d[a][b] > d[b][a], with
strength d[a][b]. A path's strength is its weakest defeat; p[a][b] is the strongest path
from a to b (the widest path, Floyd–Warshall). The winners are those with p[a][b] ≥ p[b][a]
against every b; several tied winners are split by the lot. Schulze (2011), "A new
monotonic, clone-independent, reversal symmetric, and Condorcet-consistent single-winner
election method", §2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from vecha.election.preferential.outcome import Outcome, Round
from vecha.election.preferential.stv import check_rankings
from vecha.election.seats import Lot
from vecha.errors import CountError

__all__ = ["count_schulze", "pairwise"]


def pairwise(candidates: Sequence[str], ballots: Iterable[Sequence[str]]) -> tuple[int, dict[str, dict[str, int]]]:
    """The number of valid ballots and d[a][b], from grouped rankings (O(groups · n²))."""
    groups = check_rankings(candidates, ballots)
    d = {a: dict.fromkeys(candidates, 0) for a in candidates}
    for ranking, n in groups.items():
        ranked = set(ranking)
        for i, a in enumerate(ranking):
            for b in ranking[i + 1 :]:
                d[a][b] += n
            for b in candidates:
                if b not in ranked:
                    d[a][b] += n
    return sum(groups.values()), d


def count_schulze(candidates: Sequence[str], ballots: Iterable[Sequence[str]], lot: Lot) -> Outcome:
    if not candidates:
        raise CountError("no candidates")
    valid, d = pairwise(candidates, ballots)
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in candidates if b != a} for a in candidates}
    for k in candidates:
        for a in candidates:
            if a == k:
                continue
            for b in candidates:
                if b in (a, k):
                    continue
                p[a][b] = max(p[a][b], min(p[a][k], p[k][b]))
    winners = [a for a in candidates if all(p[a][b] >= p[b][a] for b in candidates if b != a)]
    tie = None
    winner = winners[0]
    if len(winners) > 1:
        winner, tie = lot.order(winners)[0], "lot"
    wins = {a: Fraction(sum(1 for b in candidates if b != a and p[a][b] > p[b][a])) for a in candidates}
    note = f"potential winners: {', '.join(winners)}" if len(winners) > 1 else ""
    rounds = (Round(1, wins, "winner", (winner,), tie, Fraction(0), note),)
    extra = {
        "pairwise": {a: {b: d[a][b] for b in candidates if b != a} for a in candidates},
        "strongest_paths": {a: dict(p[a]) for a in candidates},
        "potential_winners": winners,
    }
    details = tuple(
        f"{a}: " + ", ".join(f"over {b} {d[a][b]} (strongest path {p[a][b]})" for b in candidates if b != a)
        for a in candidates
    )
    return Outcome("schulze", 1, valid, (winner,), rounds, None, extra, details)
