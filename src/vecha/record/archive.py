"""The exported election record: a directory of JSON files (spec §8.5).

    record.json        {"version", "election", "fingerprint", "entries", "head"}
    board.jsonl        one entry per line, each line its canonical JSON, in index order
    checkpoints.json   the board's signed checkpoints, ascending heights, the last at the head
    result.json        (once published) a copy of the result entry's payload, for readers

Reading is streaming: `iter_board` yields one entry at a time, so a verifier never holds
the whole board in memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from vecha.crypto.encoding import hex_bytes
from vecha.election.ballot import Ballot, tracker_of_canonical
from vecha.election.packed_ballots import Layout
from vecha.errors import InvalidBallot, InvalidEncoding, RecordError
from vecha.record.checkpoint import Checkpoint
from vecha.record.entries import RECORD_VERSION, Entry, EntryType, parse_entry

__all__ = [
    "find_tracker",
    "RecordWriter",
    "RecordHeader",
    "read_header",
    "iter_board",
    "iter_board_lines",
    "read_checkpoints",
    "write_json",
    "read_json_file",
    "read_checkpoint_file",
    "BOARD",
    "CHECKPOINTS",
    "HEADER",
    "RESULT",
]

BOARD = "board.jsonl"
CHECKPOINTS = "checkpoints.json"
HEADER = "record.json"
RESULT = "result.json"


def write_json(path: Path, value: Any) -> None:
    """Write readable JSON atomically (temporary file, fsync, rename); a value given as bytes
    is its JSON already (a large entry's canonical JSON, made without objects), written as is."""
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(value, bytes):
        with open(tmp, "wb") as raw:
            raw.write(value)
            raw.flush()
            os.fsync(raw.fileno())
    else:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json_file(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(f"{what}: {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RecordError(f"{what}: cannot read {path}: {e}") from None
    try:
        return json.loads(text, parse_float=_no_float, parse_constant=_no_float)
    except (json.JSONDecodeError, InvalidEncoding) as e:
        raise RecordError(f"{what}: {path} is not valid JSON: {e}") from None


def _no_float(text: str) -> Any:
    raise InvalidEncoding("floating-point numbers are not allowed")


class RecordWriter:
    """Writes a record directory from a stream of entries (all or nothing: a temp dir is renamed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, entries: Iterable[Entry], checkpoints: list[Checkpoint], result: dict[str, Any] | None) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        count, head, election, fingerprint = 0, b"", "", b""
        board_tmp = self.directory / (BOARD + ".tmp")
        with open(board_tmp, "wb") as f:
            for entry in entries:
                f.write(entry.canonical() + b"\n")
                head = entry.hash()
                if count == 0:
                    election, fingerprint = entry.election, head
                count += 1
            f.flush()
            os.fsync(f.fileno())
        os.replace(board_tmp, self.directory / BOARD)
        write_json(self.directory / CHECKPOINTS, [c.to_json() for c in checkpoints])
        if result is not None:
            write_json(self.directory / RESULT, result)
        elif (self.directory / RESULT).exists():
            (self.directory / RESULT).unlink()
        write_json(
            self.directory / HEADER,
            {
                "version": RECORD_VERSION,
                "election": election,
                "fingerprint": fingerprint.hex(),
                "entries": count,
                "head": head.hex(),
            },
        )
        return count


class RecordHeader:
    def __init__(self, obj: Any) -> None:
        keys = {"version", "election", "fingerprint", "entries", "head"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise RecordError(f"{HEADER}: expected the fields {sorted(keys)}")
        if obj["version"] != RECORD_VERSION:
            raise RecordError(f"{HEADER}: unsupported version {obj['version']!r}")
        n = obj["entries"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise RecordError(f"{HEADER}: entries must be a positive integer")
        try:
            self.fingerprint = hex_bytes(obj["fingerprint"], 32, "fingerprint")
            self.head = hex_bytes(obj["head"], 32, "head")
        except InvalidEncoding as e:
            raise RecordError(f"{HEADER}: {e}") from None
        self.election = str(obj["election"])
        self.entries = n


def read_header(directory: Path) -> RecordHeader:
    if not directory.is_dir():
        raise RecordError(f"{directory} is not a record directory")
    return RecordHeader(read_json_file(directory / HEADER, HEADER))


def iter_board(directory: Path, layout: Callable[[], Layout | None] | None = None) -> Iterator[Entry]:
    """The board's entries in order. `layout`: asked before each line, the election's ballot
    layout once it is known, with which ballots are read packed (a verifier's reading)."""
    path = directory / BOARD
    if not path.exists():
        raise RecordError(f"{BOARD} is missing")
    with open(path, "rb") as f:
        # not `enumerate(f)`: its result tuple, kept for reuse, would hold the last line (a
        # mix's: some 100 MB, beside the entry's own copy) until the next one is read
        index = 0
        while line := f.readline():
            if not line.endswith(b"\n"):
                raise RecordError(f"entry {index}: the last line of {BOARD} is not terminated", index)
            # the line is let go of as soon as it is copied without its newline, and neither
            # copy nor entry is kept here while the caller works and the next line is read:
            # a mix's line is some 100 MB
            raw = line[:-1]
            del line
            entry = parse_entry(raw, index, layout() if layout is not None else None)
            del raw
            yield entry
            del entry
            index += 1


def iter_board_lines(directory: Path) -> Generator[tuple[int, bytes], None, None]:
    """(index, line) for every entry, unparsed: for a second pass over a board that the first
    pass has checked."""
    with open(directory / BOARD, "rb") as f:
        yield from enumerate(f)


def read_checkpoints(directory: Path) -> list[Checkpoint]:
    return read_checkpoint_file(directory / CHECKPOINTS)


def read_checkpoint_file(path: Path) -> list[Checkpoint]:
    """A JSON list of checkpoints (a record's `checkpoints.json`, or what an observer kept)."""
    raw = read_json_file(path, path.name)
    if not isinstance(raw, list) or not raw:
        raise RecordError(f"{path.name}: expected a non-empty list of checkpoints")
    try:
        cps = [Checkpoint.from_json(c) for c in raw]
    except InvalidEncoding as e:
        raise RecordError(f"{path.name}: {e}") from None
    heights = [c.height for c in cps]
    if heights != sorted(set(heights)):
        raise RecordError(f"{path.name}: heights must be strictly increasing")
    return cps


def find_tracker(directory: Path, tracker: str) -> tuple[int, bool | None]:
    """(board index, whether it counts) of the ballot with this tracking code in a record;
    in a coercion-resistant election whether it counts is None: no single ballot shows it.

    Only looks the ballot up; `vecha verify` is what checks the record."""
    found: int | None = None
    credential = b""
    last: dict[bytes, int] = {}
    coercion = False
    for entry in iter_board(directory):
        if entry.type is EntryType.ELECTION:
            coercion = entry.payload.get("definition", {}).get("coercion") is True
        elif entry.type is EntryType.BALLOT and coercion:
            if tracker_of_canonical(entry.ballot_bytes()) == tracker:
                return entry.index, None
        elif entry.type is EntryType.BALLOT:
            ballot = Ballot.from_json(entry.payload["ballot"])
            last[ballot.credential.encoding] = entry.index
            if found is None and ballot.tracker() == tracker:
                found, credential = entry.index, ballot.credential.encoding
    if found is None:
        raise InvalidBallot("no ballot with this tracking code is in the record")
    return found, last[credential] == found
