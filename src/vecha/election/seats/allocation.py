"""Proportional allocation of seats to lists, in exact arithmetic (spec §9).

`allocate` applies the threshold, then a highest-averages or a largest-remainder method,
and returns an `Allocation` that can explain itself: every quotient or remainder that was
compared, and the order in which the seats went.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from vecha.election.seats.lot import Lot
from vecha.election.seats.rules import DIVISOR_METHODS, ExcessSeats, Method, QuotaBase, SeatRules
from vecha.errors import SeatError

__all__ = ["SeatAward", "Allocation", "allocate", "check_votes"]


@dataclass(frozen=True, slots=True)
class SeatAward:
    """One seat: its number (1-based), the list it went to, and why."""

    number: int
    party: str
    value: Fraction  #: the winning quotient, or the quota / remainder that won it
    reason: str  #: "quotient", "quota" or "remainder"


@dataclass(frozen=True)
class Allocation:
    rules: SeatRules
    votes: dict[str, int]
    blank: int
    threshold_votes: Fraction  #: a list needs at least this many votes unless exempt
    passed: tuple[str, ...]
    seats: dict[str, int]
    vacant: int
    awards: tuple[SeatAward, ...]
    quota: Fraction | None  #: largest-remainder methods only
    caps: dict[str, int] | None

    def explain(self) -> list[str]:
        """Plain-text lines: the threshold, the table of quotients or remainders, the seat order."""
        r = self.rules
        lines = [
            f"method {r.method.value}, {r.seats} seats",
            f"threshold {r.threshold} of {self._threshold_base()} votes = {_fmt(self.threshold_votes)} votes"
            + (f" (exempt: {', '.join(sorted(r.exempt))})" if r.exempt else ""),
        ]
        for name in self.votes:
            mark = "passed" if name in self.passed else "below threshold"
            lines.append(f"  {name}: {self.votes[name]} votes, {mark}")
        if r.method in DIVISOR_METHODS:
            lines.append("quotients (votes / divisor), * = won a seat:")
            depth = max(self.seats.values(), default=0) + 1
            for name in self.passed:
                cells = []
                for s in range(depth):
                    q = Fraction(self.votes[name]) / r.divisor(s)
                    star = "*" if s < self.seats[name] else " "
                    cells.append(f"{_fmt(q)}{star}")
                lines.append(f"  {name}: " + "  ".join(cells))
        elif self.quota is None:
            lines.append("no list that passed the threshold has a vote: every seat is vacant")
        else:
            lines.append(f"quota {_fmt(self.quota)}; list: votes / quota = full seats, remainder")
            for name in self.passed:
                v = Fraction(self.votes[name])
                full = int(v // self.quota)
                lines.append(f"  {name}: {full} full seats, remainder {_fmt(v - full * self.quota)}")
        lines.append("seats in the order they were awarded:")
        for a in self.awards:
            lines.append(f"  seat {a.number}: {a.party} ({a.reason} {_fmt(a.value)})")
        if self.vacant:
            lines.append(f"vacant seats: {self.vacant}")
        return lines

    def _threshold_base(self) -> int:
        return sum(self.votes.values()) + (self.blank if self.rules.blank_in_threshold_base else 0)

    def to_json(self) -> dict[str, object]:
        return {
            "rules": self.rules.to_json(),
            "passed": list(self.passed),
            "seats": dict(self.seats),
            "vacant": self.vacant,
            "order": [a.party for a in self.awards],
        }


def _fmt(x: Fraction) -> str:
    """A number for people: exact when it has at most 4 decimals, else ≈ a 4-decimal rounding.
    (Display only: every comparison in the allocation is exact.)"""
    if x.denominator == 1:
        return str(x.numerator)
    n = round(abs(x) * 10_000)
    text = ("-" if x < 0 else "") + f"{n // 10_000}.{n % 10_000:04d}".rstrip("0").rstrip(".")
    return text if Fraction(text) == x else "≈" + text


def check_votes(votes: Mapping[str, object]) -> dict[str, int]:
    """Validate a list → votes mapping: non-empty, names are non-empty strings, counts ≥ 0."""
    if not isinstance(votes, Mapping) or not votes:
        raise SeatError("the votes must map at least one list name to its number of votes")
    out: dict[str, int] = {}
    for name, count in votes.items():
        if not isinstance(name, str) or not name.strip():
            raise SeatError("every list needs a non-empty name")
        if isinstance(count, bool) or not isinstance(count, int):
            raise SeatError(f"{name}: the number of votes must be a whole number, not {count!r}")
        if count < 0:
            raise SeatError(f"{name}: the number of votes cannot be negative")
        out[name] = count
    return out


def allocate(
    votes: Mapping[str, object],
    rules: SeatRules,
    lot: Lot,
    *,
    blank: int = 0,
    caps: Mapping[str, int] | None = None,
    vacant_if_no_votes: bool = False,
) -> Allocation:
    """Allocate `rules.seats` seats to the lists in `votes`.

    When no list that passed the threshold has a vote, the allocation is refused, or with
    `vacant_if_no_votes` (an election's result must still be published) every seat is vacant.
    `caps` limits a list to its number of candidates; what happens to seats beyond a cap
    is `rules.excess`. Ties are broken by `lot`.
    """
    clean = check_votes(votes)
    if isinstance(blank, bool) or blank < 0:
        raise SeatError("the number of blank votes cannot be negative")
    unknown = set(rules.exempt) - set(clean)
    if unknown:
        raise SeatError(f"exempt list(s) not among the votes: {', '.join(sorted(unknown))}")
    base = sum(clean.values()) + (blank if rules.blank_in_threshold_base else 0)
    threshold_votes = rules.threshold * base
    passed = tuple(n for n, v in clean.items() if n in rules.exempt or v >= threshold_votes)
    eligible = [n for n in passed if clean[n] > 0]  # a list without votes never wins a seat
    if not eligible and not vacant_if_no_votes:
        raise SeatError("no list that passed the threshold has any votes")
    limit = None
    if caps is not None and rules.excess is ExcessSeats.REALLOCATE:
        limit = {n: caps.get(n, 0) for n in clean}
    quota: Fraction | None = None
    seats: dict[str, int] = {}
    awards: list[SeatAward] = []
    if not eligible:
        pass  # every seat stays vacant
    elif rules.method in DIVISOR_METHODS:
        seats, awards = _highest_averages(clean, eligible, rules, lot, limit)
    else:
        quota_votes = sum(clean[n] for n in passed) if rules.quota_base is QuotaBase.PASSED else sum(clean.values())
        quota = _quota(rules.method, quota_votes, rules.seats)
        seats, awards = _largest_remainder(clean, eligible, rules.seats, quota, lot, limit)
    return Allocation(
        rules=rules,
        votes=clean,
        blank=blank,
        threshold_votes=threshold_votes,
        passed=passed,
        seats={n: seats.get(n, 0) for n in clean},
        vacant=rules.seats - sum(seats.values()),
        awards=tuple(awards),
        quota=quota,
        caps=dict(caps) if caps is not None else None,
    )


def _full(name: str, seats: Mapping[str, int], limit: Mapping[str, int] | None) -> bool:
    return limit is not None and seats.get(name, 0) >= limit[name]


def _highest_averages(
    votes: dict[str, int], eligible: list[str], rules: SeatRules, lot: Lot, limit: dict[str, int] | None
) -> tuple[dict[str, int], list[SeatAward]]:
    seats = dict.fromkeys(eligible, 0)
    awards: list[SeatAward] = []
    for number in range(1, rules.seats + 1):
        open_lists = [n for n in eligible if not _full(n, seats, limit)]
        if not open_lists:
            break  # every list is full: the rest stay vacant
        quotients = {n: Fraction(votes[n]) / rules.divisor(seats[n]) for n in open_lists}
        best = max(quotients.values())
        winner = lot.order(n for n in open_lists if quotients[n] == best)[0]
        seats[winner] += 1
        awards.append(SeatAward(number, winner, best, "quotient"))
    return seats, awards


def _quota(method: Method, total: int, seats: int) -> Fraction:
    if total <= 0:
        raise SeatError("no list that passed the threshold has any votes")
    if method is Method.HARE:
        return Fraction(total, seats)
    if method is Method.DROOP:
        return Fraction(total // (seats + 1) + 1)
    if method is Method.IMPERIALI:
        return Fraction(total, seats + 2)
    raise SeatError(f"{method.value} is not a largest-remainder method")


def _largest_remainder(
    votes: dict[str, int],
    eligible: list[str],
    total_seats: int,
    quota: Fraction,
    lot: Lot,
    limit: dict[str, int] | None,
) -> tuple[dict[str, int], list[SeatAward]]:
    seats: dict[str, int] = {}
    remainders: dict[str, Fraction] = {}
    for n in eligible:
        full = int(Fraction(votes[n]) // quota)
        if limit is not None:
            full = min(full, limit[n])
        seats[n] = full
        remainders[n] = Fraction(votes[n]) - full * quota
    # A small quota (Imperiali, Droop) can hand out more full seats than there are:
    # take them back from the smallest remainders, the lot deciding ties.
    while sum(seats.values()) > total_seats:
        holders = [n for n in eligible if seats[n] > 0]
        smallest = min(remainders[n] for n in holders)
        loser = lot.order(n for n in holders if remainders[n] == smallest)[-1]
        seats[loser] -= 1
        remainders[loser] += quota
    awards = [SeatAward(0, n, quota, "quota") for n in eligible for _ in range(seats[n])]
    while sum(seats.values()) < total_seats:
        # One remainder seat per list per round, largest remainder first.
        candidates = [n for n in eligible if not _full(n, seats, limit)]
        if not candidates:
            break
        ranked = sorted(candidates, key=lambda n: (-remainders[n], lot.rank(n)))
        for n in ranked[: total_seats - sum(seats.values())]:
            seats[n] += 1
            awards.append(SeatAward(0, n, remainders[n], "remainder"))
            remainders[n] -= quota  # a second round ranks by what is left
    numbered = [SeatAward(i, a.party, a.value, a.reason) for i, a in enumerate(awards, start=1)]
    return seats, numbered
