"""How seats are allocated: the method and its options (spec §9)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from vecha.errors import SeatError

__all__ = ["Method", "QuotaBase", "ExcessSeats", "SeatRules", "parse_fraction", "DIVISOR_METHODS"]


class Method(StrEnum):
    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    MODIFIED_SAINTE_LAGUE = "modified-sainte-lague"
    HIGHEST_AVERAGES = "highest-averages"  #: any divisor sequence
    HARE = "hare"  #: largest remainder, Hare quota V/N
    DROOP = "droop"  #: largest remainder, Droop quota ⌊V/(N+1)⌋+1
    IMPERIALI = "imperiali"  #: largest remainder, Imperiali quota V/(N+2)


DIVISOR_METHODS = frozenset({Method.DHONDT, Method.SAINTE_LAGUE, Method.MODIFIED_SAINTE_LAGUE, Method.HIGHEST_AVERAGES})


class QuotaBase(StrEnum):
    PASSED = "passed"  #: votes of the lists that passed the threshold (the usual reading)
    ALL = "all"  #: all valid list votes


class ExcessSeats(StrEnum):
    VACANT = "vacant"  #: seats a list wins beyond its candidates stay empty
    REALLOCATE = "reallocate"  #: they go to the other lists by the same method


#: spec §9.1: a decimal (`0.03`), a percentage (`3%`, `2.5%`) or a ratio of integers (`3/100`):
#: ASCII digits only, no sign, exponent, underscore or space inside
_FRACTION = re.compile(r"([0-9]+)(?:/([0-9]+)|(?:\.([0-9]+))?(%)?)")


def parse_fraction(text: str | int | Fraction, what: str) -> Fraction:
    """An exact fraction from "0.05", "1/20", "5%" or an integer; never a float."""
    if isinstance(text, bool | float):
        raise SeatError(f"{what}: give an exact decimal or fraction (not a float or a boolean)")
    if isinstance(text, int | Fraction):
        return Fraction(text)
    match = _FRACTION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise SeatError(f"{what}: {text!r} is not a number (write 0.03, 3% or 3/100)")
    whole, denominator, decimals, percent = match.groups()
    if denominator is not None:
        if int(denominator) == 0:
            raise SeatError(f"{what}: {text!r} divides by zero")
        return Fraction(int(whole), int(denominator))
    value = Fraction(int(whole + (decimals or "")), 10 ** len(decimals or ""))
    return value / 100 if percent else value


@dataclass(frozen=True)
class SeatRules:
    method: Method
    seats: int
    threshold: Fraction = Fraction(0)
    exempt: frozenset[str] = field(default_factory=frozenset)
    quota_base: QuotaBase = QuotaBase.PASSED
    blank_in_threshold_base: bool = False
    first_divisor: Fraction = Fraction(7, 5)
    divisors: tuple[Fraction, ...] = ()
    excess: ExcessSeats = ExcessSeats.VACANT

    def __post_init__(self) -> None:
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise SeatError("the number of seats must be a positive integer")
        if not 0 <= self.threshold < 1:
            raise SeatError("the threshold is a fraction of the votes, at least 0 and below 1")
        if self.first_divisor <= 0:
            raise SeatError("the first divisor must be positive")
        if self.method is Method.HIGHEST_AVERAGES:
            if not self.divisors:
                raise SeatError("the highest-averages method needs a divisor sequence")
            if any(d <= 0 for d in self.divisors) or list(self.divisors) != sorted(set(self.divisors)):
                raise SeatError("divisors must be positive and strictly increasing")

    def divisor(self, seats_won: int) -> Fraction:
        """The divisor applied to a list that has already won `seats_won` seats."""
        s = seats_won
        if self.method is Method.DHONDT:
            return Fraction(s + 1)
        if self.method is Method.SAINTE_LAGUE:
            return Fraction(2 * s + 1)
        if self.method is Method.MODIFIED_SAINTE_LAGUE:
            return self.first_divisor if s == 0 else Fraction(2 * s + 1)
        if self.method is Method.HIGHEST_AVERAGES:
            ds = self.divisors
            if s < len(ds):
                return ds[s]
            # Past the given sequence it continues with its last step (1,3,5 → 7,9,…).
            step = ds[-1] - ds[-2] if len(ds) > 1 else ds[0]
            return ds[-1] + step * (s - len(ds) + 1)
        raise SeatError(f"{self.method.value} is not a divisor method")

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "method": self.method.value,
            "seats": self.seats,
            "threshold": str(self.threshold),
            "exempt": sorted(self.exempt),
            "quota_base": self.quota_base.value,
            "blank_in_threshold_base": self.blank_in_threshold_base,
            "excess": self.excess.value,
        }
        if self.method is Method.MODIFIED_SAINTE_LAGUE:
            out["first_divisor"] = str(self.first_divisor)
        if self.method is Method.HIGHEST_AVERAGES:
            out["divisors"] = [str(d) for d in self.divisors]
        return out
