"""Hand-checked seat allocations: every method, disagreements, ties, thresholds, bad input."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vecha.election.seats import (
    ExcessSeats,
    Lot,
    Method,
    QuotaBase,
    SeatRules,
    allocate,
    elect_candidates,
    parse_fraction,
)
from vecha.errors import SeatError

LOT = Lot(b"test-seed")
VOTES = {"A": 100_000, "B": 80_000, "C": 30_000, "D": 20_000}


def seats(votes: dict[str, int], method: Method, n: int, **kw: object) -> dict[str, int]:
    return allocate(votes, SeatRules(method, n, **kw), LOT).seats  # type: ignore[arg-type]


# Worked by hand: D'Hondt quotients 100000, 80000, 50000, 40000, 33333⅓, 30000, 26666⅔, 25000.
# Sainte-Laguë: 100000, 80000, 33333⅓, 30000, 26666⅔, 20000 (A), 20000 (D), 16000.
# Hare quota 28750: full seats A3 B2 C1, remainders B 22500 > D 20000 > A 13750 > C 1250.
# Droop quota ⌊230000/9⌋+1 = 25556: full A3 B3 C1, remainder seat A (23332).
# Imperiali quota 230000/10 = 23000: full A4 B3 C1 = 8 seats, none left for remainders.
@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (Method.DHONDT, {"A": 4, "B": 3, "C": 1, "D": 0}),
        (Method.SAINTE_LAGUE, {"A": 3, "B": 3, "C": 1, "D": 1}),
        (Method.HARE, {"A": 3, "B": 3, "C": 1, "D": 1}),
        (Method.DROOP, {"A": 4, "B": 3, "C": 1, "D": 0}),
        (Method.IMPERIALI, {"A": 4, "B": 3, "C": 1, "D": 0}),
    ],
)
def test_methods_that_disagree(method: Method, expected: dict[str, int]) -> None:
    assert seats(VOTES, method, 8) == expected


def test_modified_sainte_lague_disagrees_with_plain() -> None:
    # B's first quotient is 1500 plainly but 1500/1.4 ≈ 1071 modified; A's 5th is 10000/7 ≈ 1428.6.
    votes = {"A": 10_000, "B": 1_500}
    assert seats(votes, Method.SAINTE_LAGUE, 5) == {"A": 4, "B": 1}
    assert seats(votes, Method.MODIFIED_SAINTE_LAGUE, 5) == {"A": 5, "B": 0}
    # With a first divisor of 1 it is plain Sainte-Laguë again.
    assert seats(votes, Method.MODIFIED_SAINTE_LAGUE, 5, first_divisor=Fraction(1)) == {"A": 4, "B": 1}


def test_any_divisor_sequence_continues_with_its_last_step() -> None:
    rules = SeatRules(Method.HIGHEST_AVERAGES, 8, divisors=(Fraction(1), Fraction(3)))
    assert [rules.divisor(s) for s in range(4)] == [1, 3, 5, 7]
    assert allocate(VOTES, rules, LOT).seats == seats(VOTES, Method.SAINTE_LAGUE, 8)
    danish = SeatRules(Method.HIGHEST_AVERAGES, 8, divisors=(Fraction(1), Fraction(4), Fraction(7)))
    assert danish.divisor(5) == 16


def test_threshold_with_exemption() -> None:
    # Sainte-Laguë, 12 seats. Quotients above 45: A 900 300 180 128.6 100 81.8 69.2 60 52.9 47.4,
    # B 55. The 12th seat: C's 45 beats A's 42.86 only if C may take part.
    votes = {"A": 900, "B": 55, "C": 45}
    assert seats(votes, Method.SAINTE_LAGUE, 12, threshold=Fraction(1, 20)) == {"A": 11, "B": 1, "C": 0}
    exempt = seats(votes, Method.SAINTE_LAGUE, 12, threshold=Fraction(1, 20), exempt=frozenset({"C"}))
    assert exempt == {"A": 10, "B": 1, "C": 1}


def test_blank_votes_in_threshold_base() -> None:
    votes = {"A": 900, "B": 50}
    # 5% of 950 = 47.5: B passes; 5% of 1050 (100 blank counted) = 52.5: B fails.
    assert allocate(votes, SeatRules(Method.DHONDT, 19, threshold=Fraction(1, 20)), LOT, blank=100).seats["B"] == 1
    strict = SeatRules(Method.DHONDT, 19, threshold=Fraction(1, 20), blank_in_threshold_base=True)
    assert allocate(votes, strict, LOT, blank=100).seats == {"A": 19, "B": 0}


def test_quota_base_all_votes() -> None:
    # C (87 of 1000) fails a 10% threshold. Hare, 10 seats.
    # Quota over the passing votes 913/10 = 91.3: A 5 full (remainder 48.5), B 4 full (42.8);
    # the last seat goes to A. Quota over all votes 1000/10 = 100: A 5 (remainder 5),
    # B 4 (remainder 8); the last seat goes to B.
    votes = {"A": 505, "B": 408, "C": 87}
    passed = allocate(votes, SeatRules(Method.HARE, 10, threshold=Fraction(1, 10)), LOT)
    assert passed.quota == Fraction(913, 10)
    assert passed.seats == {"A": 6, "B": 4, "C": 0}
    everyone = SeatRules(Method.HARE, 10, threshold=Fraction(1, 10), quota_base=QuotaBase.ALL)
    result = allocate(votes, everyone, LOT)
    assert result.quota == Fraction(100)
    assert result.seats == {"A": 5, "B": 5, "C": 0}


def test_ties_go_by_the_lot_not_by_name() -> None:
    votes = {"Zeta": 100, "Alpha": 100}
    winners = set()
    for seed in [b"1", b"2", b"3", b"4", b"5", b"6"]:
        result = allocate(votes, SeatRules(Method.DHONDT, 1), Lot(seed))
        (winner,) = [n for n, s in result.seats.items() if s == 1]
        assert winner == Lot(seed).order(["Alpha", "Zeta"])[0]
        assert allocate(dict(reversed(votes.items())), SeatRules(Method.DHONDT, 1), Lot(seed)).seats == result.seats
        winners.add(winner)
    assert winners == {"Alpha", "Zeta"}  # the lot really decides, both ways


def test_lot_is_reproducible_from_its_seed() -> None:
    assert Lot(b"seed").order(["a", "b", "c", "d"]) == Lot(b"seed").order(["d", "c", "b", "a"])
    assert Lot.from_text("00ff") == Lot(b"\x00\xff")
    assert Lot.from_text("not hex") == Lot(b"not hex")


def test_largest_remainder_tie_by_lot() -> None:
    result = allocate({"A": 5, "B": 5}, SeatRules(Method.HARE, 1), LOT)
    assert sum(result.seats.values()) == 1
    assert result.seats[LOT.order(["A", "B"])[0]] == 1


def test_imperiali_overshoot_is_taken_back() -> None:
    # Quota 100/4 = 25 gives 2 + 2 full seats for 2 seats: one is taken back from each.
    assert seats({"A": 50, "B": 50}, Method.IMPERIALI, 2) == {"A": 1, "B": 1}


def test_zero_votes_more_lists_than_seats_single_list() -> None:
    assert seats({"A": 10, "B": 0}, Method.SAINTE_LAGUE, 3) == {"A": 3, "B": 0}
    five = {"A": 50, "B": 40, "C": 30, "D": 20, "E": 10}
    assert seats(five, Method.DHONDT, 2) == {"A": 1, "B": 1, "C": 0, "D": 0, "E": 0}
    assert seats(five, Method.HARE, 2) == {"A": 1, "B": 1, "C": 0, "D": 0, "E": 0}
    for method in [Method.DHONDT, Method.HARE, Method.DROOP, Method.IMPERIALI, Method.SAINTE_LAGUE]:
        assert seats({"Only": 7}, method, 5) == {"Only": 5}


@pytest.mark.parametrize(
    "votes",
    [{}, {"A": -1}, {"A": "12"}, {"A": 1.5}, {"A": True}, {"": 3}, []],
)
def test_invalid_votes(votes: object) -> None:
    with pytest.raises(SeatError):
        allocate(votes, SeatRules(Method.DHONDT, 3), LOT)  # type: ignore[arg-type]


def test_invalid_rules() -> None:
    with pytest.raises(SeatError):
        SeatRules(Method.DHONDT, 0)
    with pytest.raises(SeatError):
        SeatRules(Method.DHONDT, 5, threshold=Fraction(1))
    with pytest.raises(SeatError):
        SeatRules(Method.HIGHEST_AVERAGES, 5)
    with pytest.raises(SeatError):
        SeatRules(Method.HIGHEST_AVERAGES, 5, divisors=(Fraction(3), Fraction(1)))
    with pytest.raises(SeatError):
        allocate({"A": 0, "B": 0}, SeatRules(Method.DHONDT, 3), LOT)
    with pytest.raises(SeatError):
        allocate({"A": 0, "B": 0}, SeatRules(Method.HARE, 3), LOT)
    with pytest.raises(SeatError):
        allocate({"A": 3}, SeatRules(Method.HARE, 3, exempt=frozenset({"Nobody"})), LOT)
    for bad in ["x", "1/0", ""]:
        with pytest.raises(SeatError):
            parse_fraction(bad, "threshold")
    assert parse_fraction("5%", "t") == Fraction(1, 20) == parse_fraction("0.05", "t") == parse_fraction("1/20", "t")


def test_caps_vacant_or_reallocated() -> None:
    votes = {"A": 900, "B": 100}
    vacant = allocate(votes, SeatRules(Method.DHONDT, 10), LOT, caps={"A": 3, "B": 5})
    assert vacant.seats == {"A": 9, "B": 1}  # seats are won; the list fills 3 of them (see candidates)
    moved = allocate(votes, SeatRules(Method.DHONDT, 10, excess=ExcessSeats.REALLOCATE), LOT, caps={"A": 3, "B": 5})
    assert moved.seats == {"A": 3, "B": 5} and moved.vacant == 2
    lr = allocate(votes, SeatRules(Method.HARE, 10, excess=ExcessSeats.REALLOCATE), LOT, caps={"A": 3, "B": 9})
    assert lr.seats == {"A": 3, "B": 7} and lr.vacant == 0


def test_explanation_lists_every_seat() -> None:
    result = allocate(VOTES, SeatRules(Method.DHONDT, 8), LOT)
    text = "\n".join(result.explain())
    assert [a.party for a in result.awards] == ["A", "B", "A", "B", "A", "C", "B", "A"]
    assert "seat 8: A (quotient 25000)" in text
    lr = allocate(VOTES, SeatRules(Method.HARE, 8), LOT)
    assert [a.reason for a in lr.awards].count("remainder") == 2
    assert "quota 28750" in "\n".join(lr.explain())


def test_candidates_by_preference_quota_then_list_order() -> None:
    cands = ["Ales", "Bela", "Ciryl", "Dana"]
    prefs = {"Ales": 5, "Bela": 40, "Ciryl": 0, "Dana": 12}
    out = elect_candidates("L", 3, cands, prefs, 200, LOT)
    assert [e.name for e in out.elected] == ["Bela", "Dana", "Ales"]
    # A personal quota of 10% of 200 = 20 votes: only Bela is elected by preference.
    out = elect_candidates("L", 3, cands, prefs, 200, LOT, personal_quota=Fraction(1, 10))
    assert [(e.name, e.by) for e in out.elected] == [
        ("Bela", "preference"),
        ("Ales", "list order"),
        ("Ciryl", "list order"),
    ]
    short = elect_candidates("L", 6, cands, prefs, 200, LOT)
    assert short.vacant == 2 and len(short.elected) == 4
    tie = elect_candidates("L", 1, ["X", "Y"], {"X": 3, "Y": 3}, 6, LOT)
    assert tie.elected[0].name == LOT.order(["X", "Y"])[0]


def test_no_votes_is_an_error_or_all_vacant() -> None:
    with pytest.raises(SeatError):
        allocate({"A": 0}, SeatRules(Method.HARE, 2), LOT)
    result = allocate({"A": 0, "B": 0}, SeatRules(Method.HARE, 2), LOT, vacant_if_no_votes=True)
    assert result.seats == {"A": 0, "B": 0} and result.vacant == 2
    assert "every seat is vacant" in "\n".join(result.explain())
