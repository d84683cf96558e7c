"""What a worker needs to check ballots of an election, sent with each task, and the
contexts a worker builds from it (once per process and job)."""

from __future__ import annotations

from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.group import Point
from vecha.election.context import ElectionContext
from vecha.election.definition import parse_definition

__all__ = ["Job", "job_of", "context_of"]

#: (fingerprint, canonical definition, joint key): everything a worker's context depends on
Job = tuple[bytes, bytes, bytes]

#: contexts built in this worker, keyed by the whole job: a worker may serve several records
#: (a Dask cluster's), and two records can share a first entry and differ in their ceremony
_contexts: dict[Job, ElectionContext] = {}
_CONTEXTS_KEPT = 16


def job_of(context: ElectionContext) -> Job:
    definition = canonical_bytes(context.definition.model_dump(mode="json"))
    return context.fingerprint, definition, context.public_key.encoding


def context_of(job: Job) -> ElectionContext:
    """The context, built once per worker process and job (a worker may be shared, as in a
    Dask cluster, so nothing is set up in advance)."""
    ctx = _contexts.get(job)
    if ctx is None:
        fingerprint, definition, key = job
        if len(_contexts) >= _CONTEXTS_KEPT:
            _contexts.clear()
        ctx = _contexts[job] = ElectionContext(
            fingerprint, parse_definition(parse_canonical(definition)), Point.from_bytes(key)
        )
    return ctx
