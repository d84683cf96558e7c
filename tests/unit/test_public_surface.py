"""Pin the public names of each package: a change here is a change of the API."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "vecha.crypto": {
        "GENERATOR",
        "IDENTITY",
        "ORDER",
        "Point",
        "Scalar",
        "Transcript",
        "Ciphertext",
        "encrypt",
        "decrypt_to_point",
        "add_all",
        "small_dlog",
    },
    "vecha.errors": {
        "VechaError",
        "BackendUnavailable",
        "InvalidEncoding",
        "InvalidProof",
        "InvalidSignature",
        "InvalidBallot",
        "ElectionError",
        "SeatError",
        "CountError",
        "RegistrationRefused",
        "RecordError",
        "Check",
        "CheckFailed",
    },
    "vecha.crypto.proofs": {
        "SchnorrProof",
        "prove_knowledge",
        "verify_knowledge",
        "EqualityProof",
        "EQUALITY_KEYS",
        "batch_equality",
        "equality_to_json",
        "equality_from_json",
        "prove_equality",
        "verify_equality",
        "RangeProof",
        "Branch",
        "prove_range",
        "verify_range",
        "batch_knowledge",
        "batch_range",
        "schnorr_to_json",
        "schnorr_from_json",
    },
    "vecha.election.seats": {
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
    },
    "vecha.election.preferential": {
        "Outcome",
        "Round",
        "number_text",
        "explain_json",
        "count_stv",
        "count_irv",
        "count_schulze",
        "count_majority_judgment",
    },
    "vecha.record": {
        "RecordWriter",
        "iter_board",
        "read_checkpoints",
        "read_header",
        "BoardKey",
        "Checkpoint",
        "sign_checkpoint",
        "GENESIS_PARENT",
        "Entry",
        "EntryType",
        "entry_hash",
        "Ledger",
        "Phase",
    },
    "vecha.verify": {"verify_record", "Report"},
    "vecha.workers": {"BallotVerifier", "Job", "Workers", "context_of", "default_workers", "job_of", "process_pool"},
    "vecha.store": {"Board", "Receipt", "now", "open_store"},
    "vecha.testing": {"scalars", "points", "ciphertexts", "small_messages"},
}


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_all_is_pinned(module: str) -> None:
    mod = importlib.import_module(module)
    assert set(mod.__all__) == EXPECTED[module]
    for name in mod.__all__:
        assert hasattr(mod, name)
