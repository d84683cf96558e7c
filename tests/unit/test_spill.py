"""A worker task's large arguments go through files (`vecha.workers.spill`): the task a
worker unpickles is the same call, small arguments stay as they are, and a verification
whose mix checks went through files verifies the same records, catches the same tampering
and leaves no file behind."""

from __future__ import annotations

import functools
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto.rows import PackedRows
from vecha.record.packed_entries import PackedShares
from vecha.testing.records import SMALL_DEFINITION, build_election, rewrite_record
from vecha.verify import verify_record
from vecha.workers import spill
from vecha.workers.spill import Spilled, spill_arguments


def _echo(*args: Any) -> tuple[Any, ...]:
    return args


def test_large_arguments_travel_as_files_and_come_back_equal(tmp_path: Path) -> None:
    rows = PackedRows(os.urandom(64 * 3 * 6000), 3)
    shares = PackedShares(os.urandom(96 * 2 * 6000), 6000, 2)
    big, small = os.urandom(spill.SPILL_FROM), os.urandom(100)
    task = functools.partial(_echo, rows, shares, big, small, 7, "text")
    spilled = spill_arguments(task, str(tmp_path))
    assert isinstance(spilled, functools.partial)
    assert [type(a) for a in spilled.args[:3]] == [Spilled] * 3 and spilled.args[3:] == (small, 7, "text")
    assert len(pickle.dumps(spilled)) < 2000  # names of files, not 3 MB of data
    assert len(list(tmp_path.iterdir())) == 3
    back = pickle.loads(pickle.dumps(spilled))()
    assert back == (rows, shares, big, small, 7, "text")
    assert spill_arguments(_echo, str(tmp_path)) is _echo  # not a partial: left as it is


def test_a_verification_through_files_decides_as_before_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spill, "SPILL_FROM", 0)  # every argument of every mix check through a file
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    votes = [(0, {"council": ["North"], "yesno": ["Yes"]}), (1, {"council": ["South / Cat"], "yesno": ["No"]})]
    e = build_election(tmp_path / "e", definition={**SMALL_DEFINITION, "id": "spilled", "mix": True}, votes=votes)
    report = verify_record(e.record, workers=2)
    assert report.ok, report.error

    def change(objs: list[dict[str, Any]]) -> None:
        mix = [o for o in objs if o["type"] == "mix"][1]["payload"]
        mix["proof"]["s1"], mix["proof"]["s2"] = mix["proof"]["s2"], mix["proof"]["s1"]

    rewrite_record(e.record, e.board_key, change)
    report = verify_record(e.record, workers=2)
    assert not report.ok and "mix 2 is not signed" in str(report.error)  # a changed mix, caught on a worker
    assert list(scratch.iterdir()) == []
