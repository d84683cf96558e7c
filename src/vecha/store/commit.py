"""Appending to a board in batches: an entry waiting for its transaction, and group commit
(concurrent ballots share one transaction, so one disk flush)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vecha.record.entries import Entry, EntryType

__all__ = ["Pending", "AlreadyThere", "GroupCommit"]


class AlreadyThere(Exception):
    """The ballot being appended is on the board already (another client sent it first)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"already on the board at {index}")
        self.index = index


@dataclass
class Pending:
    """An entry waiting to be appended, and then its outcome."""

    kind: EntryType
    #: or made under the lock, after the entries before it; or, for a large mix, its canonical
    #: JSON as the trustee sent it (the entry is then read packed, `Ledger.next_entry_canonical`)
    payload: dict[str, Any] | Callable[[], dict[str, Any]] | bytes
    time: str | None = None
    checkpoint: bool = False
    checked_ballot: tuple[bytes, str] | None = None  #: (credential, tracker)
    signatures_checked: bool = False  #: a signed credential whose registrar signatures were just verified
    precheck: Callable[[], None] | None = None
    #: runs on the entry once made, before the board's rules (who may post it)
    entry_check: Callable[[Entry], None] | None = None
    entry: Entry | None = None
    error: Exception | None = None
    done: bool = False
    lead: bool = False  #: this caller commits the next batch (group commit)
    wake: threading.Event = field(default_factory=threading.Event)


class GroupCommit:
    """Group commit: concurrent entries are appended together in one transaction. The first
    caller to find no batch running leads: it takes everything queued and commits it, then
    hands the lead to the first caller that queued meanwhile. The others sleep on their own
    event until their entry is committed (or until it is their turn to lead): each still
    returns only after its own entry is committed, and no commit wakes more threads than it
    concerns."""

    def __init__(self, commit_batch: Callable[[list[Pending]], None]) -> None:
        self._commit_batch = commit_batch
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._committing = False

    def append(self, item: Pending) -> None:
        with self._queue_lock:
            self._queue.append(item)
            if not self._committing:
                self._committing = item.lead = True
        if not item.lead:
            item.wake.wait()
            if item.done:
                return
        with self._queue_lock:
            batch, self._queue = self._queue, []
        try:
            self._commit_batch(batch)
        finally:
            for done in batch:
                done.done = True
                done.wake.set()
            with self._queue_lock:
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.wake.set()
                else:
                    self._committing = False
