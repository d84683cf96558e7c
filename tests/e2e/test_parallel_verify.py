"""The verifier's process pool finds the same failures, at the same entries, as one process."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto import Scalar
from vecha.election.trustees import check_ceremony, local_ceremony
from vecha.errors import Check, InvalidProof, InvalidSignature
from vecha.testing.records import BuiltElection, build_election, fixed_identities, read_lines, rewrite_record
from vecha.verify import checks, verify_record


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltElection:
    return build_election(tmp_path_factory.mktemp("parallel"))


@pytest.fixture(autouse=True)
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "PARALLEL_FROM", 1)


def test_honest_record(built: BuiltElection) -> None:
    report = verify_record(built.record, workers=2)
    assert report.ok, report.summary()


def _ballots(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objs if o["type"] == "ballot"]


@pytest.mark.parametrize("workers", [1, 2])
def test_forged_proof_is_reported_at_its_entry(built: BuiltElection, tmp_path: Path, workers: int) -> None:
    record = tmp_path / "r"
    shutil.copytree(built.record, record)
    where: list[int] = []

    def change(objs: list[dict[str, Any]]) -> None:
        entry = _ballots(objs)[1]
        entry["payload"]["ballot"]["answers"][0]["proofs"][2][1][3] = Scalar.random().hex()
        where.append(entry["index"])
        # and, later on the board, a structural problem too: the tally miscounts
        [t for t in objs if t["type"] == "tally"][0]["payload"]["counted"] = 99

    rewrite_record(record, built.board_key, change)
    error = verify_record(record, workers=workers).error
    assert error is not None and (error.check, error.entry, error.cause) == (Check.BOARD, where[0], InvalidSignature)
    assert str(error).startswith(f"entry {where[0]} (ballot)"), error


@pytest.mark.parametrize("workers", [1, 2])
def test_a_wrong_tally_is_caught_with_and_without_workers(tmp_path: Path, workers: int) -> None:
    """With workers, the tally is checked as (every ballot, summed while checking it) minus
    (the ballots replaced by a re-vote); one process sums the counted ballots directly. Both
    accept the honest tally and refuse one with two options swapped. The record has a re-vote."""
    from vecha.record.entries import EntryType

    built = build_election(tmp_path / "e", stop_after=EntryType.TALLY)
    assert built.board.ledger.ballots > len(built.board.ledger.counted_indices())  # someone re-voted
    assert verify_record(built.record, workers=workers).ok

    def swap(objs: list[dict[str, Any]]) -> None:
        row = [t for t in objs if t["type"] == "tally"][0]["payload"]["aggregate"][0]
        row[0], row[3] = row[3], row[0]

    rewrite_record(built.record, built.board_key, swap)
    error = verify_record(built.record, workers=workers).error
    tally = built.board.ledger.tallied().index
    assert error is not None and (error.check, error.entry) == (Check.AGGREGATE, tally), error


def test_a_shared_worker_does_not_reuse_another_records_context(built: BuiltElection, tmp_path: Path) -> None:
    """Finding 8: record B has record A's first entry (so its fingerprint) but another key
    ceremony; its ballots were encrypted under A's key, so B alone is rejected. Verified on
    the same worker processes right after A, it must still be rejected."""
    record = tmp_path / "b"
    shutil.copytree(built.record, record)
    fp = bytes.fromhex(json.loads((record / "record.json").read_text())["fingerprint"])
    _, anns, confs = local_ceremony(fp, 2, fixed_identities(3))
    key = check_ceremony(fp, 2, [i.public for i in fixed_identities(3)], anns, confs)

    def other_ceremony(objs: list[dict[str, Any]]) -> None:
        ts = [o for o in objs if o["type"] == "trustee"]
        cs = [o for o in objs if o["type"] == "trustee-confirmation"]
        for o, a in zip(ts, anns, strict=True):
            o["payload"] = a.to_json()
        for o, c in zip(cs, confs, strict=True):
            o["payload"] = c.to_json()
        next(o for o in objs if o["type"] == "joint-key")["payload"] = {"public_key": key.hex()}

    rewrite_record(record, built.board_key, other_ceremony)
    alone = verify_record(record, workers=1)
    assert alone.error is not None and alone.error.check is Check.BOARD and alone.error.cause is InvalidProof
    first_ballot = next(o["index"] for o in read_lines(record) if o["type"] == "ballot")
    assert alone.error.entry == first_ballot, alone.error
    with ProcessPoolExecutor(1) as pool:
        assert verify_record(built.record, workers=1, executor=pool).ok
        after = verify_record(record, workers=1, executor=pool)
    assert after.error is not None and (after.error.check, after.error.entry, after.error.cause) == (
        alone.error.check,
        alone.error.entry,
        alone.error.cause,
    )
    assert after.failure == alone.failure
