"""The costly checks of a submitted ballot (signature, then proofs), in worker processes.

Verification is pure Python around libsodium calls, so threads would queue on the
interpreter lock; processes use every core. A worker keeps the context of each election it
has seen (keyed by fingerprint), so a request only carries the ballot. With `workers=0` the
checks run in the calling thread (tests, tiny deployments).
"""

from __future__ import annotations

from typing import Any

from vecha.crypto.errors import InvalidEncoding, InvalidProof, VechaError
from vecha.crypto.group import Point
from vecha.election.ballot import Ballot, check_ballot_shape, verify_ballot_proofs, verify_signature
from vecha.election.context import ElectionContext
from vecha.election.manifest import parse_manifest
from vecha.verify.parallel import process_pool

__all__ = ["BallotVerifier", "check_ballot_costly"]

#: (error code, message), or None when the ballot is valid
Verdict = tuple[str, str] | None

_contexts: dict[bytes, ElectionContext] = {}


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


def _in_worker(fingerprint: bytes, definition: dict[str, Any], key: bytes, ballot: dict[str, Any]) -> Verdict:
    ctx = _contexts.get(fingerprint)
    if ctx is None:
        ctx = _contexts[fingerprint] = ElectionContext(fingerprint, parse_manifest(definition), Point.from_bytes(key))
    try:
        parsed = Ballot.from_json(ballot)
    except InvalidEncoding as e:  # already decoded once by the server: cannot happen, but say so if it does
        return "invalid-encoding", str(e)
    return check_ballot_costly(parsed, ctx)


class BallotVerifier:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = process_pool(workers) if workers > 0 else None
        self._definitions: dict[bytes, dict[str, Any]] = {}

    def check(self, ballot: Ballot, raw: dict[str, Any], ctx: ElectionContext) -> Verdict:
        if self._pool is None:
            return check_ballot_costly(ballot, ctx)
        definition = self._definitions.get(ctx.fingerprint)
        if definition is None:
            definition = self._definitions[ctx.fingerprint] = ctx.manifest.model_dump(mode="json")
        future = self._pool.submit(_in_worker, ctx.fingerprint, definition, ctx.public_key.encoding, raw)
        return future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
