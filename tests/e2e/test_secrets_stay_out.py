"""No secret reaches the record, and the ballot box's store holds no voter identity."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vecha.election.credentials import Credential
from vecha.testing.records import build_election


def test_no_secret_in_record_or_store(tmp_path: Path) -> None:
    built = build_election(tmp_path)
    fp = built.context.fingerprint
    secrets: list[str] = []
    for t in built.trustees:
        assert t.key_share is not None
        secrets += [a.hex() for a in t.polynomial.coefficients] + [t.key_share.hex(), t.transport_secret.hex()]
    for code in built.codes:
        secrets += [code, code.replace("-", ""), Credential.from_code(code, fp).secret.hex()]
    record_text = "".join(p.read_text(encoding="utf-8") for p in built.record.iterdir())
    with sqlite3.connect(tmp_path / "box.sqlite") as conn:
        dump = "\n".join(conn.iterdump())
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        columns = {c[1] for t in tables for c in conn.execute(f"pragma table_info({t})")}
    blob = (record_text + dump).lower()
    for s in secrets:
        assert s.lower() not in blob
    assert not columns & {"name", "voter", "email", "ip", "user_agent", "code"}
    # What the store does hold about ballots: public credentials only.
    publics = {Credential.from_code(c, fp).public.encoding for c in built.codes}
    with sqlite3.connect(tmp_path / "box.sqlite") as conn:
        stored = {bytes(r[0]) for r in conn.execute("select credential from ballots")}
    assert stored <= publics
