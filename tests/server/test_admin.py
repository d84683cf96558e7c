"""The admin API: who may do what, the key ceremony over the network, the audit log, and
tokens kept only as hashes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import API, Api
from vecha.election.trustees import deal_shares, new_trustee, receive_shares
from vecha.record.entries import EntryType
from vecha.server import create_app
from vecha.store.db import open_store
from vecha.store.schema import tokens
from vecha.store.tokens import Role, create_token
from vecha.testing.records import SMALL_DEFINITION, fixed_identities


def test_tokens_are_required_and_scoped(api: Api) -> None:
    close = api.base + "/close"
    assert api.http.post(close).status_code == 401
    assert api.http.post(close, headers=api.auth("vecha_not-a-token")).json()["error"] == "unauthorized"
    refused = api.http.post(close, headers=api.auth(api.trustee))  # a trustee is not the organizer
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    engine = api.built.board.engine
    other = create_token(engine, Role.ORGANIZER, "someone else's organizer", "small-test")
    assert api.http.post(api.base + "/open", headers=api.auth(other)).status_code == 409  # allowed, but already open
    assert api.http.post(f"{API}/elections", json=SMALL_DEFINITION, headers=api.auth(api.organizer)).status_code == 403
    decryption = {"election": "00" * 32, "trustee": 2, "shares": []}
    as_other = api.http.post(api.base + "/decryptions", json=decryption, headers=api.auth(api.trustee))
    assert (as_other.status_code, as_other.json()["error"]) == (403, "forbidden")
    assert api.http.get(api.base + "/audit", headers=api.auth(api.trustee)).status_code == 403
    assert api.height() == api.built.board.ledger.height


def test_tokens_are_stored_as_hashes_and_actions_audited(api: Api) -> None:
    engine = api.built.board.engine
    with engine.connect() as conn:
        stored = [bytes(r[0]) for r in conn.execute(select(tokens.c.hash))]
    assert stored and all(len(h) == 32 for h in stored)
    for token in (api.organizer, api.trustee):
        assert all(token.encode() not in h for h in stored)
    assert api.http.post(api.base + "/close", headers=api.auth(api.organizer)).status_code == 200
    log = api.http.get(api.base + "/audit", headers=api.auth(api.organizer)).json()
    assert [(e["actor"], e["action"]) for e in log][-1] == ("organizer", "close")
    assert {"create-token"} <= {e["action"] for e in log}


def test_key_ceremony_over_the_api(tmp_path: Path, store_url: str) -> None:
    engine = open_store(store_url)
    admin = create_token(engine, Role.ADMIN, "commission")
    with TestClient(create_app(engine)) as http:
        auth = {"Authorization": f"Bearer {admin}"}
        bad = http.post(f"{API}/elections", json={**SMALL_DEFINITION, "trustees": {"count": 2, "threshold": 3}})
        assert bad.status_code == 401
        bad = http.post(
            f"{API}/elections", json={**SMALL_DEFINITION, "trustees": {"count": 2, "threshold": 3}}, headers=auth
        )
        assert (bad.status_code, bad.json()["error"]) == (422, "invalid-definition")
        created = http.post(f"{API}/elections", json=SMALL_DEFINITION, headers=auth)
        assert created.status_code == 201
        fp = bytes.fromhex(created.json()["fingerprint"])
        base = f"{API}/elections/small-test"
        t = {
            i: {"Authorization": "Bearer " + create_token(engine, Role.TRUSTEE, f"t{i}", "small-test", i)}
            for i in (1, 2, 3)
        }
        secrets, anns = {}, {}
        ids = fixed_identities(3)
        for i in (1, 2, 3):
            secrets[i], anns[i] = new_trustee(fp, i, 2, ids[i - 1])
        early = http.post(base + "/ceremony/shares", json=[], headers=t[1])
        assert (early.status_code, "announced" in early.json()["message"]) == (409, True)
        wrong = http.post(base + "/ceremony/announcement", json=anns[2].to_json(), headers=t[1])
        assert wrong.status_code == 409  # trustee 1 cannot announce for trustee 2
        for i in (1, 2, 3):
            assert http.post(base + "/ceremony/announcement", json=anns[i].to_json(), headers=t[i]).status_code == 200
        again = http.post(base + "/ceremony/announcement", json=anns[1].to_json(), headers=t[1])
        assert "already here" in again.json()["message"]
        _, other = new_trustee(fp, 1, 2, ids[0])
        assert http.post(base + "/ceremony/announcement", json=other.to_json(), headers=t[1]).status_code == 409
        announced = [anns[i] for i in (1, 2, 3)]
        for i in (1, 2, 3):
            sealed = [s.to_json() for s in deal_shares(fp, secrets[i], announced)]
            assert http.post(base + "/ceremony/shares", json=sealed, headers=t[i]).status_code == 200
        org = {"Authorization": "Bearer " + create_token(engine, Role.ORGANIZER, "org", "small-test")}
        incomplete = http.post(base + "/ceremony/finish", headers=org)
        assert (incomplete.status_code, "confirmed" in incomplete.json()["message"]) == (409, True)
        from vecha.election.trustees import SealedShare

        for i in (1, 2, 3):
            mine = http.get(base + "/ceremony/shares", headers=t[i]).json()
            assert {s["to"] for s in mine} == {i} and len(mine) == 3
            _, confirmation = receive_shares(
                fp, secrets[i], announced, [SealedShare.from_json(s) for s in mine], [k.public for k in ids]
            )
            assert (
                http.post(base + "/ceremony/confirmation", json=confirmation.to_json(), headers=t[i]).status_code == 200
            )
        assert http.get(base + "/ceremony/shares").status_code == 401
        status = http.get(base + "/ceremony").json()
        assert status["dealt"] == [1, 2, 3] and len(status["confirmations"]) == 3
        assert http.post(base + "/ceremony/finish", headers=org).json()["phase"] == "keyed"
        info = http.get(base).json()
        assert info["public_key"] and info["phase"] == "keyed"
        late = http.post(base + "/ceremony/announcement", json=anns[1].to_json(), headers=t[1])
        assert (late.status_code, late.json()["message"]) == (409, "the key ceremony is over")


def test_bounds_and_lone_surrogates_are_client_errors(api: Api) -> None:
    """Finding 9: integers past 64 bits and text that is not Unicode are 4xx, not 500."""
    for path in (
        "/board?start=9223372036854775808",
        "/board/stream?since=9223372036854775808",
        "/credentials?start=" + "9" * 30,
    ):
        r = api.http.get(api.base + path)
        assert r.status_code == 422, (path, r.status_code)
    admin = create_token(api.built.board.engine, Role.ADMIN, "commission")
    body = json.dumps({**SMALL_DEFINITION, "id": "surrogate", "title": "\ud800"}, ensure_ascii=True)
    r = api.http.post(f"{API}/elections", content=body, headers={**api.auth(admin), "content-type": "application/json"})
    assert r.status_code == 422 and "surrogate" in r.json()["message"], r.text
    assert api.http.get(f"{API}/elections/surrogate").status_code == 404


def test_tokens_are_checked_listed_and_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A trustee token for a trustee the election does not have is refused; `token list`
    shows ids and labels, never tokens; a revoked token stops working; the store is 0600."""
    from vecha.cli.main import main
    from vecha.testing.records import build_election

    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    db = str(tmp_path / "box.sqlite")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    args = ["token", "create", "--db", db, "--role", "trustee", "--id", "small-test", "--label", "t"]
    assert main([*args, "--trustee", "4"]) == 1
    assert "has 3 trustees" in capsys.readouterr().err
    assert main([*args, "--trustee", "3"]) == 0
    token = capsys.readouterr().out.strip()
    assert main(["token", "list", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert "trustee of small-test, trustee 3" in listed and token not in listed
    ident = listed.split()[0]
    with TestClient(create_app(built.board.engine)) as http:
        auth = {"Authorization": f"Bearer {token}"}
        assert http.get(f"{API}/elections/small-test/ceremony/shares", headers=auth).status_code != 401
        assert main(["token", "revoke", ident, "--db", db]) == 0
        assert http.get(f"{API}/elections/small-test/ceremony/shares", headers=auth).status_code == 401
    assert main(["token", "revoke", ident, "--db", db]) == 1
