"""A mixed election with ranked, graded and open-list questions through the CLI: voters use
`vecha vote --rank/--grade/--choice`, trustees mix and decrypt from record files, the
organizer publishes; the record verifies, and `vecha results` shows every round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vecha.cli.main import main
from vecha.record.entries import EntryType
from vecha.testing.records import WHOLE_BALLOT_DEFINITION, build_election, fixed_identities


def ok(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0, args


def test_ranked_graded_and_open_list_ballots_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = build_election(
        tmp_path / "box", definition=WHOLE_BALLOT_DEFINITION, votes=[], voters=3, stop_after=EntryType.OPEN
    )
    e.board.engine.dispose()
    db, d = tmp_path / "box" / "box.sqlite", tmp_path
    for j, ident in enumerate(fixed_identities(3), start=1):
        (d / f"t{j}.identity.json").write_text(json.dumps(ident.to_json()))
        (d / f"t{j}.secret.json").write_text(json.dumps(e.trustees[j - 1].to_json()))
    ok("election", "package", "--db", db, "--out", d / "election.json")
    plans = [
        ["--rank", "board=Ala,Bo", "--rank", "chair=Cy,Ala,Bo", "--grade", "judge=Ala=good",
         "--choice", "council=South"],
        ["--rank", "board=Bo, Ala", "--grade", "judge=Ala=poor", "--grade", "judge=Bo=excellent",
         "--choice", "council=North / Ann", "--choice", "council=North / Bob"],
        ["--choice", "board=Ala", "--choice", "board=Cy", "--rank", "chair=Ala", "--grade", "judge=Bo=good"],
    ]  # fmt: skip
    for k, plan in enumerate(plans):
        ok("vote", "--election", d / "election.json", "--credential", e.codes[k], *plan, "--out", d / f"b{k}.json")
        ok("cast", d / f"b{k}.json", "--db", db)
    # a ranking the booth would not make is refused on the voter's machine, in one line
    capsys.readouterr()
    bad = ["vote", "--election", d / "election.json", "--credential", e.codes[0], "--out", d / "bad.json"]
    assert main([str(x) for x in [*bad, "--rank", "board=Ala,Ala"]]) == 1
    assert "chosen twice" in capsys.readouterr().err
    assert main([str(x) for x in [*bad, "--grade", "judge=Ala=superb"]]) == 1
    assert "a grade among reject, poor, good, excellent" in capsys.readouterr().err
    assert not (d / "bad.json").exists()
    ok("close", "--db", db)
    for j in (1, 2, 3):
        ok("export", "--db", db, "--out", d / f"before-mix-{j}")
        ok("trustee", "mix", "--identity", d / f"t{j}.identity.json", "--record", d / f"before-mix-{j}",
           "--out", d / f"mix{j}.json")  # fmt: skip
        ok("mix", d / f"mix{j}.json", "--db", db)
    ok("export", "--db", db, "--out", d / "mixed")
    for j in (2, 3):
        ok("trustee", "decrypt", "--record", d / "mixed", "--secret", d / f"t{j}.secret.json", "--no-observers",
           "--out", d / f"t{j}.decryption.json")  # fmt: skip
    ok("combine", d / "t2.decryption.json", d / "t3.decryption.json", "--db", db)
    ok("export", "--db", db, "--out", d / "record")
    ok("verify", d / "record", "--quiet")
    result = json.loads((d / "record" / "result.json").read_text())
    q = {x["id"]: x for x in result["questions"]}
    # STV for 2 seats over 3 rankings: quota 2; Ala and Bo
    assert q["board"]["elected"] == ["Ala", "Bo"] and q["board"]["quota"] == "2"
    assert q["chair"]["pairwise"]["Ala"]["Bo"] == 2
    assert q["judge"]["grades"] == {"Ala": [1, 1, 1, 0], "Bo": [1, 0, 1, 1]}
    assert q["council"]["list_votes"] == {"North": 1, "South": 1} and q["council"]["blank"] == 1
    ok("results", d / "record", "--out", d / "report")
    page = (d / "report" / "results.html").read_text()
    assert "The count, round by round" in page and "stv: 3 ballots counted" in page
    assert (d / "report" / "explain-board.txt").read_text().startswith("stv, 2 seats, 3 ballots, quota 2\n")
