"""Backup and restore of one election's store, while it runs.

A backup is JSON lines, read in one transaction (a consistent snapshot, even while ballots
arrive): a header with the board's signing seed, every entry exactly as stored (its canonical
form), the signed checkpoints, the trustees' staged ceremony messages, the election's tokens
(their hashes only) and audit log, and a last line with the counts and the head, so that a
cut-off file is refused. The ballot index is not in it: it follows from the entries.

Restoring replays every entry through the board's rules (the hash chain, the phases, who may
append what) before writing anything, then writes it all in one transaction into a store
that does not hold this election yet. A backup of the restored store is byte for byte the
backup it was made from.

The file holds the board's signing seed: keep it as safe as the server itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from vecha.election.ballot import tracker_of_json
from vecha.errors import ElectionError, InvalidEncoding, InvalidProof, RecordError
from vecha.record.checkpoint import BoardKey, Checkpoint
from vecha.record.entries import Entry, EntryType
from vecha.record.ledger import Ledger
from vecha.store.db import writing
from vecha.store.schema import audit, ballots, ceremony, checkpoints, elections, entries, tokens

__all__ = ["BACKUP_FORMAT", "BackupSummary", "backup", "restore"]

BACKUP_FORMAT = "vecha-backup/1"


@dataclass(frozen=True)
class BackupSummary:
    election: str
    entries: int
    checkpoints: int
    head: str


def _line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def backup(engine: Engine, election_id: str, write: Callable[[str], Any]) -> BackupSummary:
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        seed = conn.execute(select(elections.c.board_seed).where(elections.c.id == election_id)).scalar()
        if seed is None:
            raise ElectionError(f"no election {election_id!r} in this store")
        write(_line({"format": BACKUP_FORMAT, "election": election_id, "board_seed": bytes(seed).hex()}))
        n, head = 0, ""
        rows = conn.execute(
            select(entries.c.body, entries.c.hash).where(entries.c.election_id == election_id).order_by(entries.c.idx)
        )
        for body, digest in rows:
            write(_line({"entry": bytes(body).decode("utf-8")}))
            n, head = n + 1, bytes(digest).hex()
        cps = conn.execute(
            select(checkpoints).where(checkpoints.c.election_id == election_id).order_by(checkpoints.c.height)
        ).all()
        for cp in cps:
            write(_line({"checkpoint": {"height": cp.height, "head": cp.head.hex(), "signature": cp.signature.hex()}}))
        staged = conn.execute(
            select(ceremony).where(ceremony.c.election_id == election_id).order_by(ceremony.c.kind, ceremony.c.trustee)
        )
        for row in staged:
            write(_line({"ceremony": {"kind": row.kind, "trustee": row.trustee, "body": bytes(row.body).decode()}}))
        for row in conn.execute(select(tokens).where(tokens.c.election_id == election_id).order_by(tokens.c.hash)):
            token = {
                "hash": row.hash.hex(),
                "role": row.role,
                "trustee": row.trustee,
                "label": row.label,
                "created": row.created,
            }
            write(_line({"token": token}))
        for row in conn.execute(select(audit).where(audit.c.election_id == election_id).order_by(audit.c.id)):
            write(_line({"audit": {"time": row.time, "actor": row.actor, "action": row.action, "detail": row.detail}}))
        summary = BackupSummary(election_id, n, len(cps), head)
        write(_line({"end": {"entries": n, "checkpoints": len(cps), "head": head}}))
    return summary


def _parse(lines: Iterable[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header: dict[str, Any] | None = None
    items: list[dict[str, Any]] = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError:
            raise RecordError(f"backup line {number}: not JSON") from None
        if not isinstance(obj, dict) or len(obj) != (3 if header is None else 1):
            raise RecordError(f"backup line {number}: not a backup record")
        if header is None:
            if obj.get("format") != BACKUP_FORMAT or set(obj) != {"format", "election", "board_seed"}:
                raise RecordError(f"not a Vecha backup (expected format {BACKUP_FORMAT})")
            header = obj
            continue
        items.append(obj)
    if header is None or not items or "end" not in items[-1]:
        raise RecordError("the backup is incomplete (its last line is missing)")
    return header, items


#: The fields of each kind of side record, and their types (None: may be null).
_SIDE_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "checkpoint": {"height": (int,), "head": (str,), "signature": (str,)},
    "ceremony": {"kind": (str,), "trustee": (int,), "body": (str,)},
    "token": {"hash": (str,), "role": (str,), "trustee": (int, type(None)), "label": (str,), "created": (str,)},
    "audit": {"time": (str,), "actor": (str,), "action": (str,), "detail": (str,)},
    "end": {"entries": (int,), "checkpoints": (int,), "head": (str,)},
}


def _check_fields(kind: str, value: Any) -> None:
    if kind == "entry":
        if not isinstance(value, str):
            raise RecordError("a backed-up entry is its canonical JSON, as a string")
        return
    spec = _SIDE_FIELDS[kind]
    if not isinstance(value, dict) or set(value) != set(spec):
        raise RecordError(f"a backed-up {kind} has the fields {sorted(spec)}")
    for name, types in spec.items():
        if not isinstance(value[name], types) or isinstance(value[name], bool):
            raise RecordError(f"a backed-up {kind}: {name} has the wrong type")
    if kind == "token" and len(bytes.fromhex(value["hash"])) != 32:
        raise RecordError("a backed-up token's hash is 32 bytes")


def restore(engine: Engine, lines: Iterable[str]) -> BackupSummary:
    """Check a backup against the board's rules, then write it into `engine` (which must not
    hold the election yet). Raises `RecordError` and writes nothing if anything is wrong."""
    header, items = _parse(lines)
    election_id = header["election"]
    if not isinstance(election_id, str) or not isinstance(header["board_seed"], str):
        raise RecordError("the backup's header is damaged")
    try:
        seed = bytes.fromhex(header["board_seed"])
        kinds: dict[str, list[Any]] = {k: [] for k in ("entry", "checkpoint", "ceremony", "token", "audit", "end")}
        for item in items:
            ((kind, value),) = item.items()
            if kind not in kinds:
                raise RecordError(f"unknown backup record {kind!r}")
            _check_fields(kind, value)
            kinds[kind].append(value)
        ledger = Ledger(check_proofs=False)
        parsed: list[Entry] = []
        for body in kinds["entry"]:
            entry = Entry.from_canonical(body.encode("utf-8"))
            if entry.election != election_id:
                raise RecordError(f"entry {entry.index} is for election {entry.election!r}")
            ledger.apply(entry)  # the hash chain and the board's rules
            parsed.append(entry)
        key = BoardKey(seed)
        if parsed and key.public != ledger.defined().board_key:
            raise RecordError("the backup's signing seed is not the board key of entry 0")
        for cp in kinds["checkpoint"]:
            checkpoint = Checkpoint(
                election_id, cp["height"], bytes.fromhex(cp["head"]), bytes.fromhex(cp["signature"])
            )
            checkpoint.verify(key.public)
            if not 1 <= checkpoint.height <= len(parsed) or parsed[checkpoint.height - 1].hash() != checkpoint.head:
                raise RecordError(f"the checkpoint at height {checkpoint.height} does not match the entries")
    except (InvalidEncoding, InvalidProof, ValueError, TypeError, KeyError) as e:
        raise RecordError(f"the backup is damaged: {e}") from None
    end = kinds["end"][-1]
    head = ledger.head.hex() if parsed else ""
    if end != {"entries": len(parsed), "checkpoints": len(kinds["checkpoint"]), "head": head} or len(kinds["end"]) != 1:
        raise RecordError("the backup's last line does not match its contents")
    try:
        _write(engine, election_id, seed, parsed, kinds)
    except (IntegrityError, DataError) as e:  # duplicated side records, values out of range
        raise RecordError(f"the backup's records do not fit the store: {e.orig}") from None
    return BackupSummary(election_id, len(parsed), len(kinds["checkpoint"]), head)


def _write(engine: Engine, election_id: str, seed: bytes, parsed: list[Entry], kinds: dict[str, list[Any]]) -> None:
    with writing(engine) as conn:
        if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first() is not None:
            raise ElectionError(f"this store already holds election {election_id!r}")
        conn.execute(insert(elections).values(id=election_id, board_seed=seed))
        for entry in parsed:
            conn.execute(
                insert(entries).values(
                    election_id=election_id,
                    idx=entry.index,
                    type=entry.type.value,
                    time=entry.time,
                    body=entry.canonical(),
                    hash=entry.hash(),
                )
            )
            if entry.type is EntryType.BALLOT:
                ballot = entry.payload["ballot"]
                conn.execute(
                    insert(ballots).values(
                        election_id=election_id,
                        tracker=tracker_of_json(ballot),
                        credential=bytes.fromhex(ballot["credential"]),
                        idx=entry.index,
                        time=entry.time,
                        channel=entry.payload["channel"],
                    )
                )
        for cp in kinds["checkpoint"]:
            conn.execute(
                insert(checkpoints).values(
                    election_id=election_id,
                    height=cp["height"],
                    head=bytes.fromhex(cp["head"]),
                    signature=bytes.fromhex(cp["signature"]),
                )
            )
        for row in kinds["ceremony"]:
            conn.execute(insert(ceremony).values(election_id=election_id, **{**row, "body": row["body"].encode()}))
        for t in kinds["token"]:
            conn.execute(insert(tokens).values(election_id=election_id, **{**t, "hash": bytes.fromhex(t["hash"])}))
        for a in kinds["audit"]:
            conn.execute(insert(audit).values(election_id=election_id, **a))
