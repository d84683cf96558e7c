"""Worker processes for the shells: the verifier's chunks, the tally, the ballot box's checks.

Each worker starts from a fresh interpreter and dies with its parent; `Workers` is where
chunks of work run: a local pool started on first use, or any executor given (a Dask
cluster's).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from vecha.crypto.group import backend as group_backend
from vecha.crypto.group import use_backend

__all__ = ["Workers", "default_workers", "process_pool", "collect_rarely"]

#: allocations (less deallocations) between two runs of the cycle collector's youngest
#: generation; Python's default is 700
_YOUNG_THRESHOLD = 100_000


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def collect_rarely() -> None:
    """Run the cycle collector rarely in a process that decodes ballots by the thousand.

    A decoded ballot is some 500 objects (points, scalars, branches, tuples) that form no
    reference cycle: reference counting frees every one. With the default threshold the
    collector still runs every 700 allocations, and each run walks all the objects of a
    chunk still held, which cost a quarter of the decoding time (`bench_batch.py`). Cycles
    are still collected, only in larger steps."""
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


def _die_with_parent(parent: int, backend: str, initializer: Callable[..., None] | None, *args: Any) -> None:
    """In each worker: if the parent dies (even by SIGKILL), die too, rather than linger. A
    thread watches for the worker being handed to another parent. (Linux's parent-death signal
    would act at once, but it follows the *thread* that started the worker, not the process: a
    worker started from a request thread was killed when the server retired that idle thread.)"""
    if os.getppid() != parent:  # the parent died before this ran
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()
    use_backend(backend)  # the parent's choice: a fresh interpreter would take the default
    collect_rarely()
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
        initargs=(os.getpid(), group_backend(), initializer, *initargs),
    )
    # A `spawn` pool starts a worker on a submit only while none is idle: submitting one task
    # per worker before any can finish starts them all.
    for started in [pool.submit(int) for _ in range(workers)]:
        started.result()
    return pool


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
