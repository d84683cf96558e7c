"""Vecha's counts of ranked and graded ballots held to two well-kept libraries: votekit
(STV with exact fractional transfers, Schulze) and pref_voting (instant runoff, beat path,
Majority Judgment), on random profiles. Where a tie had to be broken the rules differ by
design (ours: earlier rounds, then the public lot), so those profiles are compared only on
what the rules share."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from vecha.election.preferential import count_irv, count_majority_judgment, count_schulze, count_stv
from vecha.election.seats import Lot

pytest.importorskip("votekit")
pytest.importorskip("pref_voting")

LOT = Lot(b"property")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def complete_profiles(draw: st.DrawFn, max_candidates: int = 5) -> tuple[list[str], list[tuple[str, ...]]]:
    n = draw(st.integers(2, max_candidates))
    candidates = [chr(ord("A") + i) for i in range(n)]
    ballots = draw(st.lists(st.permutations(candidates).map(tuple), min_size=1, max_size=40))
    return candidates, ballots


@st.composite
def truncated_profiles(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, ...]]]:
    candidates, ballots = draw(complete_profiles())
    cut = [b[: draw(st.integers(1, len(b)))] for b in ballots]
    return candidates, cut


def _untied(outcome: object) -> bool:
    return all(r.tie is None for r in outcome.rounds)  # type: ignore[attr-defined]


def _votekit_profile(candidates: list[str], ballots: list[tuple[str, ...]]):  # type: ignore[no-untyped-def]
    from votekit import RankBallot
    from votekit.pref_profile import RankProfile

    return RankProfile(ballots=[RankBallot(ranking=[{c} for c in b], weight=1) for b in ballots], candidates=candidates)


@SETTINGS
@given(truncated_profiles(), st.integers(1, 3))
def test_stv_elects_what_votekit_elects(profile: tuple[list[str], list[tuple[str, ...]]], seats: int) -> None:
    from votekit.elections import STV

    candidates, ballots = profile
    assume(seats < len(candidates))
    ours = count_stv(candidates, ballots, seats, LOT, decimals=None)
    assume(_untied(ours))
    try:
        theirs = STV(_votekit_profile(candidates, ballots), n_seats=seats, exact=True)
    except ValueError:  # votekit met a tie it will not break
        assume(False)
    elected = {c for group in theirs.get_elected() for c in group}
    assert set(ours.elected) == elected
    assert ours.quota == Fraction(len(ballots) // (seats + 1) + 1) == theirs.threshold


@SETTINGS
@given(truncated_profiles(), st.integers(1, 3))
def test_stv_invariants(profile: tuple[list[str], list[tuple[str, ...]]], seats: int) -> None:
    """Any profile, ties and all: exactly `seats` distinct winners; no candidate's total
    ever exceeds the ballots; votes are neither created nor (beyond the truncation of
    transfer values, under 10⁻⁵ a ballot per transfer) lost."""
    candidates, ballots = profile
    assume(seats <= len(candidates))
    outcome = count_stv(candidates, ballots, seats, LOT)
    assert len(outcome.elected) == seats == len(set(outcome.elected))
    transfers = sum(1 for r in outcome.rounds if r.action == "surplus")
    for r in outcome.rounds:
        held = sum(r.totals.values(), Fraction(0))
        assert held <= len(ballots)
    last = outcome.rounds[-1]
    kept = sum(last.totals.values(), Fraction(0)) + last.exhausted
    assert len(ballots) - Fraction(transfers * len(ballots), 10**5) <= kept <= len(ballots)


@SETTINGS
@given(complete_profiles())
def test_stv_with_one_seat_is_instant_runoff(profile: tuple[list[str], list[tuple[str, ...]]]) -> None:
    candidates, ballots = profile
    stv, irv = count_stv(candidates, ballots, 1, LOT), count_irv(candidates, ballots, LOT)
    assume(_untied(stv) and _untied(irv))
    assert stv.elected == irv.elected


@SETTINGS
@given(complete_profiles())
def test_instant_runoff_elects_what_pref_voting_elects(profile: tuple[list[str], list[tuple[str, ...]]]) -> None:
    from pref_voting.profiles import Profile
    from pref_voting.voting_methods import instant_runoff

    candidates, ballots = profile
    ours = count_irv(candidates, ballots, LOT)
    theirs = instant_runoff(Profile([[candidates.index(c) for c in b] for b in ballots]))
    assume(_untied(ours))  # pref_voting drops every tied last candidate at once; we draw one
    assert [candidates.index(ours.elected[0])] == theirs


@SETTINGS
@given(complete_profiles())
def test_schulze_finds_the_winners_both_libraries_find(profile: tuple[list[str], list[tuple[str, ...]]]) -> None:
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles import Profile
    from votekit.elections import Schulze

    candidates, ballots = profile
    ours = count_schulze(candidates, ballots, LOT)
    winners = set(ours.extra["potential_winners"])
    assert ours.elected[0] in winners
    by_pref_voting = {candidates[i] for i in beat_path(Profile([[candidates.index(c) for c in b] for b in ballots]))}
    assert winners == by_pref_voting
    if len(winners) == 1:  # votekit splits tied winners by its own tie-break
        assert set(Schulze(_votekit_profile(candidates, ballots)).get_ranking()[0]) == winners


@st.composite
def graded_profiles(draw: st.DrawFn) -> tuple[list[str], int, list[dict[str, int]]]:
    n = draw(st.integers(2, 5))
    grades = draw(st.integers(2, 6))
    candidates = [chr(ord("A") + i) for i in range(n)]
    size = 2 * draw(st.integers(0, 20)) + 1  # odd: one median, the same in every reading
    ballots = draw(
        st.lists(
            st.fixed_dictionaries({c: st.integers(0, grades - 1) for c in candidates}), min_size=size, max_size=size
        )
    )
    return candidates, grades, ballots


@SETTINGS
@given(graded_profiles())
def test_majority_judgment_elects_what_pref_voting_elects(profile: tuple[list[str], int, list[dict[str, int]]]) -> None:
    """Where pref_voting's majority gauge names one winner, the majority value (which
    refines it) names the same one; and our majority grades are the medians."""
    from pref_voting.grade_methods import majority_judgement
    from pref_voting.grade_profiles import GradeProfile

    candidates, grades, ballots = profile
    ours = count_majority_judgment(candidates, grades, ballots, LOT)
    gp = GradeProfile([dict(b) for b in ballots], list(range(grades)))
    for c in candidates:
        assert ours.extra["majority_grades"][c] == sorted(b[c] for b in ballots)[len(ballots) // 2] == gp.median(c)
    theirs = majority_judgement(gp)
    if len(theirs) == 1:
        assert ours.elected == (theirs[0],)
