"""Many clients at once, against two servers over one database (stateless app servers): the
same ballot sent several times at the same moment, two different ballots of one credential
at the same moment, and many voters. The board stays one consistent, verifiable chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.record.receipt import Receipt
from vecha.store.board import Board
from vecha.store.db import open_store
from vecha.store.organizer import add_decryption, close_voting, export_record, publish_result, tally
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election
from vecha.verify.checks import verify_record

pytestmark = pytest.mark.slow

VOTERS = 10


def test_many_clients_two_servers_one_board(tmp_path: Path, store_url: str) -> None:
    built = build_election(tmp_path, votes=[], voters=VOTERS, stop_after=EntryType.OPEN, store=store_url)
    ctx, fp = built.context, built.context.fingerprint

    def ballot(voter: int, council: str) -> dict[str, Any]:
        sel = selections_from_labels(ctx.definition, {"council": [council], "yesno": ["Yes"]})
        return encrypt_ballot(ctx, Credential.from_code(built.codes[voter], fp), sel).ballot.to_json()

    repeated = ballot(0, "North")
    jobs: list[dict[str, Any]] = [repeated] * 4  # one ballot, sent four times at once
    jobs += [ballot(1, "North"), ballot(1, "South")]  # one credential, two ballots at once
    jobs += [ballot(v, "South" if v % 2 else "North / Ann") for v in range(2, VOTERS)]
    jobs += [ballot(v, "North") for v in range(2, VOTERS, 3)]  # re-votes
    start = threading.Barrier(len(jobs))

    with LiveServer(open_store(store_url)) as one, LiveServer(open_store(store_url)) as two:

        def send(k: int) -> tuple[int, dict[str, Any]]:
            with httpx.Client(base_url=(one if k % 2 else two).url, timeout=120) as http:
                start.wait()
                r = http.post(f"/api/v1/elections/{ctx.definition.id}/ballots", json={"ballot": jobs[k]})
                return r.status_code, r.json()

        with ThreadPoolExecutor(len(jobs)) as pool:
            answers = list(pool.map(send, range(len(jobs))))

    assert all(status in (200, 201) for status, _ in answers), answers
    receipts = [Receipt.from_json(body) for _, body in answers]
    for r in receipts:
        r.verify(built.board_key.public)
    assert len({(r.tracker, r.index) for r in receipts[:4]}) == 1  # the same ballot: one entry, one receipt
    assert sum(status == 201 for status, _ in answers[:4]) == 1
    new = {r.index for r in receipts}
    assert len(new) == len(jobs) - 3  # every other ballot has its own entry

    board = Board(open_store(store_url), ctx.definition.id)
    ballots = [e for e in board.entries() if e.type is EntryType.BALLOT]
    assert sorted(e.index for e in ballots) == sorted(new)
    assert len(board.ledger.book.last_ballot) == VOTERS
    # Voter 1's two simultaneous ballots are both on the board; the later index counts.
    r1, r2 = receipts[4], receipts[5]
    assert board.find_tracker(r1.tracker)[1] == (r1.index > r2.index)
    assert board.find_tracker(r2.tracker)[1] == (r2.index > r1.index)

    close_voting(board)
    tally(board)
    from vecha.election.trustees import partial_decrypt

    for j in (1, 2):
        shares = partial_decrypt(fp, built.trustees[j - 1], board.ledger.tallied().aggregate)
        add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
    publish_result(board)
    export_record(board, tmp_path / "final")
    report = verify_record(tmp_path / "final", workers=1)
    assert report.ok, report.summary()
    assert report.ballots == len(jobs) - 3 and report.counted == VOTERS
