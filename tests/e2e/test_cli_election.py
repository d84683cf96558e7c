"""A whole election run step by step through the CLI, every role with its own files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vecha.cli.main import main

DEFINITION = """
id: club-2026
title: {en: Club council, be: Рада клуба}
languages: [en, be]
trustees: {count: 3, threshold: 2, identities: IDENTITIES}
questions:
  - id: council
    kind: list-pr
    title: One list, or one candidate of a list
    min: 0
    max: 1
    lists:
      - {name: Reds, candidates: [Ala, Bo, Cy]}
      - {name: Blues, candidates: [Dee, Ed]}
      - {name: Greens, candidates: [Fay]}
    seats: {method: dhondt, seats: 4, threshold: "0.1"}
  - id: budget
    title: Approve the budget?
    options: ["Yes", "No"]
    min: 1
    max: 1
"""


def vecha(*args: str | Path) -> int:
    return main([str(a) for a in args])


def ok(*args: str | Path) -> None:
    assert vecha(*args) == 0, args


@pytest.fixture
def election(tmp_path: Path) -> dict[str, Path]:
    """Organizer, trustees and registrar set the election up; returns the paths they made."""
    d = tmp_path
    for i in (1, 2, 3):  # each trustee makes its identity key; the organizer writes the public keys in
        ok("trustee", "identity", "--out", d / f"t{i}.identity.json")
    keys = [json.loads((d / f"t{i}.identity.json").read_text())["public"] for i in (1, 2, 3)]
    (d / "def.yaml").write_text(DEFINITION.replace("IDENTITIES", json.dumps(keys)))
    db = d / "box.sqlite"
    ok("election", "create", d / "def.yaml", "--db", db)
    ok("election", "package", "--db", db, "--out", d / "setup.json")
    for i in (1, 2, 3):
        ok(
            "trustee",
            "init",
            "--election",
            d / "setup.json",
            "--identity",
            d / f"t{i}.identity.json",
            "--secret",
            d / f"t{i}.secret.json",
            "--out",
            d / f"t{i}.announce.json",
        )
    anns = [x for i in (1, 2, 3) for x in ("--announcement", d / f"t{i}.announce.json")]
    for i in (1, 2, 3):
        ok(
            "trustee",
            "deal",
            "--election",
            d / "setup.json",
            "--secret",
            d / f"t{i}.secret.json",
            *anns,
            "--out",
            d / f"t{i}.shares.json",
        )
    shares = [x for i in (1, 2, 3) for x in ("--shares", d / f"t{i}.shares.json")]
    for i in (1, 2, 3):
        ok(
            "trustee",
            "receive",
            "--election",
            d / "setup.json",
            "--secret",
            d / f"t{i}.secret.json",
            *anns,
            *shares,
            "--out",
            d / f"t{i}.confirm.json",
        )
    confs = [x for i in (1, 2, 3) for x in ("--confirmation", d / f"t{i}.confirm.json")]
    ok("ceremony", "--db", db, *anns, *confs)
    ok("election", "package", "--db", db, "--out", d / "election.json")
    with open(d / "roll.csv", "w", newline="") as f:
        csv.writer(f).writerows([["voter"], *[[f"voter-{k}"] for k in range(6)]])
    ok(
        "issue-credentials",
        "--election",
        d / "election.json",
        "--roll",
        d / "roll.csv",
        "--codes",
        d / "codes.csv",
        "--public",
        d / "public.json",
    )
    ok("publish-credentials", d / "public.json", "--db", db)
    ok("open", "--db", db)
    return {"dir": d, "db": db, "package": d / "election.json"}


def codes(d: Path) -> list[str]:
    with open(d / "codes.csv") as f:
        return [r["code"] for r in csv.DictReader(f)]


def test_step_by_step_election(election: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    d, db, pkg = election["dir"], election["db"], election["package"]
    cs = codes(d)
    plan = [
        (cs[0], ["council=Reds", "budget=Yes"]),
        (cs[1], ["council=Reds / Bo", "budget=Yes"]),
        (cs[2], ["council=Blues / Ed", "budget=No"]),
        (cs[3], ["council=Greens", "budget=Yes"]),  # coerced; replaced below
        (cs[3], ["council=Blues", "budget=No"]),
        (cs[4], ["budget=No"]),  # blank on the council question
    ]
    trackers = []
    receipts = []
    for k, (code, choices) in enumerate(plan):
        args = [x for c in choices for x in ("--choice", c)]
        ok("vote", "--election", pkg, "--credential", code.lower().replace("-", " "), *args, "--out", d / f"b{k}.json")
        capsys.readouterr()
        ok("cast", d / f"b{k}.json", "--db", db, "--receipt", d / f"receipt{k}.json")
        receipt = json.loads(capsys.readouterr().out)
        trackers.append(receipt["tracker"])
        assert json.loads((d / f"receipt{k}.json").read_text()) == receipt
        receipts.append(d / f"receipt{k}.json")
    # Casting the same ballot again is idempotent: same receipt, nothing new on the board, and it says so.
    ok("cast", d / "b0.json", "--db", db)
    again = capsys.readouterr()
    assert json.loads(again.out)["tracker"] == trackers[0] and "already on the board" in again.err
    for command in (["vote", "--help"], ["trustee", "init", "--help"], ["trustee", "decrypt", "--help"]):
        ok(*command)
        assert "--db" not in capsys.readouterr().out, command
    ok("track", trackers[3], "--db", db)
    assert "replaced" in capsys.readouterr().out
    ok("track", trackers[4], "--db", db)
    assert "counts" in capsys.readouterr().out
    # An observer keeps a copy of the board (its signed checkpoints) while voting is open.
    ok("export", "--db", db, "--out", d / "observed")
    ok("vote", "--election", pkg, "--credential", cs[5], "--choice", "budget=Yes", "--out", d / "late.json")
    ok("close", "--db", db)
    capsys.readouterr()
    assert vecha("cast", d / "late.json", "--db", db) == 1
    assert "not open" in capsys.readouterr().err
    ok("tally", "--db", db)
    ok("export", "--db", db, "--out", d / "record-tallied")
    for i in (1, 3):  # trustee 2 is unreachable; 2 of 3 suffice
        ok(
            "trustee",
            "decrypt",
            "--record",
            d / "record-tallied",
            "--secret",
            d / f"t{i}.secret.json",
            "--checkpoints",
            d / "observed" / "checkpoints.json",
            "--out",
            d / f"t{i}.decryption.json",
        )
    ok("combine", d / "t1.decryption.json", d / "t3.decryption.json", "--db", db)
    ok("export", "--db", db, "--out", d / "record")
    capsys.readouterr()
    ok("verify", d / "record", "--quiet")
    assert "record verified (result published)" in capsys.readouterr().out
    ok("track", trackers[1], "--record", d / "record")
    assert "counts" in capsys.readouterr().out
    ok("track", trackers[3], "--record", d / "record")
    assert "replaced" in capsys.readouterr().out
    assert vecha("track", "ab" * 32, "--record", d / "record") == 1
    ok("check-receipt", receipts[0], "--record", d / "record")
    assert "it counts" in capsys.readouterr().out
    ok("check-receipt", receipts[3], "--record", d / "record")
    assert "replaced it" in capsys.readouterr().out
    forged = json.loads(receipts[0].read_text())
    forged["index"] += 1
    (d / "forged.json").write_text(json.dumps(forged))
    assert vecha("check-receipt", d / "forged.json", "--record", d / "record") == 1
    assert "not signed by this election's ballot box" in capsys.readouterr().err
    ok("verify", d / "record", "--json")
    assert json.loads(capsys.readouterr().out)["ok"] is True
    result = json.loads((d / "record" / "result.json").read_text())
    council, budget = result["questions"]
    assert council["list_votes"] == {"Reds": 2, "Blues": 2, "Greens": 0}
    assert council["counts"]["Reds / Bo"] == 1 and council["counts"]["Blues / Ed"] == 1
    assert council["blank"] == 1
    assert budget["counts"] == {"Yes": 2, "No": 3}
    assert result["counted"] == 5
    assert sum(council["allocation"]["seats"].values()) == 4
    reds = next(o for o in council["lists"] if o["list"] == "Reds")
    assert reds["elected"][0] == {"name": "Bo", "preference_votes": 1, "by": "preference"}
    ok("results", d / "record", "--out", d / "report")
    assert (d / "report" / "seats.png").read_bytes().startswith(b"\x89PNG")
    assert "seats in the order they were awarded" in (d / "report" / "explain-council.txt").read_text()
    page = (d / "report" / "results.html").read_text()
    assert "Reds" in page and "http" not in page.replace("http-equiv", "")


def test_bad_input_is_one_line_and_changes_nothing(
    election: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d, db, pkg = election["dir"], election["db"], election["package"]
    code = codes(d)[0]
    before = entry_count(db)
    bad_code = code[:-1] + ("0" if code[-1] != "0" else "1")
    cases = [
        ("vote", "--election", pkg, "--credential", bad_code, "--choice", "budget=Yes", "--out", d / "x.json"),
        ("vote", "--election", d / "missing.json", "--credential", code, "--out", d / "x.json"),
        ("vote", "--election", pkg, "--credential", code, "--choice", "budget=Maybe", "--out", d / "x.json"),
        ("vote", "--election", pkg, "--credential", code, "--choice", "nonsense", "--out", d / "x.json"),
        ("election", "create", d / "nope.yaml", "--db", db),
        ("cast", d / "missing-ballot.json", "--db", db),
        ("verify", d / "no-record"),
        ("seats", d / "missing.json", "--seats", "3", "--method", "dhondt"),
    ]
    for case in cases:
        capsys.readouterr()
        assert vecha(*case) != 0, case
        err = capsys.readouterr().err.strip()
        assert err and "Traceback" not in err, case
        assert len(err.splitlines()) <= 3, err  # rich may wrap one long line
    (d / "broken.yaml").write_text("id: [unclosed")
    assert vecha("election", "create", d / "broken.yaml", "--db", db) == 1
    (d / "wrong.yaml").write_text((d / "def.yaml").read_text().replace("threshold: 2", "threshold: 5"))
    assert vecha("election", "create", d / "wrong.yaml", "--db", d / "other.sqlite") == 1
    assert "threshold" in capsys.readouterr().err
    assert not (d / "x.json").exists()
    # A ballot for another election is refused by the ballot box.
    other = d / "other"
    other.mkdir()
    (other / "def.yaml").write_text((d / "def.yaml").read_text().replace("club-2026", "club-2027"))
    ok("election", "create", other / "def.yaml", "--db", db)
    capsys.readouterr()
    ok("vote", "--election", pkg, "--credential", code, "--choice", "budget=Yes", "--out", d / "b.json")
    assert vecha("cast", d / "b.json", "--db", db, "--id", "club-2027") == 1
    assert "not open" in capsys.readouterr().err  # club-2027 has no keys, let alone an open poll
    assert entry_count(db) == before + 1  # only club-2027's definition was added
    assert vecha("publish-credentials", d / "public.json", "--db", db, "--id", "club-2027") == 1
    assert "another election" in capsys.readouterr().err
    assert vecha("open", "--db", db) == 1  # two elections in the store: which one?
    assert "--id" in capsys.readouterr().err
    assert entry_count(db) == before + 1
    ok("cast", d / "b.json", "--db", db, "--id", "club-2026")
    assert entry_count(db) == before + 2


def entry_count(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from entries").fetchone()[0])


def test_every_step_refuses_bad_input_cleanly(election: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    d, db, pkg = election["dir"], election["db"], election["package"]
    (d / "noroll.csv").write_text("name\nA\n")
    (d / "duproll.csv").write_text("voter\nA\nA\n")
    (d / "junk.json").write_text('{"hello": 1}')
    forged = json.loads((d / "t2.announce.json").read_text())
    forged["commitments"][0], forged["commitments"][1] = forged["commitments"][1], forged["commitments"][0]
    (d / "t2.forged.json").write_text(json.dumps(forged))
    anns = [x for i in (1, 3) for x in ("--announcement", d / f"t{i}.announce.json")]
    swapped = json.loads((d / "t1.secret.json").read_text())
    swapped["index"] = 2  # trustee 1's key material claiming to be trustee 2's
    (d / "swapped.secret.json").write_text(json.dumps(swapped))
    before = entry_count(db)
    cases: list[tuple[tuple[str | Path, ...], str]] = [
        (
            (
                "trustee",
                "init",
                "--election",
                d / "setup.json",
                "--identity",
                d / "t1.identity.json",
                "--index",
                "2",
                "--secret",
                d / "n.json",
                "--out",
                d / "a.json",
            ),
            "trustee 1's in the definition",
        ),
        (
            (
                "trustee",
                "init",
                "--election",
                d / "setup.json",
                "--identity",
                d / "t1.identity.json",
                "--secret",
                d / "t1.secret.json",
                "--out",
                d / "a.json",
            ),
            "refusing to overwrite",
        ),
        (
            (
                "trustee",
                "deal",
                "--election",
                d / "setup.json",
                "--secret",
                d / "t1.secret.json",
                *anns,
                "--out",
                d / "s.json",
            ),
            "announcements of all 3",
        ),
        (
            (
                "trustee",
                "deal",
                "--election",
                d / "setup.json",
                "--secret",
                d / "t1.secret.json",
                *anns,
                "--announcement",
                d / "t2.forged.json",
                "--out",
                d / "s.json",
            ),
            "trustee 2",
        ),
        (
            (
                "trustee",
                "decrypt",
                "--record",
                d / "nothing",
                "--secret",
                d / "t1.secret.json",
                "--no-observers",
                "--out",
                d / "x.json",
            ),
            "does not verify",
        ),
        (
            (
                "ceremony",
                "--db",
                db,
                *anns,
                "--announcement",
                d / "t2.forged.json",
                "--confirmation",
                d / "t1.confirm.json",
            ),
            "already on the board",
        ),
        (
            (
                "issue-credentials",
                "--election",
                pkg,
                "--roll",
                d / "noroll.csv",
                "--codes",
                d / "c2.csv",
                "--public",
                d / "p2.json",
            ),
            "'voter' column",
        ),
        (
            (
                "issue-credentials",
                "--election",
                pkg,
                "--roll",
                d / "duproll.csv",
                "--codes",
                d / "c2.csv",
                "--public",
                d / "p2.json",
            ),
            "unique",
        ),
        (
            (
                "issue-credentials",
                "--election",
                pkg,
                "--roll",
                d / "roll.csv",
                "--codes",
                d / "codes.csv",
                "--public",
                d / "p2.json",
            ),
            "refusing to overwrite",
        ),
        (("tally", "--db", db), "close the election"),
        (("combine", d / "junk.json", "--db", db), "not a partial decryption"),
        (("export", "--db", d / "missing.sqlite", "--out", d / "rec"), "no store"),
        (("results", d / "nothing", "--out", d / "rep"), "does not verify"),
        (("publish-credentials", d / "junk.json", "--db", db), "is not a public credential list"),
    ]
    for args, message in cases:
        capsys.readouterr()
        assert vecha(*args) == 1, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, (args, err)
    assert entry_count(db) == before
    assert not (d / "c2.csv").exists() and not (d / "p2.json").exists() and not (d / "n.json").exists()


def test_a_trustee_step_with_nowhere_to_put_its_result_does_nothing(
    election: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = election["dir"]
    secret = d / "t9.secret.json"
    capsys.readouterr()
    identity = d / "t1.identity.json"
    assert vecha("trustee", "init", "--election", d / "setup.json", "--identity", identity, "--secret", secret) == 1
    assert "give --out" in capsys.readouterr().err and not secret.exists()


def test_store_changing_commands_are_all_or_nothing_and_safe_to_repeat(
    election: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue: a failed `vecha combine` used to append the good decryption it was given."""
    d, db, pkg = election["dir"], election["db"], election["package"]
    cs = codes(d)
    ok(
        "vote",
        "--election",
        pkg,
        "--credential",
        cs[0],
        "--choice",
        "council=Reds",
        "--choice",
        "budget=Yes",
        "--out",
        d / "b.json",
    )
    ok("cast", d / "b.json", "--db", db)
    before = entry_count(db)
    capsys.readouterr()
    assert vecha("publish-credentials", d / "public.json", "--db", db) == 1  # the same list again
    assert "already on the board" in capsys.readouterr().err and entry_count(db) == before
    ok("close", "--db", db)
    ok("tally", "--db", db)
    assert vecha("tally", "--db", db) == 1
    assert "already tallied" in capsys.readouterr().err
    ok("export", "--db", db, "--out", d / "tallied")
    for i in (1, 2):
        out = ["--secret", d / f"t{i}.secret.json", "--no-observers", "--out", d / f"t{i}.decryption.json"]
        ok("trustee", "decrypt", "--record", d / "tallied", *out)
    corrupt = json.loads((d / "t2.decryption.json").read_text())
    corrupt["shares"][0][0]["share"] = corrupt["shares"][0][1]["share"]
    (d / "corrupt.json").write_text(json.dumps(corrupt))
    tallied = entry_count(db)
    capsys.readouterr()
    assert vecha("combine", d / "t1.decryption.json", "--db", db) == 1  # one of the two needed
    assert "2 are needed" in capsys.readouterr().err and entry_count(db) == tallied
    assert vecha("combine", d / "t1.decryption.json", d / "corrupt.json", "--db", db) == 1
    assert "trustee 2" in capsys.readouterr().err and entry_count(db) == tallied  # the good one is not kept
    ok("combine", d / "t1.decryption.json", d / "t2.decryption.json", "--db", db)  # the README's next step works
    assert entry_count(db) == tallied + 3
    capsys.readouterr()
    assert vecha("combine", d / "t1.decryption.json", d / "t2.decryption.json", "--db", db) == 1
    assert "already on the board" in capsys.readouterr().err and entry_count(db) == tallied + 3


def test_one_message_for_a_short_tracking_code(election: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from fastapi.testclient import TestClient

    from vecha.server import create_app
    from vecha.store.db import open_store

    capsys.readouterr()
    assert vecha("track", "abc123", "--db", election["db"]) == 1
    local = capsys.readouterr().err
    with TestClient(create_app(open_store(str(election["db"])))) as http:
        remote = http.get("/api/v1/elections/club-2026/trackers/abc123")
    assert remote.status_code == 422 and remote.json()["error"] == "invalid-tracker"
    assert remote.json()["message"] in local
