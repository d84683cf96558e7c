"""The costly checks of a submitted ballot (decoding, shape, signature, then proofs), in
worker processes; the server's own process does not decode the ballot at all.

Verification is pure Python around libsodium calls, so threads would queue on the
interpreter lock; processes use every core. A worker keeps the context of each election it
has seen (keyed by everything it depends on), so a request only carries the ballot. With `workers=0` the
checks run in the calling thread (tests, tiny deployments).
"""

from __future__ import annotations

from typing import Any

from vecha.election.context import ElectionContext
from vecha.verify.parallel import Job, Verdict, check_submitted, decode_and_check, job_of, process_pool

__all__ = ["BallotVerifier"]


class BallotVerifier:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = process_pool(workers) if workers > 0 else None
        self._jobs: dict[tuple[bytes, bytes], Job] = {}

    def check(self, raw: dict[str, Any], ctx: ElectionContext) -> Verdict:
        """Every check of the ballot that needs no board: in a worker process, or here."""
        if self._pool is None:
            return decode_and_check(raw, ctx)
        # The fingerprint fixes the definition (it is entry 0's hash) but not the joint key.
        key = (ctx.fingerprint, ctx.public_key.encoding)
        job = self._jobs.get(key)
        if job is None:
            job = self._jobs[key] = job_of(ctx)
        return self._pool.submit(check_submitted, job, raw).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
