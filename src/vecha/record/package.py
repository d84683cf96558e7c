"""The election package (spec §8.7): what trustees and voters need, checked like a record.

It is the board's first entries, from the definition through the joint key, as
``{"version": 3, "entries": [entry, …]}``. Whoever loads it re-runs the board rules over
those entries, so the fingerprint and the joint key it yields are the ones on the board.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vecha.election.context import ElectionContext
from vecha.errors import InvalidEncoding, RecordError
from vecha.record.entries import RECORD_VERSION, Entry, EntryType
from vecha.record.ledger import Ledger

__all__ = ["make_package", "load_package", "setup_ledger"]


def make_package(entries: Iterable[Entry]) -> dict[str, Any]:
    out = []
    for e in entries:
        out.append(e.to_json())
        if e.type is EntryType.JOINT_KEY:
            break
    return {"version": RECORD_VERSION, "entries": out}


def setup_ledger(package: Any) -> Ledger:
    """Replay a package (or any prefix of the board given as a list of entry objects)."""
    if not isinstance(package, dict) or set(package) != {"version", "entries"} or package["version"] != RECORD_VERSION:
        raise RecordError("not an election package (expected version 3 and entries)")
    if not isinstance(package["entries"], list) or not package["entries"]:
        raise RecordError("the election package has no entries")
    ledger = Ledger()
    for i, obj in enumerate(package["entries"]):
        try:
            entry = Entry.from_json(obj)
        except InvalidEncoding as e:
            raise RecordError(f"package entry {i}: {e}") from None
        ledger.apply(entry)
    return ledger


def load_package(package: Any) -> ElectionContext:
    """The context for making ballots; fails unless the package reaches the joint key."""
    ledger = setup_ledger(package)
    if ledger.keyed is None:
        raise RecordError("the election package stops before the trustees' joint key")
    return ledger.context()
