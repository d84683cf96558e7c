"""`vecha demo`: a whole election, exported and verified, with the result printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vecha.cli.main import main
from vecha.verify import verify_record


@pytest.mark.parametrize("mode", [[], ["--roll"]], ids=["registration", "roll"])
def test_demo_runs_exports_and_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: list[str]) -> None:
    record = tmp_path / "record"
    assert main(["demo", "--voters", "40", "--record", str(record), "--seed", "7", "--quiet", *mode]) == 0
    out = capsys.readouterr().out
    types = [json.loads(line)["type"] for line in (record / "board.jsonl").read_text().splitlines()]
    if mode:
        assert "credentials" in types and "signed-credential" not in types
    else:
        assert "second applications refused as duplicates" in out
        assert types.count("registrar-count") == 2 and "credentials" not in types
        # every voter who voted registered with their first ballot; those who abstained never appear
        counted = json.loads((record / "result.json").read_text())["counted"]
        assert types.count("signed-credential") == counted
    assert "Decrypted totals equal the simulated voters' final choices: yes" in out
    assert "record verified (result published)" in out
    assert verify_record(record).ok
    result = json.loads((record / "result.json").read_text())
    council = result["questions"][0]
    assert sum(council["allocation"]["seats"].values()) + council["allocation"]["vacant"] == 80
    assert council["allocation"]["rules"]["threshold"] == "3/100"
    decryptions = [
        json.loads(line)
        for line in (record / "board.jsonl").read_text().splitlines()
        if json.loads(line)["type"] == "decryption"
    ]
    assert len(decryptions) == 3  # three of the five trustees
