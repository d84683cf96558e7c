"""Honest voters get through a flood: a live server is sent junk of every kind (oversized,
malformed, wrong schema, another election, unlisted credentials) and a malicious voter's
forged ballots, by many concurrent clients, while honest voters cast theirs. Every honest
ballot gets its receipt; every piece of junk is refused with the status its kind calls for;
the board holds exactly the honest ballots."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.server import ServerSettings
from vecha.testing.flood import flood, forged_ballot, junk_kinds
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election

pytestmark = pytest.mark.slow

EXPECTED = {
    "oversized": {413},
    "malformed-json": {400},
    "wrong-schema": {422},
    "wrong-election": {422},
    "unlisted-credential": {403},
    # the malicious voter's forged proofs: checked in full a few times, then slowed down
    "forged": {422, 429},
}


def test_honest_voters_get_through_a_flood(tmp_path: Path) -> None:
    built = build_election(tmp_path, votes=[], voters=13, stop_after=EntryType.OPEN)
    ctx, board = built.context, built.board
    ballots = [
        encrypt_ballot(
            ctx,
            Credential.from_code(code, ctx.fingerprint),
            selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["Yes"]}),
        ).ballot.to_json()
        for code in built.codes[1:]
    ]
    malicious = Credential.from_code(built.codes[0], ctx.fingerprint)
    honest_of_malicious = encrypt_ballot(
        ctx, malicious, selections_from_labels(ctx.definition, {"council": ["South"], "yesno": ["No"]})
    ).ballot.to_json()
    settings = ServerSettings(max_body=64 * 1024)
    junk = junk_kinds(ballots[0], settings.max_body)
    junk["forged"] = json.dumps({"ballot": forged_ballot(ctx, malicious, honest_of_malicious)}).encode()
    height = board.ledger.height
    with LiveServer(board.engine, settings) as server:
        result = asyncio.run(flood(server.url, board.election_id, ballots, junk, voters=4, junk_clients=12))
    print("\nflood:", json.dumps(result.summary()))
    assert len(result.receipts) == len(ballots)
    assert sum(result.junk.values()) >= 2 * len(ballots)  # the flood outnumbered the voters
    for answer, count in result.junk.items():
        kind, status = answer.rsplit(" ", 1)
        assert status.isdigit() and int(status) in EXPECTED[kind], (answer, count)
    board.refresh()
    assert board.ledger.height == height + len(ballots)
    assert board.ledger.ballots == len(ballots)  # no junk on the board
    for receipt in result.receipts:
        assert board.find_tracker(receipt["tracker"])[0] == receipt["index"]
