"""`vecha verify`: re-check an exported record from its files alone (spec §10).

Two streaming passes over `board.jsonl`. The first runs the board's rules (`Ledger`) with
every proof checked and notes the hash at each checkpoint height; the second re-adds the
counted ballots (the last per credential) and compares the sum with the published tally.
Memory is bounded by the number of credentials, never by the size of the ballots.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from pathlib import Path

from vecha.crypto import bulk
from vecha.crypto.canonical import canonical_bytes
from vecha.election.counting import Aggregate
from vecha.election.packed_ballots import Layout, layout_of
from vecha.errors import Check, CheckFailed, RecordError, VechaError
from vecha.record.archive import (
    RESULT,
    RecordHeader,
    iter_board,
    iter_board_lines,
    read_checkpoints,
    read_header,
    read_json_file,
)
from vecha.record.checkpoint import Checkpoint
from vecha.record.ledger import Ledger, Phase
from vecha.verify.parallel import BallotProofPool, Failure, sum_counted
from vecha.verify.report import Report
from vecha.workers import Workers, default_workers
from vecha.workers.spill import spill_arguments

__all__ = ["verify_record", "verify_record_ledger", "Progress", "Observed"]

#: progress(stage, done, total)
Progress = Callable[[str, int, int], None]

#: checkpoints that someone else saw the board sign, each with where it came from (a file, a mirror)
Observed = Sequence[tuple[str, Checkpoint]]
#: below this many entries a process pool costs more than it saves
PARALLEL_FROM = 400


def verify_record(
    directory: Path,
    progress: Progress | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    observed: Observed = (),
    batched: bool = True,
) -> Report:
    """Run every check; the report names the first that fails. `workers`: processes for the
    ballot proofs and the tally (default: one per available core); or `executor`, any
    concurrent.futures executor (a Dask cluster's) with `workers` workers. `observed`:
    checkpoints kept by observers or mirrors; the record must be the history they saw.
    `batched`: the ballots' proofs are checked in batches (§4.7), or else one by one; the
    outcome and the error reported are the same."""
    report = Report()
    try:
        _Verification(directory, report, progress, workers, executor, observed, batched).run()
    except CheckFailed as f:
        report.error = f
    return report


def verify_record_ledger(
    directory: Path, progress: Progress | None = None, workers: int | None = None, observed: Observed = ()
) -> Ledger:
    """Verify a record and return the board state it ends in; raises `CheckFailed` if it fails."""
    try:
        return _Verification(directory, Report(), progress, workers, None, observed).run()
    except CheckFailed as f:
        raise CheckFailed(f.check, f"the record does not verify: check '{f.check}': {f}", f.entry, f.cause) from None


def _ballot_failure(failure: Failure) -> RecordError:
    index, kind, message = failure
    return RecordError(f"entry {index} (ballot): {message}", entry=index, cause=kind)


class _Verification:
    def __init__(
        self,
        directory: Path,
        report: Report,
        progress: Progress | None,
        workers: int | None,
        executor: Executor | None,
        observed: Observed = (),
        batched: bool = True,
    ) -> None:
        self.directory = directory
        self.batched = batched
        self.observed = observed
        self.report = report
        self.progress: Progress = progress or (lambda stage, done, total: None)
        self.ledger = Ledger(check_proofs=True)
        self.heads: dict[int, bytes] = {}
        self.workers = Workers(default_workers() if workers is None else workers, executor)
        self.distributed = executor is not None
        self.pool: BallotProofPool | None = None
        self.mix_checks: list[tuple[int, Future[object]]] = []
        self.spill_directory: str | None = None  #: where a mix check's large arguments go (`spill_arguments`)

    @contextmanager
    def check(self, name: Check) -> Iterator[None]:
        """Run one check: any error inside it becomes `CheckFailed`, naming the check, the
        entry it concerns (when the error says) and the kind of error underneath."""
        try:
            yield
        except VechaError as e:
            entry = e.entry if isinstance(e, RecordError) else None
            cause = (e.cause if isinstance(e, RecordError) else None) or type(e)
            raise CheckFailed(name, str(e), entry, cause) from None
        self.report.passed.append(name)

    def run(self) -> Ledger:
        try:
            return self._run()
        finally:
            self.workers.close(cancel=True)
            if self.spill_directory is not None:
                shutil.rmtree(self.spill_directory, ignore_errors=True)

    def _run(self) -> Ledger:
        with self.check(Check.FILES):
            header = read_header(self.directory)
            checkpoints = read_checkpoints(self.directory)
        with self.check(Check.BOARD):
            self.board(header, {c.height for c in checkpoints} | {c.height for _, c in self.observed})
        with self.check(Check.HEADER):
            self.header(header)
        with self.check(Check.CHECKPOINTS):
            self.checkpoints(checkpoints)
        if self.observed:
            with self.check(Check.OBSERVED):
                self.observed_checkpoints(checkpoints)
        if self.ledger.tally is not None:
            with self.check(Check.AGGREGATE):
                self.aggregate()
        if (self.directory / RESULT).exists() or self.ledger.result is not None:
            with self.check(Check.RESULT_FILE):
                self.result_file()
        self.summarize(len(checkpoints))
        return self.ledger

    def _layout(self) -> Layout | None:
        """The election's ballot layout once the board defines it, so that ballots are read
        packed (`packed_ballot_entry`), where their proofs are checked from their bytes."""
        genesis = self.ledger.genesis
        if genesis is None or not self.batched or not bulk.available():
            return None
        return layout_of(genesis.definition)

    def board(self, header: RecordHeader, checkpoint_heights: set[int]) -> None:
        ledger = self.ledger
        ledger.batched = self.batched
        if self.distributed or (self.workers.count > 1 and header.entries >= PARALLEL_FROM):
            ledger.defer_ballot_proofs = self._defer
        elif self.batched:  # in batches, here: chunks are checked as they fill
            ledger.defer_ballot_proofs = functools.partial(self._defer, here=True)
        if self.workers.count > 1 and not self.distributed:
            ledger.defer_mix_checks = self._defer_mix
        try:
            for entry in iter_board(self.directory, self._layout):
                digest = ledger.apply(entry)
                if ledger.height in checkpoint_heights:
                    self.heads[ledger.height] = digest
                if ledger.height % 256 == 0:  # a progress bar redrawn per entry would cost the board's pace
                    self.progress("verifying the board", ledger.height, header.entries)
                del entry  # not held while the next line (a mix's: 100 MB) is read
        except VechaError:
            # Report a ballot, mix or share that failed earlier on the board, if one did,
            # rather than this entry (a result recomputed from shares a worker was still
            # checking fails here first).
            if self.pool is not None:
                failed = [f for f in self.pool.abandon() if f[0] < ledger.height]
                if failed:
                    raise _ballot_failure(failed[0]) from None
            self._raise_failed_mix_check()
            raise
        if self.pool is not None:
            failed = self.pool.finish()
            if failed:
                raise _ballot_failure(failed[0])
        self._raise_failed_mix_check()
        self.progress("verifying the board", ledger.height, header.entries)

    def _raise_failed_mix_check(self) -> None:
        for index, future in self.mix_checks:  # board order: the first failing entry is reported
            try:
                future.result()
            except VechaError as e:
                raise RecordError(f"entry {index}: {e}", entry=index, cause=type(e)) from None

    def _defer_mix(self, index: int, check: Callable[[], object]) -> None:
        """A mix's proof or a trustee's shares of the mixed ballots, checked on a worker
        process (the inputs travel packed, through files) while the board is read on. At most one such
        check per worker is in flight: each holds tens of megabytes of a large election's
        rows and proof, so reading on waits rather than queueing them all in memory."""
        running = [f for _, f in self.mix_checks if not f.done()]
        if len(running) >= self.workers.count:
            wait(running, return_when=FIRST_COMPLETED)
        if self.spill_directory is None:
            self.spill_directory = tempfile.mkdtemp(prefix="vecha-verify-")
        # through files, not pickled: the rows and proof are neither held here until a worker
        # takes them nor held twice by the worker while it unpickles them
        self.mix_checks.append((index, self.workers.executor.submit(spill_arguments(check, self.spill_directory))))

    def _defer(self, index: int, ballot: bytes, here: bool = False) -> None:
        """Hand a ballot to the pool: on the workers, or `here` (one inline worker)."""
        if self.pool is None:
            self.pool = BallotProofPool(self.ledger.context(), Workers(1) if here else self.workers, self.batched)
        self.pool.submit(index, ballot)

    def header(self, header: RecordHeader) -> None:
        ledger = self.ledger
        if ledger.height != header.entries or ledger.head != header.head:
            raise RecordError("record.json does not describe board.jsonl (entry count or head differ)")
        if ledger.fingerprint != header.fingerprint or ledger.election_id != header.election:
            raise RecordError("record.json names another election or fingerprint")

    def checkpoints(self, checkpoints: list[Checkpoint]) -> None:
        for cp in checkpoints:
            if cp.election != self.ledger.election_id:
                raise RecordError(f"checkpoint at height {cp.height} is for another election")
            if self.heads.get(cp.height) != cp.head:
                raise RecordError(f"checkpoint at height {cp.height} does not match the board")
            cp.verify(self.ledger.defined().board_key)
        if checkpoints[-1].height != self.ledger.height:
            raise RecordError("the last checkpoint does not cover the whole board")

    def observed_checkpoints(self, own: list[Checkpoint]) -> None:
        """The record must be the history that others saw the board sign: a checkpoint of the
        same board key at a height this record has must name the same head, and none may be
        beyond the record's end (then this record is an old or a cut-off copy)."""
        ledger = self.ledger
        mine = {c.height: c for c in own}
        for source, cp in self.observed:
            if cp.election != ledger.election_id:
                raise RecordError(f"{source}: its checkpoint at height {cp.height} is for another election")
            try:
                cp.verify(ledger.defined().board_key)
            except VechaError:
                raise RecordError(
                    f"{source}: its checkpoint at height {cp.height} is not signed by this board's key"
                ) from None
            if cp.height > ledger.height:
                raise RecordError(
                    f"{source} saw the board at height {cp.height}; this record stops at {ledger.height}: "
                    "it is a fork, or an old or cut-off copy of the board, not its latest history"
                )
            if self.heads[cp.height] != cp.head:
                fork = " (the record signs the other one: two signed histories)" if cp.height in mine else ""
                raise RecordError(
                    f"the board forked: {source}'s checkpoint at height {cp.height} names head {cp.head.hex()}, "
                    f"this record's is {self.heads[cp.height].hex()}{fork}"
                )

    def aggregate(self) -> None:
        ledger = self.ledger
        lines = iter_board_lines(self.directory)
        try:
            total = self._sum(lines)
        finally:
            lines.close()  # the sum may stop early (at the last ballot it needs): close the file now
        tally = ledger.tallied()
        if total != tally.aggregate:
            raise RecordError(
                f"entry {tally.index} (tally): the published tally is not the sum of the counted ballots",
                entry=tally.index,
            )

    def _sum(self, lines: Iterable[tuple[int, bytes]]) -> Aggregate:
        def step(done: int, total: int) -> None:
            self.progress("re-adding the counted ballots", done, total)

        ledger = self.ledger
        counted = ledger.counted_indices()
        if self.pool is not None:
            # The workers summed every ballot while checking it: take away the superseded
            # ones (earlier ballots of a credential that voted again), usually few.
            superseded = set(ledger.book.trackers.values()) - counted
            replaced = sum_counted(ledger.context(), superseded, lines, self.workers, step)
            return tuple(
                tuple(a - b for a, b in zip(row, rrow, strict=True))
                for row, rrow in zip(self.pool.total, replaced, strict=True)
            )
        return sum_counted(ledger.context(), counted, lines, self.workers, step)

    def result_file(self) -> None:
        if not (self.directory / RESULT).exists():
            raise RecordError("the board has a result entry but the record has no result.json")
        published = read_json_file(self.directory / RESULT, RESULT)
        if self.ledger.result is None or canonical_bytes(published) != canonical_bytes(self.ledger.result):
            raise RecordError("result.json differs from the result entry on the board")

    def summarize(self, checkpoints: int) -> None:
        ledger, report = self.ledger, self.report
        report.election = ledger.election_id
        report.entries = ledger.height
        report.trustees = len(ledger.announcements)
        # a coercion-resistant election's credentials are its roll entries, and what counts
        # is known only once the filter has matched them (§7.6)
        report.credentials = len(ledger.credentials) or len(ledger.book.roll_seen)
        report.ballots = ledger.ballots
        report.counted = ledger.coercion.matched if ledger.coercion is not None else len(ledger.book.last_ballot)
        report.decryptions = len(ledger.decryptions) or len(ledger.mix_decryptions)
        report.checkpoints = checkpoints
        report.phase = "result published" if ledger.phase is Phase.DONE else f"phase: {ledger.phase.name.lower()}"
