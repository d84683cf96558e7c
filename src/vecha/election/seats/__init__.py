"""Seat allocation: pure, exact, explained (spec §9)."""

from vecha.election.seats.allocation import Allocation, SeatAward, allocate, check_votes
from vecha.election.seats.candidates import ElectedCandidate, ListOutcome, elect_candidates
from vecha.election.seats.lot import Lot
from vecha.election.seats.rules import ExcessSeats, Method, QuotaBase, SeatRules, parse_fraction

__all__ = [
    "Allocation",
    "SeatAward",
    "allocate",
    "check_votes",
    "ElectedCandidate",
    "ListOutcome",
    "elect_candidates",
    "Lot",
    "ExcessSeats",
    "Method",
    "QuotaBase",
    "SeatRules",
    "parse_fraction",
]
