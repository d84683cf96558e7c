"""Ballot proofs and the tally, checked in chunks on worker processes while the board is
read (spec §10): a local process pool, or a Dask cluster.

The board's rules are sequential, but a ballot's signature and proofs depend only on the
election (fingerprint, definition, joint key) and the ballot itself, and the tally is a sum
that can be split anyhow; so both go to workers in chunks, each carrying what it needs.
At most a few chunks are in flight, which bounds memory whatever the number of ballots.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.errors import InvalidEncoding, InvalidProof, VechaError
from vecha.crypto.group import Point
from vecha.election.ballot import Ballot, check_ballot_shape, verify_ballot, verify_ballot_proofs, verify_signature
from vecha.election.context import ElectionContext
from vecha.election.counting import Aggregate, AggregateSum, aggregate_from_json, aggregate_to_json
from vecha.election.manifest import parse_manifest

__all__ = [
    "BallotProofPool",
    "Workers",
    "default_workers",
    "process_pool",
    "job_of",
    "check_chunk",
    "sum_counted",
    "Verdict",
    "Job",
    "check_submitted",
    "decode_and_check",
    "check_ballot_costly",
]

CHUNK = 32  #: ballots per proof-checking task
SUM_CHUNK = 500  #: ballots per summing task (decoding only: much cheaper per ballot)
Failure = tuple[int, str]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


def _die_with_parent(parent: int, initializer: Callable[..., None] | None, *args: Any) -> None:
    """In each worker: if the parent dies (even by SIGKILL), die too, rather than linger. A
    thread watches for the worker being handed to another parent. (Linux's parent-death signal
    would act at once, but it follows the *thread* that started the worker, not the process: a
    worker started from a request thread was killed when the server retired that idle thread.)"""
    if os.getppid() != parent:  # the parent died before this ran
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()
    if initializer is not None:
        initializer(*args)


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """Worker processes that start from a fresh interpreter (`spawn`), so that they inherit
    none of the parent's open files: a forked worker would keep the parent's database
    connection, and with it the parent's locks, open after the parent is killed. Each worker
    dies with its parent. All of them are started here, before the pool is handed out."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(), initializer, *initargs),
    )
    # A `spawn` pool starts a worker on a submit only while none is idle: submitting one task
    # per worker before any can finish starts them all.
    for started in [pool.submit(int) for _ in range(workers)]:
        started.result()
    return pool


#: what a worker needs to check ballots: (fingerprint, definition, joint key)
#: (fingerprint, canonical definition, joint key): everything a worker's context depends on
Job = tuple[bytes, bytes, bytes]

#: contexts built in this worker, keyed by the whole job: a worker may serve several records
#: (a Dask cluster's), and two records can share a first entry and differ in their ceremony
_contexts: dict[Job, ElectionContext] = {}
_CONTEXTS_KEPT = 16


def job_of(context: ElectionContext) -> Job:
    definition = canonical_bytes(context.manifest.model_dump(mode="json"))
    return context.fingerprint, definition, context.public_key.encoding


def _context_of(job: Job) -> ElectionContext:
    """The context, built once per worker process and job (a worker may be shared, as in a
    Dask cluster, so nothing is set up in advance)."""
    ctx = _contexts.get(job)
    if ctx is None:
        fingerprint, definition, key = job
        if len(_contexts) >= _CONTEXTS_KEPT:
            _contexts.clear()
        ctx = _contexts[job] = ElectionContext(
            fingerprint, parse_manifest(parse_canonical(definition)), Point.from_bytes(key)
        )
    return ctx


#: (error code, message) of a submitted ballot's first failed check, or None when it is valid
Verdict = tuple[str, str] | None


def check_ballot_costly(ballot: Ballot, ctx: ElectionContext) -> Verdict:
    """Shape, signature, proofs — in that order; the first failure is the verdict."""
    try:
        check_ballot_shape(ballot, ctx)
    except VechaError as e:
        return "wrong-shape", str(e)
    try:
        verify_signature(ballot)
    except InvalidProof as e:
        return "bad-signature", str(e)
    try:
        verify_ballot_proofs(ballot, ctx)
    except InvalidProof as e:
        return "invalid-proof", str(e)
    return None


def decode_and_check(ballot: dict[str, Any], ctx: ElectionContext) -> Verdict:
    """Decode a submitted ballot (points valid, scalars canonical), then `check_ballot_costly`."""
    try:
        parsed = Ballot.from_json(ballot)
    except InvalidEncoding as e:
        return "invalid-encoding", str(e)
    return check_ballot_costly(parsed, ctx)


def check_submitted(job: Job, ballot: dict[str, Any]) -> Verdict:
    """`decode_and_check` in a worker (the ballot box's): this module is all it imports."""
    return decode_and_check(ballot, _context_of(job))


def check_chunk(job: Job, chunk: list[tuple[int, bytes]]) -> tuple[list[Failure], list[list[dict[str, str]]]]:
    """Decode and check every ballot (given as its canonical JSON, by board index: the bytes
    must be canonical, as in a checked record, since the signed body is cut out of them); returns
    the failures, and the sum of the ballots' ciphertexts (they are decoded anyway: adding
    them here saves the tally a pass over the ballots that count)."""
    ctx = _context_of(job)
    failures = []
    acc = AggregateSum(ctx.manifest)
    for index, raw in chunk:
        try:
            ballot = Ballot.from_json(json.loads(raw))
            verify_ballot(ballot, ctx, canonical=raw)
        except VechaError as e:
            failures.append((index, str(e)))
            continue
        acc.add_ballot(ballot)
    return failures, aggregate_to_json(acc.total())


def sum_chunk(job: Job, lines: list[bytes]) -> list[list[dict[str, str]]]:
    """The option-by-option sum of the ballots in these board entries (canonical JSON lines
    already checked by the board's rules): only the ciphertexts are decoded."""
    ctx = _context_of(job)
    acc = AggregateSum(ctx.manifest)
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
    total = AggregateSum(context.manifest)
    in_flight: deque[Future[list[list[dict[str, str]]]]] = deque()
    chunk: list[bytes] = []
    done = 0

    def collect(future: Future[list[list[dict[str, str]]]]) -> None:
        nonlocal done
        total.add_aggregate(aggregate_from_json(future.result(), context.manifest))
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


class _Inline(Executor):
    """Runs each task at once in the calling thread (one worker: no process to start)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # handed to whoever reads the result, as a pool would
            future.set_exception(e)
        return future


class Workers:
    """Where chunks of work run: a local process pool of `count` workers (started on first
    use), or any `concurrent.futures.Executor` given, such as a Dask cluster's
    (`distributed.Client(address).get_executor()`), which then stays its owner's to close."""

    def __init__(self, count: int, executor: Executor | None = None) -> None:
        self.count = max(1, count)
        self._executor = executor
        self._owned = executor is None

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = _Inline() if self.count == 1 else process_pool(self.count)
        return self._executor

    def close(self, cancel: bool = False) -> None:
        if self._owned and self._executor is not None:
            self._executor.shutdown(cancel_futures=cancel)
        self._executor = None


class BallotProofPool:
    """Collects ballots, checks them in chunks on `workers`, reports failures by board index.
    At most two chunks per worker are in flight, which bounds memory."""

    def __init__(self, context: ElectionContext, workers: Workers) -> None:
        self.workers = workers
        self._manifest = context.manifest
        self._job = job_of(context)
        self._chunk: list[tuple[int, bytes]] = []
        self._in_flight: deque[Future[tuple[list[Failure], list[list[dict[str, str]]]]]] = deque()
        self.failures: list[Failure] = []
        self._total = AggregateSum(context.manifest)

    @property
    def total(self) -> Aggregate:
        """The sum of every ballot checked so far, valid or not counted alike."""
        return self._total.total()

    def _collect(self) -> None:
        failures, partial = self._in_flight.popleft().result()
        self.failures += failures
        self._total.add_aggregate(aggregate_from_json(partial, self._manifest))

    def submit(self, index: int, ballot: bytes) -> None:
        self._chunk.append((index, ballot))
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self._in_flight.append(self.workers.executor.submit(check_chunk, self._job, self._chunk))
            self._chunk = []
        while len(self._in_flight) > 2 * self.workers.count:
            self._collect()

    def finish(self) -> list[Failure]:
        """Wait for every ballot; the failures, sorted by board index."""
        self._flush()
        while self._in_flight:
            self._collect()
        return sorted(self.failures)

    def abandon(self) -> list[Failure]:
        """After a failure later on the board: finish the ballots handed over so far (at most
        a few chunks) and return those that failed, so that the earliest failure is the one
        reported."""
        return self.finish()
