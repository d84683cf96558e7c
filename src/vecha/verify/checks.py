"""`vecha verify`: re-check an exported record from its files alone (spec §10).

Two streaming passes over `board.jsonl`. The first runs the board's rules (`Ledger`) with
every proof checked and notes the hash at each checkpoint height; the second re-adds the
counted ballots (the last per credential) and compares the sum with the published tally.
Memory is bounded by the number of credentials, never by the size of the ballots.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.errors import RecordError, VechaError
from vecha.election.ballot import Ballot
from vecha.election.counting import add_ballot, empty_aggregate, freeze
from vecha.record.archive import RESULT, iter_board, read_checkpoints, read_header, read_json_file
from vecha.record.entries import EntryType
from vecha.record.ledger import Ledger, Phase
from vecha.verify.report import Report

__all__ = ["verify_record", "verify_record_ledger", "Progress"]

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]


class _Failed(Exception):
    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


def verify_record(directory: Path, progress: Progress | None = None) -> Report:
    report = Report()
    try:
        _verify(directory, report, progress or (lambda stage, done, total: None))
    except _Failed as f:
        report.failed_check, report.failure = f.check, str(f)
    return report


def verify_record_ledger(directory: Path, progress: Progress | None = None) -> Ledger:
    """Verify a record and return the board state it ends in; raises `RecordError` if it fails."""
    report = Report()
    try:
        return _verify(directory, report, progress or (lambda stage, done, total: None))
    except _Failed as f:
        raise RecordError(f"the record does not verify: check '{f.check}': {f}") from None


def _run(check: str, fn: Callable[[], None], report: Report) -> None:
    try:
        fn()
    except VechaError as e:
        raise _Failed(check, str(e)) from None
    report.passed.append(check)


def _verify(directory: Path, report: Report, progress: Progress) -> Ledger:
    state: dict[str, object] = {}

    def header() -> None:
        state["header"] = read_header(directory)
        state["checkpoints"] = read_checkpoints(directory)

    _run("files", header, report)
    head_info = state["header"]
    checkpoints = state["checkpoints"]
    assert isinstance(checkpoints, list)
    wanted = {c.height for c in checkpoints}
    heads: dict[int, bytes] = {}
    total = getattr(head_info, "entries", 0)
    ledger = Ledger(check_proofs=True)

    def board() -> None:
        for entry in iter_board(directory):
            digest = ledger.apply(entry)
            if ledger.height in wanted:
                heads[ledger.height] = digest
            if entry.type is EntryType.BALLOT or ledger.height % 1000 == 0:
                progress("verifying the board", ledger.height, total)
        progress("verifying the board", ledger.height, total)

    _run("board: hash chain, phases, trustee proofs, credentials, ballots, decryption shares, result", board, report)

    def consistency() -> None:
        h = head_info
        if ledger.height != getattr(h, "entries", -1) or ledger.head != getattr(h, "head", b""):
            raise RecordError("record.json does not describe board.jsonl (entry count or head differ)")
        if ledger.fingerprint != getattr(h, "fingerprint", b"") or ledger.election_id != getattr(h, "election", ""):
            raise RecordError("record.json names another election or fingerprint")

    _run("header", consistency, report)

    def signed_checkpoints() -> None:
        for cp in checkpoints:
            if cp.election != ledger.election_id:
                raise RecordError(f"checkpoint at height {cp.height} is for another election")
            if cp.height not in heads or heads[cp.height] != cp.head:
                raise RecordError(f"checkpoint at height {cp.height} does not match the board")
            cp.verify(ledger.board_key)
        if checkpoints[-1].height != ledger.height:
            raise RecordError("the last checkpoint does not cover the whole board")

    _run("checkpoints", signed_checkpoints, report)

    if ledger.aggregate is not None:
        _run(
            "aggregate (counting rule: last ballot per credential)",
            lambda: _check_aggregate(directory, ledger, progress),
            report,
        )
    if (directory / RESULT).exists():

        def result_file() -> None:
            published = read_json_file(directory / RESULT, RESULT)
            if ledger.result is None or canonical_bytes(published) != canonical_bytes(ledger.result):
                raise RecordError("result.json differs from the result entry on the board")

        _run("result.json", result_file, report)

    report.election = ledger.election_id
    report.entries = ledger.height
    report.trustees = len(ledger.announcements)
    report.credentials = len(ledger.credentials)
    report.ballots = ledger.ballots
    report.counted = len(ledger.last_ballot)
    report.decryptions = len(ledger.decryptions)
    report.checkpoints = len(checkpoints)
    report.phase = "result published" if ledger.phase is Phase.DONE else f"phase: {ledger.phase.name.lower()}"
    return ledger


def _check_aggregate(directory: Path, ledger: Ledger, progress: Progress) -> None:
    assert ledger.manifest is not None
    counted = ledger.counted_indices()
    acc = empty_aggregate(ledger.manifest)
    done = 0
    for entry in iter_board(directory):
        if entry.type is EntryType.BALLOT and entry.index in counted:
            add_ballot(acc, Ballot.from_json(entry.payload["ballot"]))
            done += 1
            progress("re-adding the counted ballots", done, len(counted))
    if freeze(acc) != ledger.aggregate:
        raise RecordError("the published tally is not the sum of the counted ballots")
