"""Counting whole ballots after the mix (spec §9.7): ranked ballots by STV, instant runoff
or Schulze, graded ballots by Majority Judgment; exact, and explained round by round."""

from vecha.election.preferential.judgment import count_majority_judgment
from vecha.election.preferential.outcome import Outcome, Round, explain_json, number_text
from vecha.election.preferential.schulze import count_schulze
from vecha.election.preferential.stv import count_irv, count_stv

__all__ = [
    "Outcome",
    "Round",
    "number_text",
    "explain_json",
    "count_stv",
    "count_irv",
    "count_schulze",
    "count_majority_judgment",
]
