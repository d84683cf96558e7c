"""The ballot shape that the server and record benchmarks share: one list question with 11
lists (11 options), and ballots for it encrypted in bulk (run in worker processes)."""

from __future__ import annotations

from typing import Any

from vecha.election.ballot import encrypt_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential
from vecha.testing.records import trustees_of

__all__ = ["definition", "encrypt_ballots"]


def definition(election_id: str) -> dict[str, Any]:
    return {
        "id": election_id,
        "title": "Benchmark",
        "trustees": trustees_of(3, 2),
        "questions": [
            {
                "id": "council",
                "kind": "list-pr",
                "title": "Council",
                "lists": [{"name": f"List {i + 1}"} for i in range(11)],
                "seats": {"method": "dhondt", "seats": 80},
            }
        ],
    }


def encrypt_ballots(job: tuple[ElectionContext, list[str], int]) -> list[dict[str, Any]]:
    """One ballot per credential code; voter k marks list (offset + k) mod 11."""
    ctx, codes, offset = job
    return [
        encrypt_ballot(
            ctx, Credential.from_code(code, ctx.fingerprint), [[1 if o == (offset + k) % 11 else 0 for o in range(11)]]
        ).ballot.to_json()
        for k, code in enumerate(codes)
    ]
