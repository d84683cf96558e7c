"""A mix and its decryptions large enough to be read packed (record/packed_entries.py): the
board and the verifier read the same bytes as the ordinary parser does, and what the
ordinary parser refuses is refused too: an invalid point, a line that is not canonical."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto.canonical import CanonicalText
from vecha.crypto.rows import PackedRows
from vecha.record.archive import iter_board
from vecha.record.packed_entries import PackedShares, packed_entry
from vecha.testing.records import SMALL_DEFINITION, build_election, rewrite_record
from vecha.verify import verify_record

MIXED = {**SMALL_DEFINITION, "id": "large-mix", "mix": True}


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Any:
    votes = [
        (v, {"council": ["North / Bob" if v % 2 else "South"], "yesno": ["Yes" if v % 3 else "No"]}) for v in range(70)
    ]
    return build_election(tmp_path_factory.mktemp("large-mix"), definition=MIXED, votes=votes, voters=70)


def test_the_large_entries_are_read_packed_and_verify(large: Any) -> None:
    kinds = {}
    for entry in iter_board(large.record):
        if entry.type.value in ("mix", "mix-decryption"):
            value = entry.payload.get("ballots", entry.payload.get("shares"))
            kinds.setdefault(entry.type.value, set()).add(type(value))
    assert kinds == {"mix": {PackedRows}, "mix-decryption": {PackedShares}}
    proofs = {type(e.payload["proof"]) for e in iter_board(large.record) if e.type.value == "mix"}
    assert proofs == {CanonicalText}  # kept as its bytes, parsed where it is checked
    report = verify_record(large.record)
    assert report.ok, report.error
    result = large.board.ledger.result
    assert result["mixed"] == {"ballots": 70, "invalid": 0}
    assert result["questions"][1]["counts"] == {"Yes": 46, "No": 24}


def _first(objs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(o for o in objs if o["type"] == kind)


def test_an_invalid_point_in_a_large_mix_is_refused(large: Any, tmp_path: Path) -> None:
    import shutil

    record = tmp_path / "record"
    shutil.copytree(large.record, record)

    def bad_point(objs: list[dict[str, Any]]) -> None:
        _first(objs, "mix")["payload"]["ballots"][3][2]["beta"] = "ff" * 32

    rewrite_record(record, large.board_key, bad_point)
    report = verify_record(record)
    assert not report.ok and "invalid point" in str(report.error), report.error


def test_a_line_that_is_not_canonical_is_not_read_packed() -> None:
    ct = {"alpha": "00" * 32, "beta": "00" * 32}
    entry = {
        "election": "e",
        "index": 9,
        "parent": "00" * 32,
        "payload": {"ballots": [[ct] * 7] * 80, "mixer": 1, "proof": {}, "signature": "00" * 64},
        "time": "2026-01-01T00:00:00Z",
        "type": "mix",
        "version": 3,
    }
    canonical = json.dumps(entry, separators=(",", ":"), sort_keys=True).encode()
    assert packed_entry(canonical) is not None
    spaced = canonical.replace(b'"mixer":1', b'"mixer": 1')
    with pytest.raises(Exception, match="canonical"):
        packed_entry(spaced)
    ragged = json.dumps({**entry, "payload": {**entry["payload"], "ballots": [[ct] * 7] * 79 + [[ct] * 6]}},
                        separators=(",", ":"), sort_keys=True).encode()  # fmt: skip
    assert packed_entry(ragged) is None  # rows of two widths: the ordinary parser reads (and refuses) it


def test_a_mixs_proof_is_cut_out_of_its_line_exactly(large: Any) -> None:
    """What a verifier's worker checks is the proof on the board: the bytes it is given are
    the canonical JSON of the parsed proof, for a line read packed and a small one, and for
    an election id that holds the markers of the line's other members."""
    from vecha.crypto.canonical import canonical_bytes
    from vecha.record.entries import Entry

    mixes = [e for e in iter_board(large.record) if e.type.value == "mix"]
    assert mixes and all(e.raw is not None for e in mixes)
    for entry in mixes:
        proof = json.loads(entry.mix_proof_bytes())
        assert entry.mix_proof_bytes() == canonical_bytes(proof)
        assert proof == json.loads(json.dumps(json.loads(entry.raw)["payload"]["proof"]))
    ct = {"alpha": "00" * 32, "beta": "00" * 32}
    tricky = {
        "election": 'x","payload":{"ballots":[],"mixer":1,"proof":{"fake":1},"signature":"',
        "index": 4,
        "parent": "00" * 32,
        "payload": {"ballots": [[ct]], "mixer": 1, "proof": {"real": [1, 2]}, "signature": "ab" * 64},
        "time": "2026-01-01T00:00:00Z",
        "type": "mix",
        "version": 3,
    }
    line = canonical_bytes(tricky)
    assert Entry.from_canonical(line).mix_proof_bytes() == b'{"real":[1,2]}'
    assert Entry.from_json(tricky).mix_proof_bytes() == b'{"real":[1,2]}'  # no bytes to cut: encoded


@pytest.mark.parametrize("workers", [1, 2])
def test_a_proof_out_of_shape_in_a_large_mix_is_read_the_ordinary_way_and_refused(
    large: Any, tmp_path: Path, workers: int
) -> None:
    """A proof whose canonical shape the fast reading does not recognise (here a scalar in
    upper-case hex, which is still a JSON string) goes through the ordinary parser, and the
    proof's own decoding refuses it, with the workers or without."""
    import shutil

    record = tmp_path / "record"
    shutil.copytree(large.record, record)

    def upper(objs: list[dict[str, Any]]) -> None:
        proof = _first(objs, "mix")["payload"]["proof"]
        proof["s1"] = proof["s1"].upper()

    rewrite_record(record, large.board_key, upper)
    line = next(x for x in (record / "board.jsonl").read_bytes().splitlines() if b'"type":"mix"' in x[-80:])
    assert not isinstance(packed_entry(line)["payload"]["proof"], CanonicalText)
    report = verify_record(record, workers=workers)
    assert not report.ok and "s1" in str(report.error), report.error
