"""The verifier and the tally on a Dask cluster (a local one, with two worker processes):
the same code that runs on the local process pool, through Dask's executor. The verdicts
and the sums are the same; a forged ballot is caught, by its board index, on the cluster."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pytest

from vecha.cli.main import main
from vecha.errors import Check, InvalidSignature
from vecha.record.entries import EntryType
from vecha.store.organizer import close_voting, tally
from vecha.testing.records import build_election, rewrite_record
from vecha.verify import verify_record

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

VOTES = [(k, {"council": [["North", "South / Cat", "North / Ann"][k % 3]], "yesno": ["Yes"]}) for k in range(30)]
VOTES += [(k, {"council": ["South"], "yesno": ["No"]}) for k in range(0, 30, 6)]  # five vote again


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_verify_and_tally_on_a_dask_cluster(tmp_path: Path, cluster: Any) -> None:
    executor: Executor = cluster.get_executor()
    built = build_election(tmp_path / "e", votes=VOTES, voters=30)
    local = verify_record(built.record, workers=1)
    on_dask = verify_record(built.record, workers=2, executor=executor)
    assert local.ok and on_dask.ok, on_dask.failure
    assert on_dask == local
    # the same through the command line, given the scheduler's address
    assert main(["verify", str(built.record), "--quiet", "--dask", cluster.scheduler.address]) == 0

    # a forged ballot (its proofs no longer match) fails on the cluster, naming its entry
    def forge(lines: list[dict[str, Any]]) -> None:
        ballot = next(e for e in lines if e["type"] == "ballot" and e["index"] == 20)["payload"]["ballot"]
        choices = ballot["answers"][0]["choices"]
        choices[0], choices[1] = choices[1], choices[0]

    rewrite_record(built.record, built.board_key, forge)
    forged = verify_record(built.record, workers=2, executor=executor)
    assert forged.error is not None and (forged.error.check, forged.error.entry) == (Check.BOARD, 20), forged.error
    assert forged.error.cause is InvalidSignature  # the swapped ciphertexts are no longer what was signed


def test_the_tally_on_a_dask_cluster_equals_the_sequential_sum(tmp_path: Path, cluster: Any) -> None:
    built = build_election(tmp_path / "t", votes=VOTES, voters=30, stop_after=EntryType.OPEN)
    board = built.board
    close_voting(board)
    expected = board.ledger.sum_counted(board.entries())  # the plain sum, one ballot at a time
    entry = tally(board, workers=2, executor=cluster.get_executor())
    assert entry["payload"]["counted"] == 30
    assert board.ledger.tallied().aggregate == expected
