"""Registration over HTTP, every role with the CLI: reviewers make keys, the registrar makes
its own and runs its service over its own store, applicants apply (one twice), reviewers
decrypt on their machine and decide, devices unblind, voters register and vote in one
request, a voter checks that nobody else voted in their name, the registrar's count goes
on the board, and the record verifies. On SQLite and on PostgreSQL (both stores)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.conftest import fresh_postgres

from vecha.cli.main import main
from vecha.registrar.app import create_registrar_app
from vecha.registrar.keys import RegistrarKey
from vecha.registrar.schema import tables
from vecha.store.db import open_store
from vecha.store.tokens import Role, create_token
from vecha.testing.live import LiveServer

pytestmark = pytest.mark.slow

DEFINITION = """
id: diaspora-2026
title: {en: Diaspora council, be: Рада дыяспары}
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
registration:
  registrars: [REGISTRAR]
  fields:
    - {id: name, kind: text, label: {en: Full name, be: Імя}}
    - {id: document, kind: document, label: {en: Passport number, be: Пашпарт}}
    - {id: photo, kind: file, label: {en: Passport photo, be: Фота}, required: false}
  duplicate_key: [document]
  puzzle_bits: 6
"""


def ok(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0, args


@pytest.fixture
def registrar_store(store_url: str, tmp_path: Path) -> Iterator[str]:
    if store_url.startswith("postgres"):
        yield from fresh_postgres()
    else:
        yield str(tmp_path / "registrar.sqlite")


def test_registration_over_http(
    tmp_path: Path, store_url: str, registrar_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path
    for i in (1, 2, 3):
        ok("trustee", "identity", "--out", d / f"t{i}.identity.json")
    for r in (1, 2):
        ok("reviewer", "keygen", "--out", d / f"reviewer{r}.json")
    reviewers = [json.loads((d / f"reviewer{r}.json").read_text())["public"] for r in (1, 2)]
    reviewer_args = [x for k in reviewers for x in ("--reviewer", k)]
    ok(
        "registrar",
        "init",
        "--id",
        "bloc-a",
        "--name",
        "Bloc A",
        *reviewer_args,
        "--bits",
        "2048",
        "--key-out",
        d / "registrar-key.json",
        "--public",
        d / "registrar.json",
    )
    keys = [json.loads((d / f"t{i}.identity.json").read_text())["public"] for i in (1, 2, 3)]
    text = DEFINITION.replace("IDENTITIES", json.dumps(keys)).replace("REGISTRAR", (d / "registrar.json").read_text())
    (d / "def.yaml").write_text(text)
    engine = open_store(store_url)
    admin = create_token(engine, Role.ADMIN, "commission")
    registrar_engine = open_store(registrar_store, tables, secure_delete=True)
    with LiveServer(engine) as box:
        eid = ["--server", box.url, "--id", "diaspora-2026"]
        ok("election", "create", d / "def.yaml", "--server", box.url, "--token", admin)
        tokens = {i: create_token(engine, Role.TRUSTEE, f"t{i}", "diaspora-2026", trustee=i) for i in (1, 2, 3)}
        org = create_token(engine, Role.ORGANIZER, "organizer", "diaspora-2026")
        for step in ("init", "deal", "receive"):
            for i in (1, 2, 3):
                extra = ["--identity", d / f"t{i}.identity.json"] if step == "init" else []
                ok("trustee", step, "--secret", d / f"t{i}.secret.json", *extra, *eid, "--token", tokens[i])
        ok("ceremony", *eid, "--token", org)
        ok("election", "package", *eid, "--out", d / "election.json")
        reg = ["--db", registrar_store]
        ok("registrar", "setup", "--key", d / "registrar-key.json", *reg, *eid)
        capsys.readouterr()
        reviewer_tokens = []
        for r in (1, 2):
            ok("registrar", "token", *reg, "--id", "diaspora-2026", "--reviewer", str(r), "--label", f"reviewer {r}")
            reviewer_tokens.append(capsys.readouterr().out.strip())
        key = RegistrarKey.from_json(json.loads((d / "registrar-key.json").read_text()))
        with LiveServer(registrar_engine, app=create_registrar_app(registrar_engine, [key])) as registrar:
            (d / "photo.png").write_bytes(b"\x89PNG not really a photo")
            people = [("Ala Ivanova", "MP1234567"), ("Ihar Kazlou", "MP7654321"), ("Ala I.", "mp 1234-567")]
            for k, (name, document) in enumerate(people):
                ok(
                    "register",
                    "apply",
                    "--server",
                    box.url,
                    "--registrar",
                    f"bloc-a={registrar.url}",
                    "--field",
                    f"name={name}",
                    "--field",
                    f"document={document}",
                    "--attach",
                    f"photo={d / 'photo.png'}",
                    "--out",
                    d / f"applicant{k}.json",
                )
            out = capsys.readouterr().out
            codes = [
                line.split("application code ")[1].split()[0] for line in out.splitlines() if "application code" in line
            ]
            assert len(codes) == 3
            review = ["--registrar", registrar.url, "--id", "diaspora-2026", "--election", d / "election.json"]
            ok(
                "reviewer",
                "pending",
                *review,
                "--token",
                reviewer_tokens[0],
                "--key",
                d / "reviewer1.json",
                "--files",
                d / "attachments",
            )
            out = capsys.readouterr().out
            assert "Ala Ivanova" in out and "MP7654321" in out and "same duplicate key as" in out
            assert len(list((d / "attachments").iterdir())) == 3
            as_reviewer_1 = [*review, "--token", reviewer_tokens[0], "--key", d / "reviewer1.json"]
            ok("reviewer", "decide", codes[0], "--approve", *as_reviewer_1)
            ok("reviewer", "decide", codes[1], "--approve", *as_reviewer_1)
            # the duplicate: the registrar refuses to approve it, and the reviewer rejects it
            assert main(["reviewer", "decide", codes[2], "--approve", *map(str, as_reviewer_1)]) == 1
            assert "duplicate of approved application" in capsys.readouterr().err
            ok("reviewer", "decide", codes[2], "--reject", "--reason", "you registered already", *as_reviewer_1)
            capsys.readouterr()
            for k in range(3):
                ok("register", "status", d / f"applicant{k}.json")
            out = capsys.readouterr().out
            assert out.count("your credential is ready") == 2
            assert "rejected: you registered already" in out and "apply again" in out
            approvals = httpx.get(f"{registrar.url}/api/v1/registrar/diaspora-2026/approvals").json()
            assert sorted(a["code"] for a in approvals["approvals"]) == sorted(codes[:2])
            # voting cannot open before the registrar's count is on the board
            assert main(["open", *eid, "--token", org]) == 1
            assert "no count yet from bloc-a" in capsys.readouterr().err
            ok(
                "registrar",
                "close",
                "--key",
                d / "registrar-key.json",
                *reg,
                "--id",
                "diaspora-2026",
                "--server",
                box.url,
            )
            # after the close, nothing more is taken
            assert (
                main(
                    [
                        "register",
                        "apply",
                        "--server",
                        box.url,
                        "--registrar",
                        f"bloc-a={registrar.url}",
                        "--field",
                        "name=Late",
                        "--field",
                        "document=X1",
                        "--out",
                        str(d / "late.json"),
                    ]
                )
                == 1
            )
            assert "registration-closed" in capsys.readouterr().err
        ok("open", *eid, "--token", org)
        ok(
            "vote",
            "--registration",
            d / "applicant0.json",
            "--choice",
            "council=Reds / Bo",
            *eid,
            "--receipt",
            d / "r0.json",
        )
        ok(
            "vote",
            "--registration",
            d / "applicant1.json",
            "--choice",
            "council=Blues",
            *eid,
            "--receipt",
            d / "r1.json",
        )
        ok(
            "vote",
            "--registration",
            d / "applicant1.json",
            "--choice",
            "council=Reds",
            *eid,
            "--receipt",
            d / "r2.json",
        )
        capsys.readouterr()
        ok(
            "check-credential",
            "--registration",
            d / "applicant1.json",
            "--receipt",
            d / "r1.json",
            "--receipt",
            d / "r2.json",
            *eid,
        )
        assert "every ballot under your credential is one you cast" in capsys.readouterr().out
        # with only one of the two receipts, the other ballot is named as not the voter's
        assert (
            main(
                [
                    "check-credential",
                    "--registration",
                    str(d / "applicant1.json"),
                    "--receipt",
                    str(d / "r2.json"),
                    *eid,
                ]
            )
            == 1
        )
        assert "not yours" in capsys.readouterr().err
        # the rejected applicant has no credential to vote with
        assert main(["vote", "--registration", str(d / "applicant2.json"), "--choice", "council=Reds", *eid]) == 1
        assert "0 of the 1 signatures" in capsys.readouterr().err
        ok("close", *eid, "--token", org)
        ok("tally", *eid, "--token", org)
        for i in (2, 3):
            ok(
                "trustee",
                "decrypt",
                "--secret",
                d / f"t{i}.secret.json",
                "--observer",
                box.url,
                *eid,
                "--token",
                tokens[i],
            )
        ok("combine", *eid, "--token", org)
        ok("export", *eid, "--out", d / "record")
    capsys.readouterr()
    ok("verify", d / "record", "--quiet")
    assert "record verified (result published)" in capsys.readouterr().out
    result = json.loads((d / "record" / "result.json").read_text())
    assert result["questions"][0]["list_votes"] == {"Reds": 2, "Blues": 0} and result["counted"] == 2
    board = [json.loads(line) for line in (d / "record" / "board.jsonl").read_text().splitlines()]
    assert [e["type"] for e in board].count("signed-credential") == 2
