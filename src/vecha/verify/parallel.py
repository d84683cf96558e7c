"""Ballot proofs checked in a process pool, in chunks, while the board is read (spec §10).

The board's rules are sequential, but a ballot's signature and proofs depend only on the
election (fingerprint, definition, joint key) and the ballot itself, so they are checked by
worker processes. At most a few chunks are in flight, which bounds memory whatever the
number of ballots.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from vecha.crypto.errors import VechaError
from vecha.crypto.group import Point
from vecha.election.ballot import Ballot, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.manifest import parse_manifest

__all__ = ["BallotProofPool", "default_workers", "process_pool"]

CHUNK = 32
Failure = tuple[int, str]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _die_with_parent(initializer: Callable[..., None] | None, *args: Any) -> None:
    """In each worker: if the parent dies (even by SIGKILL), die too, rather than linger."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the line above ran
            os._exit(1)
    if initializer is not None:
        initializer(*args)


def process_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """Worker processes that start from a fresh interpreter (`spawn`), so that they inherit
    none of the parent's open files: a forked worker would keep the parent's database
    connection, and with it the parent's locks, open after the parent is killed. Each worker
    dies with its parent. The workers are started here, by the calling thread (Linux ties the
    parent-death signal to the thread that started the child): create pools from a thread
    that lives as long as the pool, such as the main thread."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(initializer, *initargs),
    )
    pool.submit(int).result()  # with `spawn`, the first task starts every worker
    return pool


_context: ElectionContext | None = None


def _init(fingerprint: bytes, definition: dict[str, Any], key: bytes) -> None:
    global _context
    _context = ElectionContext(fingerprint, parse_manifest(definition), Point.from_bytes(key))


def _check_chunk(chunk: list[tuple[int, dict[str, Any]]]) -> list[Failure]:
    assert _context is not None
    failures = []
    for index, obj in chunk:
        try:
            verify_ballot(Ballot.from_json(obj), _context)
        except VechaError as e:
            failures.append((index, str(e)))
    return failures


class BallotProofPool:
    """Collects ballots, checks them in `workers` processes, reports failures by board index."""

    def __init__(self, context: ElectionContext, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor = process_pool(
            self.workers,
            _init,
            (context.fingerprint, context.manifest.model_dump(mode="json"), context.public_key.encoding),
        )
        self._chunk: list[tuple[int, dict[str, Any]]] = []
        self._in_flight: deque[Future[list[Failure]]] = deque()
        self.failures: list[Failure] = []

    def submit(self, index: int, ballot: dict[str, Any]) -> None:
        self._chunk.append((index, ballot))
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            self._in_flight.append(self._executor.submit(_check_chunk, self._chunk))
            self._chunk = []
        while len(self._in_flight) > 2 * self.workers:
            self.failures += self._in_flight.popleft().result()

    def finish(self) -> list[Failure]:
        """Wait for every ballot; the failures, sorted by board index."""
        self._flush()
        while self._in_flight:
            self.failures += self._in_flight.popleft().result()
        self._executor.shutdown()
        return sorted(self.failures)

    def abandon(self) -> list[Failure]:
        """Stop after a failure elsewhere; return what failed among the ballots already checked."""
        self._flush()
        done = [f.result() for f in self._in_flight if not f.cancel()]
        self._executor.shutdown(cancel_futures=True)
        return sorted(self.failures + [x for d in done for x in d])
