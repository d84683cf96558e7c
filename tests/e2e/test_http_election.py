"""A whole election over HTTP: a real server on loopback, and every role driving it with the
CLI's --server commands (trustees upload their own ceremony messages and decryptions). Runs
on SQLite and on PostgreSQL; ends with `vecha verify` on the downloaded record."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest

from vecha.cli.main import main
from vecha.store.db import open_store
from vecha.store.tokens import Role, create_token
from vecha.testing.live import LiveServer

DEFINITION = """
id: assembly-2026
title: {en: Assembly, be: Сход}
languages: [en, be]
trustees: {count: 3, threshold: 2, identities: IDENTITIES}
questions:
  - id: council
    kind: list-pr
    title: One list, or one candidate of a list
    lists:
      - {name: Reds, candidates: [Ala, Bo]}
      - {name: Blues, candidates: [Dee]}
    seats: {method: dhondt, seats: 3}
  - id: budget
    title: Approve the budget?
    options: ["Yes", "No"]
    min: 1
"""

pytestmark = pytest.mark.slow


def ok(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0, args


def test_election_over_http(tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path
    engine = open_store(store_url)
    admin = create_token(engine, Role.ADMIN, "commission")
    with LiveServer(engine) as server:
        url = server.url
        for i in (1, 2, 3):
            ok("trustee", "identity", "--out", d / f"t{i}.identity.json")
        keys = [json.loads((d / f"t{i}.identity.json").read_text())["public"] for i in (1, 2, 3)]
        (d / "def.yaml").write_text(DEFINITION.replace("IDENTITIES", json.dumps(keys)))
        ok("election", "create", d / "def.yaml", "--server", url, "--token", admin)
        eid = ["--server", url, "--id", "assembly-2026"]
        trustee_tokens = {
            i: create_token(engine, Role.TRUSTEE, f"trustee {i}", "assembly-2026", trustee=i) for i in (1, 2, 3)
        }
        org = create_token(engine, Role.ORGANIZER, "organizer", "assembly-2026")
        for i in (1, 2, 3):
            secret = d / f"t{i}.secret.json"
            identity = d / f"t{i}.identity.json"
            ok("trustee", "init", "--identity", identity, "--secret", secret, *eid, "--token", trustee_tokens[i])
        for i in (1, 2, 3):
            ok("trustee", "deal", "--secret", d / f"t{i}.secret.json", *eid, "--token", trustee_tokens[i])
        for i in (1, 2, 3):
            ok("trustee", "receive", "--secret", d / f"t{i}.secret.json", *eid, "--token", trustee_tokens[i])
        ok("ceremony", *eid, "--token", org)
        ok("election", "package", *eid, "--out", d / "election.json")
        with open(d / "roll.csv", "w", newline="") as f:
            csv.writer(f).writerows([["voter"], *[[f"voter-{k}"] for k in range(4)]])
        roll = ["--roll", d / "roll.csv", "--codes", d / "codes.csv", "--public", d / "public.json"]
        ok("issue-credentials", "--election", d / "election.json", *roll)
        ok("publish-credentials", d / "public.json", *eid, "--token", org)
        ok("open", *eid, "--token", org)
        with open(d / "codes.csv") as f:
            codes = [r["code"] for r in csv.DictReader(f)]
        plan = [
            (codes[0], ["council=Reds / Bo", "budget=Yes"]),
            (codes[1], ["council=Blues", "budget=No"]),  # replaced below
            (codes[2], ["council=Reds", "budget=Yes"]),
            (codes[1], ["council=Reds / Ala", "budget=Yes"]),
        ]
        capsys.readouterr()
        for k, (code, choices) in enumerate(plan):
            args = [x for c in choices for x in ("--choice", c)]
            ok("vote", "--credential", code, *args, *eid, "--receipt", d / f"receipt{k}.json")
            out = capsys.readouterr().out
            assert "board entry" in out and "counts" in out
        first_tracker = json.loads((d / "receipt1.json").read_text())["tracker"]
        ok("track", first_tracker, *eid)
        assert "replaced" in capsys.readouterr().out
        # Organizer actions need the organizer's token; a trustee's token is refused.
        assert main(["close", *eid, "--token", trustee_tokens[1]]) == 1
        assert "403" in capsys.readouterr().err
        # An observer keeps the board's signed checkpoints while voting is open.
        (d / "observed.json").write_text(httpx.get(f"{url}/api/v1/elections/assembly-2026/checkpoints").text)
        ok("close", *eid, "--token", org)
        ok("tally", *eid, "--token", org)
        # trustee 1 is unreachable; 2 of 3 suffice. Each compares the board with an observer's
        # checkpoints (trustee 3 with a server it names as a mirror: here the box itself).
        observers = {2: ["--checkpoints", d / "observed.json"], 3: ["--observer", url]}
        for i in (2, 3):
            secret = d / f"t{i}.secret.json"
            ok("trustee", "decrypt", "--secret", secret, *observers[i], *eid, "--token", trustee_tokens[i])
        ok("combine", *eid, "--token", org)
        ok("export", *eid, "--out", d / "record")
        published = httpx.get(f"{url}/api/v1/elections/assembly-2026/result").json()
        turnout = httpx.get(f"{url}/api/v1/elections/assembly-2026/turnout").json()
    capsys.readouterr()
    ok("verify", d / "record", "--quiet")
    assert "record verified (result published)" in capsys.readouterr().out
    for k in range(4):
        ok("check-receipt", d / f"receipt{k}.json", "--record", d / "record")
    result = json.loads((d / "record" / "result.json").read_text())
    assert published == result
    assert (turnout["ballots"], turnout["voters"], turnout["credentials"]) == (4, 3, 4)
    council, budget = result["questions"]
    assert council["list_votes"] == {"Reds": 3, "Blues": 0}
    assert budget["counts"] == {"Yes": 3, "No": 0} and result["counted"] == 3
    board = [json.loads(line) for line in (d / "record" / "board.jsonl").read_text().splitlines()]
    assert sum(e["type"] == "ballot" for e in board) == 4
    assert {e["payload"]["channel"] for e in board if e["type"] == "ballot"} == {"app"}
