"""The ballot box's workers batch the ballots waiting for them (spec §4.7).

Who could sit in a batch: any voter. What a dishonest one gains if batches were naive: a
forged ballot that fails the batch could get honest ballots refused with it, or ride along
with them and be accepted. So: many ballots at once on one worker, honest and forged ones
mixed; each gets the answer it would get alone, and the batches did take several ballots.
A lone ballot that finds the worker free is sent at once, alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.errors import InvalidEncoding, InvalidProof, InvalidSignature, VechaError
from vecha.record.entries import EntryType
from vecha.testing.flood import forged_ballot
from vecha.testing.records import build_election
from vecha.workers import BallotVerifier

VOTERS = 24


@pytest.mark.slow
def test_waiting_ballots_are_batched_and_each_gets_its_own_answer(tmp_path: Path) -> None:
    built = build_election(tmp_path, votes=[], voters=VOTERS, stop_after=EntryType.OPEN)
    ctx, fp = built.context, built.context.fingerprint
    sel = selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["Yes"]})
    ballots: list[dict[str, Any]] = []
    expected: list[type[VechaError] | None] = []
    for v in range(VOTERS):
        cred = Credential.from_code(built.codes[v], fp)
        good = encrypt_ballot(ctx, cred, sel).ballot.to_json()
        if v % 6 == 1:  # a credential holder's forged proof, signed: fails only at the equations
            ballots.append(forged_ballot(ctx, cred, good))
            expected.append(InvalidProof)
        elif v % 6 == 3:  # a signature that does not match (a scalar of its own proofs)
            good["signature"]["response"] = good["answers"][0]["proofs"][0][0][3]
            ballots.append(good)
            expected.append(InvalidSignature)
        elif v % 6 == 5:  # not a point where a commitment goes
            good["answers"][1]["proofs"][0][1][0] = "ff" * 32
            ballots.append(good)
            expected.append(InvalidEncoding)
        else:
            ballots.append(good)
            expected.append(None)

    told: list[int] = []  # what the metrics are told: the size of every task
    verifier = BallotVerifier(1, on_task=told.append)
    try:
        verifier.check(ballots[0], ctx)  # the worker is free: sent at once, alone
        with pytest.raises(InvalidProof):  # alone too (a batch of one), a forged one gets its own error
            verifier.check(ballots[1], ctx)
        assert list(verifier.batches) == [1, 1]
        start = threading.Barrier(VOTERS)

        def check(k: int) -> type[VechaError] | None:
            start.wait()
            try:
                verifier.check(ballots[k], ctx)
            except VechaError as e:
                return type(e)
            return None

        with ThreadPoolExecutor(VOTERS) as pool:
            answers = list(pool.map(check, range(VOTERS)))
        sizes = list(verifier.batches)[2:]
    finally:
        verifier.close()
    assert answers == expected
    assert told == [1, 1, *sizes]
    assert sum(sizes) == VOTERS and max(sizes) > 1, sizes  # one worker, 24 at once: some waited together


def test_a_batch_gives_each_ballot_the_error_it_gives_alone(tmp_path: Path) -> None:
    """`check_submitted_batch` reads the ballots from their canonical JSON where it can: for
    honest ones, forged proofs, a wrong signature, an invalid point, upper-case hex, a float
    (no canonical JSON at all) and a member too many, the same error, word for word, as each
    checked alone and proof by proof (`check_submitted`)."""
    from vecha.workers.ballot_box import check_submitted, check_submitted_batch
    from vecha.workers.jobs import job_of

    built = build_election(tmp_path, votes=[], voters=8, stop_after=EntryType.OPEN)
    ctx, fp = built.context, built.context.fingerprint
    sel = selections_from_labels(ctx.definition, {"council": ["South / Cat"], "yesno": ["No"]})
    made = [encrypt_ballot(ctx, Credential.from_code(c, fp), sel).ballot.to_json() for c in built.codes]
    made[1] = forged_ballot(ctx, Credential.from_code(built.codes[1], fp), made[1])
    made[2]["signature"]["response"] = made[2]["answers"][0]["proofs"][0][0][3]
    made[3]["answers"][1]["proofs"][0][1][0] = "ff" * 32
    made[4]["credential"] = made[4]["credential"].upper()
    made[5]["answers"][0]["choices"][0]["alpha"] = 1.5
    made[6]["extra"] = "x"
    job = job_of(ctx)

    def alone(ballot: dict[str, Any]) -> tuple[type[VechaError], str] | None:
        try:
            check_submitted(job, ballot)
        except VechaError as e:
            return type(e), str(e)
        return None

    expected = [alone(b) for b in made]
    assert expected[0] is None and expected[7] is None and all(e is not None for e in expected[1:7])
    got = [None if e is None else (type(e), str(e)) for e in check_submitted_batch(job, made)]
    assert got == expected
