"""Backup and restore of a running election's store: taken while ballots arrive, restored
into an empty store, it is the same board (byte for byte the same backup again), and the
restored ballot box goes on: new ballots, receipts signed by the same key, the same tokens.
A damaged or cut-off backup is refused and writes nothing."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine

from vecha.cli.main import main
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.errors import ElectionError, RecordError
from vecha.record.entries import EntryType
from vecha.store.backup import backup, restore
from vecha.store.board import Board, election_ids
from vecha.store.db import open_store
from vecha.store.tokens import Role, audit_log_of, authenticate, create_token, record_action
from vecha.testing.records import build_election

pytestmark = pytest.mark.slow


def dump(engine: Engine, election: str) -> str:
    out = io.StringIO()
    backup(engine, election, out.write)
    return out.getvalue()


def test_backup_while_voting_and_restore(tmp_path: Path, store_url: str) -> None:
    built = build_election(tmp_path, voters=8, stop_after=EntryType.OPEN, store=store_url)
    board, ctx = built.board, built.context
    eid = board.election_id
    token = create_token(board.engine, Role.ORGANIZER, "organizer", eid)
    record_action(board.engine, authenticate(board.engine, token), eid, "open", "opened by hand")
    ballots = [
        encrypt_ballot(
            ctx,
            Credential.from_code(code, ctx.fingerprint),
            selections_from_labels(ctx.definition, {"council": ["South"], "yesno": ["No"]}),
        ).ballot.to_json()
        for code in built.codes[4:]
    ]

    # a backup taken while ballots arrive is a consistent snapshot (a prefix of the board)
    casting = threading.Thread(target=lambda: [board.cast(b) for b in ballots])
    casting.start()
    during = dump(board.engine, eid)
    casting.join()
    target = open_store(str(tmp_path / "restored-during.sqlite"))
    restored = restore(target, io.StringIO(during).readlines())
    assert 13 <= restored.entries <= board.ledger.height
    assert Board(target, eid).ledger.head == list(board.entries())[restored.entries - 1].hash()

    # the finished backup restores to the same board, and backs up to the same bytes
    original = dump(board.engine, eid)
    target = open_store(str(tmp_path / "restored.sqlite"))
    summary = restore(target, io.StringIO(original))
    assert summary.entries == board.ledger.height and summary.head == board.ledger.head.hex()
    assert dump(target, eid) == original
    again = Board(target, eid)
    assert again.ledger.head == board.ledger.head and again.ledger.ballots == 4 + len(ballots)
    assert authenticate(target, token).role is Role.ORGANIZER  # the tokens came along (as hashes)
    assert [a["action"] for a in audit_log_of(target, eid)] == ["create-token", "open"]

    # the restored ballot box goes on, signing with the same key
    cred = Credential.from_code(built.codes[0], ctx.fingerprint)
    late = encrypt_ballot(ctx, cred, selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["Yes"]}))
    receipt = again.cast(late.ballot.to_json())
    receipt.verify(board.ledger.defined().board_key)
    assert again.find_tracker(receipt.tracker) == (receipt.index, True)

    # restoring twice is refused
    with pytest.raises(ElectionError, match="already holds"):
        restore(target, io.StringIO(original))


def test_a_damaged_backup_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    built = build_election(tmp_path, voters=4, stop_after=EntryType.OPEN)
    eid = built.board.election_id
    lines = io.StringIO(dump(built.board.engine, eid)).readlines()
    ballot_line = next(i for i, line in enumerate(lines) if '\\"type\\":\\"ballot\\"' in line)

    def tampered() -> list[str]:
        entry = json.loads(json.loads(lines[ballot_line])["entry"])
        entry["time"] = "2030-01-01T00:00:00Z"  # any change breaks the hash chain
        out = list(lines)
        out[ballot_line] = json.dumps({"entry": json.dumps(entry, sort_keys=True, separators=(",", ":"))}) + "\n"
        return out

    cases = {
        "cut off": lines[:-1],
        "an entry changed": tampered(),
        "an entry dropped": lines[:ballot_line] + lines[ballot_line + 1 :],
        "not a backup": ['{"hello": 1}\n'],
        "another format": [lines[0].replace("vecha-backup/1", "vecha-backup/9"), *lines[1:]],
        "garbage line": [*lines[:3], "{not json\n", *lines[3:]],
    }
    for name, damaged in cases.items():
        target = open_store(str(tmp_path / f"{name.replace(' ', '-')}.sqlite"))
        with pytest.raises(RecordError):
            restore(target, damaged)
        assert election_ids(target) == [], name


def test_backup_and_restore_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = build_election(tmp_path, voters=4, stop_after=EntryType.OPEN)
    db = tmp_path / "box.sqlite"
    eid = built.board.election_id
    assert main(["backup", "--db", str(db), "--id", eid, "--out", str(tmp_path / "b.jsonl")]) == 0
    assert main(["restore", str(tmp_path / "b.jsonl"), "--db", str(tmp_path / "new.sqlite")]) == 0
    assert "restored small-test" in capsys.readouterr().out
    assert Board(open_store(str(tmp_path / "new.sqlite")), eid).ledger.head == built.board.ledger.head
    assert main(["restore", str(tmp_path / "b.jsonl"), "--db", str(tmp_path / "new.sqlite")]) == 1
    assert "already holds" in capsys.readouterr().err
    assert main(["backup", "--db", str(db), "--id", "nope", "--out", str(tmp_path / "x.jsonl")]) == 1
    assert not (tmp_path / "x.jsonl").exists()
