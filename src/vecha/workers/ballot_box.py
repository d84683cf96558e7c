"""The ballot box's costly checks of a submitted ballot (decoding, shape, signature, then
proofs), in worker processes; the server's own process does not decode the ballot at all.

Verification is pure Python around libsodium calls, so threads would queue on the
interpreter lock; processes use every core. A worker keeps the context of each election it
has seen (keyed by everything it depends on), so a request only carries the ballot. With
`workers=0` the checks run in the calling thread (tests, tiny deployments).

A failed check raises its own error (`InvalidEncoding`, `InvalidBallot` for the shape,
`InvalidSignature`, `InvalidProof`), from the worker to the caller; this module and the
ones it names are all that a worker imports.
"""

from __future__ import annotations

from typing import Any

from vecha.election.ballot import Ballot, verify_ballot
from vecha.election.coercion_ballot import CoercionBallot, verify_coercion_ballot
from vecha.election.context import ElectionContext
from vecha.workers.jobs import Job, context_of, job_of
from vecha.workers.pool import process_pool

__all__ = ["BallotVerifier", "check_submitted"]


def check_submitted(job: Job, ballot: dict[str, Any]) -> None:
    """Decode a submitted ballot (points valid, scalars canonical), then check its shape, its
    signature and its proofs, in that order: the first that fails raises."""
    _check(ballot, context_of(job))


def _check(ballot: dict[str, Any], ctx: ElectionContext) -> None:
    if ctx.definition.coercion:
        verify_coercion_ballot(CoercionBallot.from_json(ballot), ctx)
    else:
        verify_ballot(Ballot.from_json(ballot), ctx)


class BallotVerifier:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = process_pool(workers) if workers > 0 else None
        self._jobs: dict[tuple[bytes, bytes], Job] = {}

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
        return self._pool.submit(check_submitted, job, raw).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
