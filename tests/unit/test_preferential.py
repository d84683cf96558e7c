"""The counts of ranked and graded ballots on worked examples: every round's numbers, the
truncation of transfer values, how ties are broken, and bad input."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vecha.election.preferential import (
    count_irv,
    count_majority_judgment,
    count_schulze,
    count_stv,
    number_text,
)
from vecha.election.preferential.judgment import removal_positions
from vecha.election.seats import Lot
from vecha.errors import CountError

LOT = Lot(b"worked examples")


def _ballots(spec: list[tuple[int, str]]) -> list[tuple[str, ...]]:
    return [tuple(r.split(">")) if r else () for n, r in spec for _ in range(n)]


def test_stv_on_the_textbook_example() -> None:
    """20 ballots, 3 seats, quota ⌊20/4⌋+1 = 6: Chocolate's surplus of 6 moves at 6/12."""
    ballots = _ballots(
        [(4, "Orange"), (2, "Pear>Orange"), (8, "Choc>Straw"), (4, "Choc>Bonbon"), (1, "Straw"), (1, "Bonbon")]
    )
    out = count_stv(["Orange", "Pear", "Choc", "Straw", "Bonbon"], ballots, 3, LOT)
    assert out.quota == 6 and out.elected == ("Choc", "Orange", "Straw")
    assert [(r.action, r.candidates) for r in out.rounds] == [
        ("elected", ("Choc",)),
        ("surplus", ("Choc",)),
        ("excluded", ("Pear",)),
        ("elected", ("Orange",)),
        ("excluded", ("Bonbon",)),
        ("remaining", ("Straw",)),
    ]
    after_surplus = out.rounds[2].totals
    assert after_surplus == {"Orange": 4, "Pear": 2, "Choc": 6, "Straw": 5, "Bonbon": 3}
    assert out.rounds[-1].exhausted == Fraction(1) + 4 * Fraction(1, 2)  # Bonbon's ballots went nowhere
    assert out.explain()[0] == "stv, 3 seats, 20 ballots, quota 6"


def test_stv_truncates_transfer_values_to_five_places() -> None:
    """9 ballots, 2 seats: quota 4; A has 7, so its ballots move at 3/7 = 0.428571…, kept as
    0.42857: B gets 2.99999, where exact arithmetic gives 3."""
    ballots = _ballots([(7, "A>B"), (1, "C"), (1, "D")])
    out = count_stv(["A", "B", "C", "D"], ballots, 2, LOT)
    assert out.quota == 4
    b_total = next(r for r in out.rounds if r.number == 3).totals["B"]
    assert b_total == 7 * Fraction(42857, 100000)
    exact = count_stv(["A", "B", "C", "D"], ballots, 2, LOT, decimals=None)
    assert next(r for r in exact.rounds if r.number == 3).totals["B"] == 3
    assert out.elected == exact.elected == ("A", "B")


def test_ties_go_to_an_earlier_round_then_to_the_lot() -> None:
    """D and E tie at the bottom of round 1 with no earlier round: the lot drops E (its
    last name of the two). In round 4 A and B tie at 4, as in rounds 3 and 2; round 1 had
    B lower (3 against 4): B goes."""
    assert LOT.order(["D", "E"]) == ["D", "E"]
    ballots = _ballots([(4, "A"), (3, "B"), (2, "C"), (1, "D>C"), (1, "E>B")])
    out = count_irv(list("ABCDE"), ballots, LOT)
    assert [(r.candidates, r.tie) for r in out.rounds] == [
        (("E",), "lot"),
        (("D",), None),
        (("C",), None),
        (("B",), "earlier-round"),
        (("A",), None),
    ]
    assert out.rounds[3].totals == {"A": 4, "B": 4} and out.rounds[3].exhausted == 3
    assert out.explain()[4] == "round 4: A 4, B 4; exhausted 3 -> excluded: B (tie broken by an earlier round)"
    tied = count_irv(["A", "B"], _ballots([(1, "A"), (1, "B")]), LOT)
    assert [(r.action, r.candidates, r.tie) for r in tied.rounds] == [
        ("excluded", (LOT.order(["A", "B"])[-1],), "lot"),
        ("elected", (LOT.order(["A", "B"])[0],), None),
    ]


def test_instant_runoff_needs_a_majority_of_the_ballots_still_counting() -> None:
    """After C and D go, their 4 ballots rank nobody else: A's 4 of the 7 still counting win."""
    ballots = _ballots([(4, "A"), (3, "B"), (2, "C"), (2, "D")])
    out = count_irv(list("ABCD"), ballots, LOT)
    assert out.elected == ("A",)
    assert [(r.action, r.candidates) for r in out.rounds][1:] == [(("excluded"), ("D",)), ("elected", ("A",))]
    assert out.rounds[-1].totals == {"A": 4, "B": 3} and out.rounds[-1].exhausted == 4


def test_schulze_finds_the_condorcet_winner_and_shows_the_tables() -> None:
    # the classic example of Schulze (2011) §3.1, 45 voters, 5 candidates: E wins
    ballots = _ballots(
        [
            (5, "A>C>B>E>D"),
            (5, "A>D>E>C>B"),
            (8, "B>E>D>A>C"),
            (3, "C>A>B>E>D"),
            (7, "C>A>E>B>D"),
            (2, "C>B>A>D>E"),
            (7, "D>C>E>B>A"),
            (8, "E>B>A>D>C"),
        ]
    )
    out = count_schulze(list("ABCDE"), ballots, LOT)
    assert out.elected == ("E",)
    assert out.extra["pairwise"]["A"]["B"] == 20 and out.extra["pairwise"]["B"]["A"] == 25
    assert out.extra["strongest_paths"]["E"]["A"] == 25 and out.extra["strongest_paths"]["A"]["E"] == 24


def test_majority_judgment_removes_median_grades_until_the_tie_breaks() -> None:
    # A: 1 2 2 3 3 (median 2), B: 0 2 2 2 3 (median 2); after removing a 2 each: A 2, B 2;
    # then A 2 vs B 2 … A's next grades lean higher
    ballots = [{"A": a, "B": b} for a, b in [(1, 0), (2, 2), (2, 2), (3, 2), (3, 3)]]
    out = count_majority_judgment(["A", "B"], 4, ballots, LOT)
    assert out.extra["majority_grades"] == {"A": 2, "B": 2}
    assert out.elected == ("A",) and out.extra["ranking"] == ["A", "B"]
    assert out.rounds[-1].action == "winner" and out.rounds[0].action == "tied"
    assert list(removal_positions(5)) == [2, 1, 3, 0, 4] and list(removal_positions(4)) == [1, 2, 0, 3]
    same = count_majority_judgment(["A", "B"], 3, [{"A": 1, "B": 1}], LOT)
    assert same.rounds[-1].tie == "lot" and same.elected == (LOT.order(["A", "B"])[0],)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: count_stv(["A", "B"], [("A", "X")], 1, LOT), "'X' is not a candidate"),
        (lambda: count_stv(["A", "B"], [("A", "A")], 1, LOT), "ranked twice"),
        (lambda: count_stv(["A", "B"], [("A",)], 3, LOT), "3 seats for 2 candidates"),
        (lambda: count_majority_judgment(["A"], 3, [{"A": 3}], LOT), "not on the scale"),
        (lambda: count_majority_judgment(["A"], 3, [{"B": 1}], LOT), "'B' is not a candidate"),
        (lambda: count_majority_judgment(["A"], 1, [], LOT), "at least two grades"),
    ],
)
def test_bad_ballots_are_refused(call: object, message: str) -> None:
    with pytest.raises(CountError, match=message):
        call()  # type: ignore[operator]


def test_numbers_are_written_exactly() -> None:
    assert [number_text(Fraction(x)) for x in ("3", "13/4", "1/3", "-1/8", "42857/100000")] == [
        "3",
        "3.25",
        "1/3",
        "-0.125",
        "0.42857",
    ]


def test_a_results_json_explains_itself_as_the_count_does() -> None:
    from vecha.election.preferential import explain_json

    ballots = _ballots(
        [(4, "Orange"), (2, "Pear>Orange"), (8, "Choc>Straw"), (4, "Choc>Bonbon"), (1, "Straw"), (1, "Bonbon")]
    )
    for out in (
        count_stv(["Orange", "Pear", "Choc", "Straw", "Bonbon"], ballots, 3, LOT),
        count_irv(["A", "B"], _ballots([(1, "A"), (1, "B")]), LOT),
    ):
        assert explain_json(out.to_json()) == [out.explain()[0], *(r.explain() for r in out.rounds), out.explain()[-1]]
