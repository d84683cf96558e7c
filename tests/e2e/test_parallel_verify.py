"""The verifier's process pool finds the same failures, at the same entries, as one process."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto import Scalar
from vecha.testing.records import BuiltElection, build_election, rewrite_record
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
        entry["payload"]["ballot"]["answers"][0]["proofs"][2][1][1] = Scalar.random().hex()
        where.append(entry["index"])
        # and, later on the board, a structural problem too: the tally miscounts
        [t for t in objs if t["type"] == "tally"][0]["payload"]["counted"] = 99

    rewrite_record(record, built.board_key, change)
    report = verify_record(record, workers=workers)
    assert not report.ok
    assert (report.failure or "").startswith(f"entry {where[0]} (ballot)"), report.failure


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
    report = verify_record(built.record, workers=workers)
    assert not report.ok and report.failed_check is not None and report.failed_check.startswith("aggregate")
