"""Ballot proofs and the tally, checked in chunks on worker processes while the board is
read (spec §10): a local process pool, or a Dask cluster.

The board's rules are sequential, but a ballot's signature and proofs depend only on the
election (fingerprint, definition, joint key) and the ballot itself, and the tally is a sum
that can be split anyhow; so both go to workers in chunks, each carrying what it needs.
At most a few chunks are in flight, which bounds memory whatever the number of ballots.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from vecha.election.ballot import Ballot, body_of_canonical, verify_ballots
from vecha.election.coercion_ballot import CoercionBallot, verify_coercion_ballots
from vecha.election.context import ElectionContext
from vecha.election.counting import Aggregate, AggregateSum, aggregate_from_json, aggregate_to_json
from vecha.election.packed_ballots import check_ballot_lines, sum_ballots
from vecha.errors import VechaError
from vecha.record.entries import ballot_of_line
from vecha.workers import Job, Workers, context_of, job_of

__all__ = ["BallotProofPool", "Failure", "check_chunk", "sum_chunk", "sum_counted"]

CHUNK = 512  #: ballots per proof-checking task: one batch (§4.7; larger batches cost less per ballot)
SUM_CHUNK = 500  #: ballots per summing task (decoding only: much cheaper per ballot)
#: a ballot that failed in a worker: (board index, the kind of error, its message)
Failure = tuple[int, type[VechaError], str]


def check_chunk(
    job: Job, chunk: list[tuple[int, bytes]], batched: bool = True
) -> tuple[list[Failure], list[list[dict[str, str]]]]:
    """Decode and check every ballot (given as its canonical JSON, by board index: the bytes
    must be canonical, as in a checked record, since the signed body is cut out of them); returns
    the failures, and the sum of the ballots' ciphertexts (they are decoded anyway: adding
    them here saves the tally a pass over the ballots that count). `batched`: the chunk's
    proofs are checked as one batch (§4.7), or else one by one; the failures are the same."""
    ctx = context_of(job)
    failures: list[Failure] = []
    acc = AggregateSum(ctx.definition)
    coercion = ctx.definition.coercion  # its ballots are not added up: they are all mixed
    if batched:  # straight from the bytes, where the ballots' shape allows (`packed_ballots`)
        read = check_ballot_lines([raw for _, raw in chunk], ctx)
        if read is not None:
            failed_lines, sums = read
            return [(chunk[i][0], type(e), str(e)) for i, e in failed_lines], aggregate_to_json(sums)
    decoded: list[tuple[int, Any, bytes]] = []
    for index, raw in chunk:
        try:
            ballot = (CoercionBallot if coercion else Ballot).from_json(json.loads(raw))
        except VechaError as e:
            failures.append((index, type(e), str(e)))
            continue
        decoded.append((index, ballot, raw))
    if coercion:
        items = [(ballot, body_of_canonical(raw)) for _, ballot, raw in decoded]
        failed = verify_coercion_ballots(items, ctx, batched)
    else:
        failed = verify_ballots([(ballot, raw) for _, ballot, raw in decoded], ctx, batched)
    for position, error in failed:
        failures.append((decoded[position][0], type(error), str(error)))
    if not coercion:
        bad = {position for position, _ in failed}
        for position, (_, ballot, _) in enumerate(decoded):
            if position not in bad:
                acc.add_ballot(ballot)
    return sorted(failures, key=lambda f: f[0]), aggregate_to_json(acc.total())


def sum_chunk(job: Job, lines: list[bytes]) -> list[list[dict[str, str]]]:
    """The option-by-option sum of the ballots in these board entries (canonical JSON lines
    already checked by the board's rules): only the ciphertexts are decoded."""
    ctx = context_of(job)
    acc = AggregateSum(ctx.definition)
    read = sum_ballots([ballot_of_line(line) for line in lines], ctx.definition)
    if read is not None:  # straight from the bytes (`packed_ballots`); any left over, the ordinary way
        sums, rest = read
        acc.add_aggregate(sums)
        lines = [lines[i] for i in rest]
    for line in lines:
        acc.add_ballot_json(json.loads(line)["payload"]["ballot"])
    return aggregate_to_json(acc.total())


def sum_counted(
    context: ElectionContext,
    counted: set[int],
    lines: Iterable[tuple[int, bytes]],
    workers: Workers,
    progress: Callable[[int, int], None] | None = None,
) -> Aggregate:
    """The sum of the ballots at the board indices `counted` (the tally, §7.2), from the
    board's entries given as (index, canonical JSON), in chunks on `workers`; the partial sums
    are added here."""
    job = job_of(context)
    total = AggregateSum(context.definition)
    in_flight: deque[Future[list[list[dict[str, str]]]]] = deque()
    chunk: list[bytes] = []
    done = 0

    def collect(future: Future[list[list[dict[str, str]]]]) -> None:
        nonlocal done
        total.add_aggregate(aggregate_from_json(future.result(), context.definition))
        done += SUM_CHUNK
        if progress is not None:
            progress(min(done, len(counted)), len(counted))

    last = max(counted, default=-1)
    for index, line in lines:
        if index > last:  # nothing after the last counted ballot is read (none at all if none counts)
            break
        if index in counted:
            chunk.append(line)
            if len(chunk) >= SUM_CHUNK:
                in_flight.append(workers.executor.submit(sum_chunk, job, chunk))
                chunk = []
                while len(in_flight) > 2 * workers.count:
                    collect(in_flight.popleft())
    if chunk:
        in_flight.append(workers.executor.submit(sum_chunk, job, chunk))
    while in_flight:
        collect(in_flight.popleft())
    if progress is not None:
        progress(len(counted), len(counted))
    return total.total()


class BallotProofPool:
    """Collects ballots, checks them in chunks on `workers`, reports failures by board index.
    At most two chunks per worker are in flight, which bounds memory."""

    def __init__(self, context: ElectionContext, workers: Workers, batched: bool = True) -> None:
        self.workers = workers
        self.batched = batched
        self._definition = context.definition
        self._job = job_of(context)
        self._chunk: list[tuple[int, bytes]] = []
        self._in_flight: deque[Future[tuple[list[Failure], list[list[dict[str, str]]]]]] = deque()
        self.failures: list[Failure] = []
        self._total = AggregateSum(context.definition)

    @property
    def total(self) -> Aggregate:
        """The sum of every ballot checked so far, valid or not counted alike."""
        return self._total.total()

    def _collect(self) -> None:
        failures, partial = self._in_flight.popleft().result()
        self.failures += failures
        self._total.add_aggregate(aggregate_from_json(partial, self._definition))

    def submit(self, index: int, ballot: bytes) -> None:
        self._chunk.append((index, ballot))
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self._in_flight.append(self.workers.executor.submit(check_chunk, self._job, self._chunk, self.batched))
            self._chunk = []
        while len(self._in_flight) > 2 * self.workers.count:
            self._collect()

    def finish(self) -> list[Failure]:
        """Wait for every ballot; the failures, sorted by board index."""
        self._flush()
        while self._in_flight:
            self._collect()
        return sorted(self.failures, key=lambda f: f[0])

    def abandon(self) -> list[Failure]:
        """After a failure later on the board: finish the ballots handed over so far (at most
        a few chunks) and return those that failed, so that the earliest failure is the one
        reported."""
        return self.finish()
