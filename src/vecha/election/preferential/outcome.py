"""What a count of ranked or graded ballots returns (spec §9.7): the winners, and every round
with the numbers it compared, so that anyone can follow it (and redo it by hand).

Numbers are exact: vote totals are `Fraction`s, written in the record as decimals when they
have a finite decimal form (STV's transfer values are truncated to 5 places, so they do) and
as `p/q` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from vecha.election.seats import Lot

__all__ = ["Round", "Outcome", "number_text", "break_tie", "explain_json"]


def number_text(x: Fraction | int) -> str:
    """An exact number as text: `12`, `3.25`, or `1/3` (no finite decimal)."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d, twos, fives = x.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    places = max(twos, fives)
    scaled = abs(x.numerator) * 10**places // x.denominator
    whole, part = divmod(scaled, 10**places)
    sign = "-" if x < 0 else ""
    return f"{sign}{whole}.{part:0{places}d}"


@dataclass(frozen=True)
class Round:
    """One round (a stage, in STV's words): the totals it started from and what it did.

    `action` is one of `elected`, `surplus` (a surplus transferred), `excluded`, `remaining`
    (the last continuing candidates fill the seats left), `winner` (Schulze, Majority
    Judgment). `tie` says how a tie in this round was broken: `earlier-round` (the totals of
    the latest earlier round where the tied candidates differed) or `lot` (spec §9.4)."""

    number: int
    totals: dict[str, Fraction]
    action: str
    candidates: tuple[str, ...]
    tie: str | None = None
    exhausted: Fraction = Fraction(0)  #: votes that went to no continuing candidate before this round
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "round": self.number,
            "totals": {c: number_text(v) for c, v in self.totals.items()},
            "action": self.action,
            "candidates": list(self.candidates),
            "exhausted": number_text(self.exhausted),
        }
        if self.tie is not None:
            out["tie"] = self.tie
        if self.note:
            out["note"] = self.note
        return out

    def explain(self) -> str:
        totals = ", ".join(f"{c} {number_text(v)}" for c, v in self.totals.items())
        what = f"{self.action}: {', '.join(self.candidates)}" if self.candidates else self.action
        tie = f" (tie broken by {'the lot' if self.tie == 'lot' else 'an earlier round'})" if self.tie else ""
        exhausted = f"; exhausted {number_text(self.exhausted)}" if self.exhausted else ""
        note = f"; {self.note}" if self.note else ""
        return f"round {self.number}: {totals}{exhausted} -> {what}{tie}{note}"


@dataclass(frozen=True)
class Outcome:
    """A count's result: who won, in order, and the rounds that got there."""

    method: str
    seats: int
    ballots: int  #: the valid, non-blank ballots counted
    elected: tuple[str, ...]
    rounds: tuple[Round, ...]
    quota: Fraction | None = None  #: STV's Droop quota
    extra: dict[str, Any] = field(default_factory=dict)  #: the method's own tables (pairwise, grades)
    details: tuple[str, ...] = ()  #: those tables as lines, for `explain`

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "seats": self.seats,
            "ballots": self.ballots,
            "elected": list(self.elected),
            "rounds": [r.to_json() for r in self.rounds],
        }
        if self.quota is not None:
            out["quota"] = number_text(self.quota)
        return {**out, **self.extra}

    def explain(self) -> list[str]:
        head = f"{self.method}, {self.seats} seat{'s' if self.seats != 1 else ''}, {self.ballots} ballots"
        if self.quota is not None:
            head += f", quota {number_text(self.quota)}"
        lines = [head, *self.details, *(r.explain() for r in self.rounds)]
        lines.append(f"elected: {', '.join(self.elected) if self.elected else 'nobody'}")
        return lines


def break_tie(
    tied: Sequence[str], history: Sequence[Mapping[str, Fraction]], lot: Lot, *, lowest: bool
) -> tuple[str, str]:
    """The one candidate of `tied` that a tie picks, and how: the latest earlier round in
    `history` (newest last) where their totals differed decides (the lowest or the highest
    total there, as `lowest` says), among those still tied there; if no round tells them
    apart, the lot does (spec §9.4: the lot's first name wins a tie for the top, its last
    name loses a tie for the bottom)."""
    remaining = list(tied)
    pick: Callable[[Sequence[Fraction]], Fraction] = min if lowest else max
    for totals in reversed(history):
        values = [totals.get(c, Fraction(0)) for c in remaining]
        if len(set(values)) > 1:
            best = pick(values)
            remaining = [c for c, v in zip(remaining, values, strict=True) if v == best]
            if len(remaining) == 1:
                return remaining[0], "earlier-round"
    ordered = lot.order(remaining)
    return (ordered[-1] if lowest else ordered[0]), "lot"


def explain_json(obj: Mapping[str, Any]) -> list[str]:
    """The lines of `Outcome.explain` from a count's JSON object (§9.7.1), as a result holds
    it: what a results page or `vecha results` shows without counting again."""
    seats = obj["seats"]
    head = f"{obj['method']}, {seats} seat{'s' if seats != 1 else ''}, {obj['ballots']} ballots"
    if "quota" in obj:
        head += f", quota {obj['quota']}"
    lines = [head]
    for r in obj["rounds"]:
        totals = ", ".join(f"{c} {v}" for c, v in r["totals"].items())
        what = f"{r['action']}: {', '.join(r['candidates'])}" if r["candidates"] else r["action"]
        tie = f" (tie broken by {'the lot' if r.get('tie') == 'lot' else 'an earlier round'})" if "tie" in r else ""
        exhausted = f"; exhausted {r['exhausted']}" if r["exhausted"] != "0" else ""
        note = f"; {r['note']}" if r.get("note") else ""
        lines.append(f"round {r['round']}: {totals}{exhausted} -> {what}{tie}{note}")
    lines.append(f"elected: {', '.join(obj['elected']) if obj['elected'] else 'nobody'}")
    return lines
