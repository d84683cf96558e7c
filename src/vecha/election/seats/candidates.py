"""Seats within a list: preference votes, personal quota, list order (spec §9.5).

First the candidates whose preference votes are positive and reach the personal quota (a
fraction of the list's votes; none means any positive number), most votes first, ties by
lot; then the remaining seats in list order. Seats beyond the list's candidates stay
vacant (or were reallocated before, see `ExcessSeats`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vecha.election.seats.lot import Lot
from vecha.errors import SeatError

__all__ = ["ElectedCandidate", "ListOutcome", "elect_candidates"]


@dataclass(frozen=True, slots=True)
class ElectedCandidate:
    name: str
    preference_votes: int
    by: str  #: "preference" or "list order"


@dataclass(frozen=True)
class ListOutcome:
    party: str
    seats: int
    elected: tuple[ElectedCandidate, ...]
    vacant: int

    def to_json(self) -> dict[str, object]:
        return {
            "list": self.party,
            "seats": self.seats,
            "elected": [{"name": e.name, "preference_votes": e.preference_votes, "by": e.by} for e in self.elected],
            "vacant": self.vacant,
        }


def elect_candidates(
    party: str,
    seats: int,
    candidates: Sequence[str],
    preferences: Mapping[str, int],
    list_votes: int,
    lot: Lot,
    personal_quota: Fraction | None = None,
) -> ListOutcome:
    if len(set(candidates)) != len(candidates):
        raise SeatError(f"{party}: candidate names must be unique within a list")
    if seats < 0:
        raise SeatError(f"{party}: negative seats")
    needed = Fraction(0) if personal_quota is None else personal_quota * list_votes
    by_pref = [c for c in candidates if preferences.get(c, 0) > 0 and preferences.get(c, 0) >= needed]
    by_pref.sort(key=lambda c: (-preferences.get(c, 0), lot.rank(c)))
    chosen = [ElectedCandidate(c, preferences.get(c, 0), "preference") for c in by_pref[:seats]]
    taken = {e.name for e in chosen}
    for c in candidates:
        if len(chosen) >= seats:
            break
        if c not in taken:
            chosen.append(ElectedCandidate(c, preferences.get(c, 0), "list order"))
    return ListOutcome(party, seats, tuple(chosen), seats - len(chosen))
