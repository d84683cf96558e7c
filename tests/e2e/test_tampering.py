"""Soundness of `vecha verify`: tampered records fail, naming the check and the entry.

Two kinds of attacker. One edits the files (any single character of any value): the hash
chain and the signed checkpoints catch it. The other is the board itself, holding the
signing key: it rewrites entries and re-signs everything, so only the proofs and the
counting rules can catch it.

Every test runs twice: with the ballots' proofs checked in batches (§4.7, the default) and
one proof at a time (`--no-batch`); both must refuse the same records with the same error.
"""

from __future__ import annotations

import json
import random
import shutil
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto import ORDER, Scalar
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential, new_code
from vecha.errors import (
    Check,
    CheckFailed,
    InvalidBallot,
    InvalidEncoding,
    InvalidProof,
    InvalidSignature,
    RecordError,
    VechaError,
)
from vecha.testing.records import BuiltElection, build_election, read_lines, rewrite_record
from vecha.verify import verify_record as verify_batched

_batched = [True]  #: the mode of the test that runs


@pytest.fixture(autouse=True, params=[True, False], ids=["batched", "per-proof"])
def _verify_mode(request: pytest.FixtureRequest) -> Iterator[None]:
    _batched[0] = bool(request.param)
    yield
    _batched[0] = True


def verify_record(record: Path, **options: Any) -> Any:
    """`vecha.verify.verify_record` in the mode of the test that runs."""
    return verify_batched(record, batched=_batched[0], **options)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltElection:
    return build_election(tmp_path_factory.mktemp("election"))


@pytest.fixture
def record(built: BuiltElection, tmp_path: Path) -> Path:
    copy = tmp_path / "record"
    shutil.copytree(built.record, copy)
    return copy


def test_honest_record_verifies(built: BuiltElection) -> None:
    report = verify_record(built.record)
    assert report.ok, report.summary()
    assert report.counted == 3 and report.ballots == 4 and report.decryptions == 2


def _other_char(c: str, rng: random.Random) -> str:
    pool = string.hexdigits.lower()[:16] if c in "0123456789abcdef" else string.ascii_letters + string.digits
    return rng.choice([x for x in pool if x != c])


@pytest.mark.parametrize(
    ("name", "samples"),
    [("board.jsonl", 400), ("checkpoints.json", 150), ("record.json", 10_000), ("result.json", 150)],
)
def test_any_changed_character_fails(built: BuiltElection, tmp_path: Path, name: str, samples: int) -> None:
    if not _batched[0] and name != "board.jsonl":
        pytest.skip("only the board holds proofs: the other files are checked alike either way")
    rng = random.Random(name)
    original = (built.record / name).read_text(encoding="utf-8")
    # Every position inside a hex value, a number or a name is a candidate (all of record.json).
    positions = [i for i, c in enumerate(original) if c.isalnum()]
    for pos in rng.sample(positions, min(samples, len(positions))):
        copy = tmp_path / f"r{pos}"
        shutil.copytree(built.record, copy)
        text = original[:pos] + _other_char(original[pos], rng) + original[pos + 1 :]
        (copy / name).write_text(text, encoding="utf-8")
        report = verify_record(copy)
        assert not report.ok, f"{name}: changing position {pos} ({original[max(0, pos - 20) : pos + 5]!r}) passed"
        shutil.rmtree(copy)


def _entries_of(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["type"] == kind]


def _bump_hex(h: str) -> str:
    return ("1" if h[0] != "1" else "2") + h[1:]


def _failed(record: Path) -> CheckFailed:
    error = verify_record(record).error
    assert error is not None, "the record verified"
    return error


def _check(
    record: Path,
    key: Any,
    change: Callable[[list[dict[str, Any]]], dict[str, Any] | None],
    expect: str,
    cause: type[VechaError],
    check: Check = Check.BOARD,
) -> CheckFailed:
    """Rewrite the record as a dishonest board would (re-linked, re-signed), then assert that
    the verifier fails `check`, on the very entry that `change` returns (after re-linking:
    inserted and removed entries shift the others), with an error of kind `cause`."""
    concerned: list[dict[str, Any] | None] = []
    rewrite_record(record, key, lambda objs: concerned.append(change(objs)))
    report = verify_record(record)
    error = report.error
    assert error is not None, "the tampered record verified"
    entry = None if concerned[0] is None else concerned[0]["index"]
    assert (error.check, error.entry, error.cause) == (check, entry, cause), error
    assert expect in str(error), error
    return error


def test_rechained_forged_ciphertext(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "ballot")[0]
        c0, c1 = entry["payload"]["ballot"]["answers"][0]["choices"][:2]
        c0["beta"], c1["beta"] = c1["beta"], c0["beta"]  # move a mark to another option
        return entry

    _check(record, built.board_key, change, "signature", InvalidSignature)


def test_rechained_forged_proof_response(built: BuiltElection, record: Path) -> None:
    """A forged proof in a ballot that the voter did not sign again: the signature covers
    the proofs, so it is the signature that fails."""

    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "ballot")[1]
        entry["payload"]["ballot"]["answers"][1]["proofs"][0][0][3] = Scalar.random().hex()
        return entry

    _check(record, built.board_key, change, "credential signature does not verify", InvalidSignature)


def test_rechained_non_canonical_scalar(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "ballot")[0]
        signature = entry["payload"]["ballot"]["signature"]
        r = int.from_bytes(bytes.fromhex(signature["response"]), "little")
        signature["response"] = (r + ORDER).to_bytes(32, "little").hex()  # same value mod ℓ
        return entry

    _check(record, built.board_key, change, "non-canonical scalar", InvalidEncoding)


def test_rechained_identity_credential(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "ballot")[0]
        entry["payload"]["ballot"]["credential"] = "00" * 32
        return entry

    _check(record, built.board_key, change, "identity point", InvalidEncoding)


def test_rechained_invalid_point(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "ballot")[0]
        entry["payload"]["ballot"]["answers"][0]["choices"][0]["alpha"] = "01" + "00" * 31  # RFC 9496: negative
        return entry

    _check(record, built.board_key, change, "invalid ristretto255 point", InvalidEncoding)


def test_rechained_ballot_from_unlisted_credential(built: BuiltElection, record: Path) -> None:
    outsider = Credential.from_code(new_code(), built.context.fingerprint)
    ballot = encrypt_ballot(
        built.context,
        outsider,
        selections_from_labels(built.context.definition, {"council": ["South"], "yesno": ["No"]}),
    ).ballot.to_json()

    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        first = _entries_of(objs, "ballot")[0]
        inserted = {**first, "payload": {"ballot": ballot, "channel": "web"}}
        objs.insert(objs.index(first), inserted)
        return inserted

    _check(record, built.board_key, change, "not on the credential list", InvalidBallot)


def test_rechained_replay_from_another_election(built: BuiltElection, tmp_path: Path, record: Path) -> None:
    other = build_election(tmp_path / "other", voters=2, votes=[(0, {"council": ["North"], "yesno": ["No"]})])
    foreign = _entries_of(read_lines(other.record), "ballot")[0]["payload"]

    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        first = _entries_of(objs, "ballot")[0]
        inserted = {**first, "payload": foreign}
        objs.insert(objs.index(first), inserted)
        return inserted

    _check(record, built.board_key, change, "another election", InvalidBallot)


def test_rechained_duplicate_ballot(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        first = _entries_of(objs, "ballot")[0]
        copy = dict(first)
        objs.insert(objs.index(first) + 1, copy)
        return copy

    _check(record, built.board_key, change, "replay", InvalidBallot)


def test_rechained_dropped_ballot(built: BuiltElection, record: Path) -> None:
    """The tally names how many ballots it counts: one fewer on the board, and the tally
    entry is the one that breaks the counting rule."""

    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        objs.remove(_entries_of(objs, "ballot")[2])
        return _entries_of(objs, "tally")[0]

    _check(record, built.board_key, change, "the counting rule gives 2", RecordError)


def test_rechained_counting_rule_violation(built: BuiltElection, record: Path) -> None:
    # The board puts voter 1's replaced first ballot last, so that it would count instead, and
    # stops the record at the tally (the trustees' shares would not match a new tally anyway).
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        ballots = _entries_of(objs, "ballot")
        objs.remove(ballots[1])
        objs.insert(objs.index(ballots[3]) + 1, ballots[1])
        # re-timed too, as such a board would: cast in another second, it would otherwise
        # be caught earlier and for another reason (time going backwards)
        ballots[1]["time"] = ballots[3]["time"]
        for o in _entries_of(objs, "decryption") + _entries_of(objs, "result"):
            objs.remove(o)
        (record / "result.json").unlink()
        return _entries_of(objs, "tally")[0]

    _check(record, built.board_key, change, "not the sum of the counted ballots", RecordError, Check.AGGREGATE)


def test_rechained_forged_trustee_commitment(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "trustee")[1]
        commitments = entry["payload"]["commitments"]
        commitments[0], commitments[1] = commitments[1], commitments[0]
        return entry

    _check(record, built.board_key, change, "trustee 2: the proof of knowledge of its key", InvalidProof)


def test_rechained_forged_decryption_share(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "decryption")[0]
        row = entry["payload"]["shares"][0]
        row[0]["share"], row[1]["share"] = row[1]["share"], row[0]["share"]
        return entry

    _check(record, built.board_key, change, "decryption share", InvalidProof)


def test_rechained_altered_tally(built: BuiltElection, record: Path) -> None:
    """A swapped tally still names the right count, so the board's rules take it; the first
    trustee's decryption share was made for the real one, and its proof fails."""

    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        agg = _entries_of(objs, "tally")[0]["payload"]["aggregate"]
        agg[0][0], agg[0][1] = agg[0][1], agg[0][0]
        return _entries_of(objs, "decryption")[0]

    _check(record, built.board_key, change, "decryption share", InvalidProof)


def test_rechained_altered_result(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "result")[0]
        seats = entry["payload"]["questions"][0]["allocation"]["seats"]
        seats["North"], seats["South"] = seats["South"], seats["North"]
        return entry

    _check(record, built.board_key, change, "differs from the result recomputed from the shares", RecordError)


def test_rechained_altered_joint_key(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "joint-key")[0]
        entry["payload"]["public_key"] = _entries_of(objs, "trustee")[0]["payload"]["commitments"][0]
        return entry

    _check(record, built.board_key, change, "joint key is not the sum", InvalidProof)


def test_checkpoint_signed_by_another_key(built: BuiltElection, record: Path) -> None:
    from vecha.record.checkpoint import BoardKey

    _check(
        record,
        BoardKey(b"\x07" * 32),
        lambda objs: None,
        "signature does not verify",
        InvalidSignature,
        Check.CHECKPOINTS,
    )


def test_missing_and_broken_files(record: Path) -> None:
    (record / "checkpoints.json").write_text("[")
    broken = verify_record(record).error
    assert (
        broken is not None and (broken.check, broken.entry) == (Check.FILES, None) and "not valid JSON" in str(broken)
    )
    (record / "checkpoints.json").unlink()
    missing = verify_record(record).error
    assert missing is not None and missing.check is Check.FILES and "does not exist" in str(missing)
    nothing = verify_record(record.parent / "nothing-here").error
    assert nothing is not None and nothing.check is Check.FILES


def test_truncated_board(built: BuiltElection, record: Path) -> None:
    lines = (record / "board.jsonl").read_bytes().splitlines(keepends=True)
    (record / "board.jsonl").write_bytes(b"".join(lines[:-1]))
    assert not verify_record(record).ok
    (record / "board.jsonl").write_bytes(b"".join(lines)[:-1])  # unterminated last line
    assert not verify_record(record).ok


def test_cli_names_the_failing_check_and_entry(
    built: BuiltElection, record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vecha.cli.main import main

    target: list[int] = []

    def change(objs: list[dict[str, Any]]) -> None:
        entry = _entries_of(objs, "ballot")[2]
        entry["payload"]["ballot"]["answers"][1]["overall"][0][3] = Scalar.random().hex()
        target.append(entry["index"])

    rewrite_record(record, built.board_key, change)
    mode = [] if _batched[0] else ["--no-batch"]
    assert main(["verify", str(record), "--quiet", *mode]) == 1
    err = capsys.readouterr().err
    assert "FAILED check 'board" in err and f"entry {target[0]} (ballot)" in err
    # for programs: the failure as fields, the same the Python API reports
    assert main(["verify", str(record), "--quiet", "--json", *mode]) == 1
    failure = json.loads(capsys.readouterr().out)["failure"]
    assert {k: failure[k] for k in ("check", "entry", "kind")} == {
        "check": Check.BOARD.value,
        "entry": target[0],
        "kind": "InvalidSignature",
    }, failure


def test_election_without_ballots_publishes_vacant_seats(tmp_path: Path) -> None:
    empty = build_election(tmp_path, votes=[])
    report = verify_record(empty.record)
    assert report.ok, report.summary()
    council = empty.board.ledger.result["questions"][0]  # type: ignore[index]
    assert council["allocation"]["vacant"] == 3 and sum(council["allocation"]["seats"].values()) == 0


def test_a_receipt_proves_a_dropped_ballot(built: BuiltElection, record: Path) -> None:
    from vecha.election.ballot import Ballot
    from vecha.errors import RecordError
    from vecha.record.receipt import check_receipt

    victim = _entries_of(read_lines(record), "ballot")[2]
    tracker = Ballot.from_json(victim["payload"]["ballot"]).tracker()
    receipt = built.board.receipt(tracker, victim["index"])
    assert check_receipt(record, receipt) is True

    rewrite_record(record, built.board_key, lambda objs: objs.remove(_entries_of(objs, "ballot")[2]))
    with pytest.raises(RecordError, match="proves that an accepted ballot was dropped"):
        check_receipt(record, receipt)


def _replace_line(record: Path, index: int, edit: Callable[[str], str]) -> None:
    lines = (record / "board.jsonl").read_text(encoding="utf-8").split("\n")
    lines[index] = edit(lines[index])
    (record / "board.jsonl").write_text("\n".join(lines), encoding="utf-8")


def _retime(line: str, time: str) -> str:
    obj = json.loads(line)
    obj["time"] = time
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize(
    ("index", "edit", "expect"),
    [
        (0, lambda line: line.replace('"title":"Small test election"', '"title":"\\ud800"'), "lone surrogate"),
        (1, lambda line: _retime(line, "\u0662\u0660\u0662\u0666-01-01T00:00:00Z"), "entry time"),
        (1, lambda line: _retime(line, "2026-01-01T00:00:00Z\n"), "entry time"),
        (1, lambda line: _retime(line, "9999-99-99T99:99:99Z"), "entry time"),
    ],
)
def test_malformed_board_lines_fail_cleanly(record: Path, index: int, edit: Callable[[str], str], expect: str) -> None:
    """Finding 9: text a JSON parser accepts but that is not a valid record value is refused
    by name, not with a crash: a lone surrogate, times in other digits, with a newline, or no date."""
    _replace_line(record, index, edit)
    error = _failed(record)
    assert error.check is Check.BOARD and error.cause is InvalidEncoding and expect in str(error), error


def test_rechained_credential_that_is_not_a_string_fails_by_name(built: BuiltElection, record: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> dict[str, Any]:
        entry = _entries_of(objs, "credentials")[0]
        entry["payload"]["credentials"].append(7)
        return entry

    _check(record, built.board_key, change, "hex string", InvalidEncoding)


def test_a_tally_that_counts_true_is_refused(tmp_path: Path) -> None:
    """`True == 1` in Python: a tally whose `counted` is `true` must not pass for one ballot."""
    one = build_election(tmp_path / "one", votes=[(0, {"council": ["North"], "yesno": ["Yes"]})])
    rewrite_record(
        one.record, one.board_key, lambda objs: _entries_of(objs, "tally")[0]["payload"].update(counted=True)
    )
    error = _failed(one.record)
    tally = _entries_of(read_lines(one.record), "tally")[0]["index"]
    assert (error.check, error.entry, error.cause) == (Check.BOARD, tally, RecordError), error
    assert "counts True ballots" in str(error)


def test_a_result_entry_without_result_json_fails(record: Path) -> None:
    (record / "result.json").unlink()
    error = _failed(record)
    assert (error.check, error.entry) == (Check.RESULT_FILE, None) and "no result.json" in str(error), error
