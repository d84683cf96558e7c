"""The ballot box's costly checks of a submitted ballot (decoding, shape, signature, then
proofs), in worker processes; the server's own process does not decode the ballot at all.

Verification is pure Python around libsodium calls, so threads would queue on the
interpreter lock; processes use every core. A worker keeps the context of each election it
has seen (keyed by everything it depends on), so a request only carries the ballot. With
`workers=0` the checks run in the calling thread (tests, tiny deployments).

Under load the ballots that wait for a worker are checked together, as one batch (spec
§4.7): a worker that becomes free takes every ballot of an election waiting for it (up to
`MAX_BATCH`). A ballot that arrives while a worker is free is sent at once, alone (a batch
of one): batching never makes a ballot wait for others. Each ballot still gets its own answer, the same one
as if it had been checked alone.

A failed check raises its own error (`InvalidEncoding`, `InvalidBallot` for the shape,
`InvalidSignature`, `InvalidProof`), from the worker to the caller; this module and the
ones it names are all that a worker imports.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from vecha.crypto.canonical import canonical_bytes
from vecha.election.ballot import Ballot, verify_ballot, verify_ballots
from vecha.election.coercion_ballot import CoercionBallot, verify_coercion_ballot, verify_coercion_ballots
from vecha.election.context import ElectionContext
from vecha.election.packed_ballots import check_ballot_lines
from vecha.errors import InvalidEncoding, VechaError
from vecha.workers.jobs import Job, context_of, job_of
from vecha.workers.pool import process_pool

__all__ = ["BallotVerifier", "check_submitted", "check_submitted_batch", "MAX_BATCH"]

MAX_BATCH = 64  #: ballots a worker takes at once, at most (a batch's answers wait for all of it)


def check_submitted(job: Job, ballot: dict[str, Any]) -> None:
    """Decode a submitted ballot (points valid, scalars canonical), then check its shape, its
    signature and its proofs, each proof alone, in that order: the first that fails raises."""
    _check(ballot, context_of(job))


def _check(ballot: dict[str, Any], ctx: ElectionContext) -> None:
    if ctx.definition.coercion:
        verify_coercion_ballot(CoercionBallot.from_json(ballot), ctx)
    else:
        verify_ballot(Ballot.from_json(ballot), ctx)


def check_submitted_batch(job: Job, ballots: list[dict[str, Any]]) -> list[VechaError | None]:
    """`check_submitted` for several ballots, their proofs as one batch: for each ballot, in
    order, the error it would raise alone, or None. Each is checked from its canonical JSON
    (`packed_ballots`) where it can be, and decoded otherwise; the errors are the same."""
    ctx = context_of(job)
    errors: list[VechaError | None] = [None] * len(ballots)
    pending = list(range(len(ballots)))  # those still to decode and check the ordinary way
    if not ctx.definition.coercion:  # in their canonical JSON, straight from the bytes
        lines: list[bytes] = []
        at: list[int] = []
        for i, raw in enumerate(ballots):
            try:
                lines.append(canonical_bytes(raw))
            except InvalidEncoding:  # not JSON a record could hold: decoded below, for its own error
                continue
            at.append(i)
        read = check_ballot_lines(lines, ctx)
        if read is not None:
            for position, error in read[0]:
                errors[at[position]] = error
            taken = set(at)
            pending = [i for i in pending if i not in taken]
    decoded: list[tuple[int, Any]] = []
    kind = CoercionBallot if ctx.definition.coercion else Ballot
    for i in pending:
        try:
            decoded.append((i, kind.from_json(ballots[i])))
        except VechaError as e:
            errors[i] = e
    items = [(ballot, None) for _, ballot in decoded]
    failed = verify_coercion_ballots(items, ctx) if ctx.definition.coercion else verify_ballots(items, ctx)
    for position, error in failed:
        errors[decoded[position][0]] = error
    return errors


class _Waiting:
    __slots__ = ("job", "raw", "answer")

    def __init__(self, job: Job, raw: dict[str, Any]) -> None:
        self.job, self.raw = job, raw
        self.answer: Future[None] = Future()


class BallotVerifier:
    """`check` a ballot: here (`workers=0`), or on one of `workers` processes, batched under
    load unless `batched` is false (then one ballot per task, as before batches)."""

    def __init__(self, workers: int, batched: bool = True, on_task: Callable[[int], object] | None = None) -> None:
        """`on_task`: told the number of ballots of every task sent to a worker (the metrics)."""
        self.workers = workers
        self.batched = batched
        self._on_task = on_task
        self._pool = process_pool(workers) if workers > 0 else None
        self._jobs: dict[tuple[bytes, bytes], Job] = {}
        # re-entrant: a task that is done already runs its callback (which locks) at once
        self._lock = threading.RLock()
        self._waiting: deque[_Waiting] = deque()
        self._busy = 0  #: tasks on the workers now
        self.batches: deque[int] = deque(maxlen=4096)  #: the sizes of the last tasks sent (the benchmark's)

    def check(self, raw: dict[str, Any], ctx: ElectionContext) -> None:
        """Every check of the ballot that needs no board, in a worker process or here;
        raises the first failure's error."""
        if self._pool is None:
            return _check(raw, ctx)
        # The fingerprint fixes the definition (it is entry 0's hash) but not the joint key.
        key = (ctx.fingerprint, ctx.public_key.encoding)
        job = self._jobs.get(key)
        if job is None:
            job = self._jobs[key] = job_of(ctx)
        if not self.batched:
            if self._on_task is not None:
                self._on_task(1)
            return self._pool.submit(check_submitted, job, raw).result()
        waiting = _Waiting(job, raw)
        with self._lock:
            self._waiting.append(waiting)
            self._dispatch()
        return waiting.answer.result()

    def _dispatch(self) -> None:
        """Send waiting ballots while a worker is free: each task takes the first waiting
        ballot and every other one of its election, up to `MAX_BATCH`. Holds the lock."""
        assert self._pool is not None
        while self._waiting and self._busy < self.workers:
            job = self._waiting[0].job
            taken: list[_Waiting] = []
            kept: deque[_Waiting] = deque()
            while self._waiting:
                w = self._waiting.popleft()
                (taken if w.job == job and len(taken) < MAX_BATCH else kept).append(w)
            self._waiting = kept
            self._busy += 1
            self.batches.append(len(taken))
            if self._on_task is not None:
                self._on_task(len(taken))
            # a lone ballot too: as a batch of one it is read from its bytes, which costs a
            # third of decoding it and checking each proof alone (benchmarks/bench_batch.py)
            task: Future[Any] = self._pool.submit(check_submitted_batch, job, [w.raw for w in taken])
            task.add_done_callback(functools.partial(self._answer, taken=taken))

    def _answer(self, done: Future[Any], *, taken: list[_Waiting]) -> None:
        try:
            errors = done.result()
        except BaseException as e:  # the worker's failure
            for w in taken:
                w.answer.set_exception(e)
        else:
            for w, error in zip(taken, errors, strict=True):
                if error is None:
                    w.answer.set_result(None)
                else:
                    w.answer.set_exception(error)
        with self._lock:
            self._busy -= 1
            self._dispatch()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        with self._lock:
            for w in self._waiting:  # nobody will check them now: their requests fail
                w.answer.set_exception(RuntimeError("the ballot box is shutting down"))
            self._waiting.clear()
