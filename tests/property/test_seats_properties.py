"""Properties every allocation keeps, whatever the votes."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vecha.election.seats import Lot, Method, SeatRules, allocate

METHODS = [
    Method.DHONDT,
    Method.SAINTE_LAGUE,
    Method.MODIFIED_SAINTE_LAGUE,
    Method.HARE,
    Method.DROOP,
    Method.IMPERIALI,
]
DIVISOR = [Method.DHONDT, Method.SAINTE_LAGUE, Method.MODIFIED_SAINTE_LAGUE]

votes_maps = st.dictionaries(
    st.text("ABCDEFGHIJ", min_size=1, max_size=3), st.integers(0, 10_000), min_size=1, max_size=8
).filter(lambda v: any(v.values()))


@settings(max_examples=200)
@given(votes_maps, st.sampled_from(METHODS), st.integers(1, 60), st.binary(max_size=8))
def test_seats_add_up(votes: dict[str, int], method: Method, n: int, seed: bytes) -> None:
    result = allocate(votes, SeatRules(method, n), Lot(seed))
    assert sum(result.seats.values()) == n
    assert result.vacant == 0
    assert all(result.seats[name] == 0 for name, v in votes.items() if v == 0)


@settings(max_examples=200)
@given(votes_maps, st.sampled_from(DIVISOR), st.integers(1, 40), st.data())
def test_divisor_methods_are_monotone(votes: dict[str, int], method: Method, n: int, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(votes)))
    extra = data.draw(st.integers(1, 5_000))
    lot = Lot(b"monotone")
    before = allocate(votes, SeatRules(method, n), lot).seats[name]
    after = allocate({**votes, name: votes[name] + extra}, SeatRules(method, n), lot).seats[name]
    assert after >= before


@settings(max_examples=200)
@given(votes_maps, st.sampled_from(METHODS), st.integers(1, 60), st.integers(1, 20))
def test_below_threshold_and_not_exempt_gets_nothing(
    votes: dict[str, int], method: Method, n: int, percent: int
) -> None:
    threshold = Fraction(percent, 100)
    total = sum(votes.values())
    assume(any(v >= threshold * total and v > 0 for v in votes.values()))  # else allocate refuses
    result = allocate(votes, SeatRules(method, n, threshold=threshold), Lot(b"t"))
    for name, v in votes.items():
        if v < threshold * total:
            assert result.seats[name] == 0
            assert name not in result.passed
