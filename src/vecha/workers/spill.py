"""Large arguments of a worker's task sent through a file instead of a pipe.

A mix of 100k ballots is checked on a worker from about 100 MB of packed rows and proof. Sent
as task arguments, they are pickled into one buffer that the parent holds until a worker
reads it, beside the objects themselves that the pool keeps until the task ends; and the
worker holds the pickle and the objects at once while it unpickles. Spilled, each large
argument is written once to a file of a directory its sender owns and pickles as the file's
name: the parent drops it, the worker reads it back once, and nothing is held twice.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vecha.crypto.rows import PackedRows
from vecha.record.packed_entries import PackedShares

__all__ = ["SPILL_FROM", "Spilled", "spill_arguments"]

SPILL_FROM = 1 << 20  #: arguments at least this large (in bytes) go through a file


def _bytes(data: bytes) -> bytes:
    return data


class Spilled:
    """An argument written to `path`; unpickled (in the worker) as the argument itself."""

    __slots__ = ("path", "rebuild", "extra")

    def __init__(self, path: str, rebuild: Callable[..., Any], extra: tuple[Any, ...]) -> None:
        self.path, self.rebuild, self.extra = path, rebuild, extra

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (_unspill, (self.path, self.rebuild, self.extra))


def _unspill(path: str, rebuild: Callable[..., Any], extra: tuple[Any, ...]) -> Any:
    return rebuild(Path(path).read_bytes(), *extra)


def _parts(value: Any) -> tuple[bytes, Callable[..., Any], tuple[Any, ...]] | None:
    if isinstance(value, PackedRows):
        return value.data, PackedRows, (value.width,)
    if isinstance(value, PackedShares):
        return value.data, PackedShares, (value.rows, value.width)
    if isinstance(value, bytes):
        return value, _bytes, ()
    return None


def _spill(value: Any, directory: str) -> Any:
    parts = _parts(value)
    if parts is None or len(parts[0]) < SPILL_FROM:
        return value
    data, rebuild, extra = parts
    fd, path = tempfile.mkstemp(dir=directory, suffix=".spill")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return Spilled(path, rebuild, extra)


def spill_arguments(task: Callable[[], Any], directory: str) -> Callable[[], Any]:
    """`task` (a `functools.partial`) with its large positional arguments spilled into
    `directory`; anything else is returned as it is. The directory's owner removes it."""
    if not isinstance(task, functools.partial) or task.keywords:
        return task
    return functools.partial(task.func, *(_spill(a, directory) for a in task.args))
