"""The zipped record that `GET /record` serves, made once per signed checkpoint.

Anyone may ask for the record, so a request must cost the server little and write nothing
to the board: the record served is the board up to its latest signed checkpoint (the box
signs one at every phase change and every 1000 entries; an organizer can ask for one at the
head, `POST …/checkpoint`), zipped once into a cache directory and then streamed from the
file to every later request. At most `builds` zips are made at a time; a request that would
wait longer than `wait` seconds for one gets 503 `busy`. When a newer checkpoint's zip is
made, the older one of that election is deleted, so the cache holds one zip per election.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from vecha.record.archive import RecordWriter
from vecha.record.ledger import Phase
from vecha.server.errors import ApiError
from vecha.store.board import Board

__all__ = ["RecordCache"]


class RecordCache:
    def __init__(self, directory: Path | None = None, builds: int = 2, wait: float = 30.0) -> None:
        self._own = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix="vecha-records-")) if directory is None else directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._builds = threading.BoundedSemaphore(builds)
        self._wait = wait
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_of(self, election_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(election_id, threading.Lock())

    def zip_for(self, board: Board) -> Path:
        """The zip of the record at the board's latest checkpoint (made now if it is not yet)."""
        checkpoints = board.checkpoints()
        if not checkpoints:
            raise ApiError(409, "no-checkpoint", "the board has no signed checkpoint yet")
        height = checkpoints[-1].height
        path = self.directory / f"{board.election_id}-{height}.zip"
        if path.exists():
            return path
        with self._lock_of(board.election_id):  # one build per election; the others wait for it
            if path.exists():
                return path
            if not self._builds.acquire(timeout=self._wait):
                raise ApiError(503, "busy", "the ballot box is preparing other records; try again shortly", 5.0)
            try:
                self._build(board, height, path)
            finally:
                self._builds.release()
            for old in self.directory.glob(f"{board.election_id}-*.zip"):
                if old != path:
                    old.unlink(missing_ok=True)
        return path

    def _build(self, board: Board, height: int, path: Path) -> None:
        work = Path(tempfile.mkdtemp(prefix="build-", dir=self.directory))
        try:
            board.refresh()
            ledger = board.ledger
            # the result entry is the board's last, and the box signs a checkpoint after it
            result = ledger.result if ledger.phase is Phase.DONE and ledger.height == height else None
            directory = work / "record"
            checkpoints = [c for c in board.checkpoints() if c.height <= height]
            RecordWriter(directory).write(board.entries(0, height), checkpoints, result)
            tmp = work / "record.zip"
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for f in sorted(directory.iterdir()):
                    z.write(f, f.name)
            os.replace(tmp, path)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def close(self) -> None:
        if self._own:
            shutil.rmtree(self.directory, ignore_errors=True)
