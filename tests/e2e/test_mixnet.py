"""A mixed election end to end (spec §7.5): the counted ballots are mixed by every trustee
in turn and decrypted one by one; the result is the one the homomorphic tally gives for the
same votes, and the record verifies. Then every way to cheat the mix phase, in the record
(caught by the verifier) and at the box (refused, the board unchanged): a mix that changes,
drops or reorders without re-encrypting, signed by another trustee, out of turn, twice, for
other inputs, after decryption started; a wrong decryption share; a forged result."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto.elgamal import encrypt
from vecha.crypto.group import Scalar
from vecha.election.mixing import decrypt_rows, make_mix, rows_to_json
from vecha.errors import ElectionError, InvalidEncoding, RecordError
from vecha.record.entries import EntryType
from vecha.store.organizer import add_decryption, add_mix, publish_result, tally
from vecha.testing.records import SMALL_DEFINITION, build_election, fixed_identities, read_lines, rewrite_record
from vecha.verify import verify_record

MIXED = {**SMALL_DEFINITION, "id": "mixed-test", "mix": True}
VOTES = [
    (0, {"council": ["North"], "yesno": ["Yes"]}),
    (1, {"council": ["North / Bob"], "yesno": ["No"]}),
    (2, {"council": ["South / Cat"], "yesno": ["Yes"]}),
    (1, {"council": ["South"], "yesno": ["Yes"]}),  # a re-vote: only this one of voter 1's counts
]


def test_a_mixed_election_gives_the_tallys_result_and_verifies(tmp_path: Path) -> None:
    mixed = build_election(tmp_path / "mixed", definition=MIXED, votes=VOTES)
    added = build_election(tmp_path / "added", votes=VOTES)
    types = [e["type"] for e in read_lines(mixed.record)]
    assert types.count("mix") == 3 and types.count("mix-decryption") == 2 and "tally" not in types
    report = verify_record(mixed.record)
    assert report.ok, report.error
    a, b = mixed.board.ledger.result, added.board.ledger.result
    assert a is not None and b is not None
    # the same numbers; a mixed count also says how many answers were invalid (none here)
    assert [q.pop("invalid") for q in a["questions"]] == [0] * len(b["questions"])
    assert a["questions"] == b["questions"] and a["counted"] == b["counted"] == 3
    assert a["mixed"] == {"ballots": 3, "invalid": 0}
    # the mixed ballots are the counted ones, decrypted, in an order nobody chose alone
    opened = mixed.board.ledger.opened_ballots()
    assert sorted(opened) == sorted([[1, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 0, 1, 0]])


def test_a_mixed_election_without_ballots(tmp_path: Path) -> None:
    e = build_election(tmp_path, definition=MIXED, votes=[])
    assert [x["type"] for x in read_lines(e.record)][-2:] == ["close", "result"]
    assert verify_record(e.record).ok
    assert e.board.ledger.result is not None and e.board.ledger.result["counted"] == 0


def _mix_entries(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objs if o["type"] == "mix"]


def _tampered(tmp_path: Path, change: Any, expect: str) -> None:
    e = build_election(tmp_path, definition=MIXED, votes=VOTES)
    rewrite_record(e.record, e.board_key, change)
    for workers in (1, 2):  # checked here, and handed to worker processes
        report = verify_record(e.record, workers=workers)
        assert not report.ok
        assert expect in str(report.error), (workers, report.error)


def test_a_mix_that_changes_a_vote_is_caught(tmp_path: Path) -> None:
    """Trustee 2, mixing, adds a vote to a ballot and signs its mix: the proof catches it."""

    def change(objs: list[dict[str, Any]]) -> None:
        mix = _mix_entries(objs)[1]["payload"]
        ct = mix["ballots"][0][0]
        ct["beta"] = encrypt_one_more(ct)
        body = {k: v for k, v in mix.items() if k != "signature"}
        mix["signature"] = fixed_identities(3)[1].sign("mix", _fingerprint(objs), body).hex()

    _tampered(tmp_path, change, "the shuffle proof does not verify")


def encrypt_one_more(ct: dict[str, str]) -> str:
    from vecha.crypto.encoding import point_from_hex
    from vecha.crypto.group import GENERATOR

    return (point_from_hex(ct["beta"], "beta") + GENERATOR).hex()


def test_a_mix_signed_by_another_trustee_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        first = _mix_entries(objs)[0]["payload"]
        body = {k: v for k, v in first.items() if k != "signature"}
        first["signature"] = fixed_identities(3)[1].sign("mix", _fingerprint(objs), body).hex()

    _tampered(tmp_path, change, "not signed by trustee 1")


def _fingerprint(objs: list[dict[str, Any]]) -> bytes:
    from vecha.record.entries import Entry

    return Entry.from_json(objs[0]).hash()


def test_a_wrong_decryption_share_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        dec = next(o for o in objs if o["type"] == "mix-decryption")["payload"]
        dec["shares"][0][0]["share"], dec["shares"][1][0]["share"] = (
            dec["shares"][1][0]["share"],
            dec["shares"][0][0]["share"],
        )

    _tampered(tmp_path, change, "invalid proof")


def test_a_forged_result_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[-1]["payload"]["mixed"]["invalid"] = 1

    _tampered(tmp_path, change, "differs from the result recomputed")


def test_the_box_refuses_every_bad_mix_and_changes_nothing(tmp_path: Path) -> None:
    e = build_election(tmp_path, definition=MIXED, votes=VOTES, stop_after=EntryType.CLOSE)
    board, ledger = e.board, e.board.ledger
    fp, key, ids = ledger.fingerprint, ledger.context().public_key, fixed_identities(3)
    inputs = ledger.mix_inputs()
    good = make_mix(fp, key, ids[0], 1, inputs).to_json()

    def refused(payload: Any, error: type[Exception] = RecordError) -> None:
        height = board.ledger.height
        with pytest.raises(error):
            add_mix(board, payload)
        assert board.ledger.height == height

    with pytest.raises(ElectionError):
        tally(board)  # a mixed election has no tally
    refused(make_mix(fp, key, ids[1], 2, inputs).to_json())  # out of turn
    refused({**good, "mixer": 2})  # another trustee's number on trustee 1's mix
    short = copy.deepcopy(good)
    short["ballots"] = short["ballots"][:-1]
    refused(short)  # wrong length
    bad_point = copy.deepcopy(good)
    bad_point["ballots"][0][0]["alpha"] = "ff" * 32
    refused(bad_point)  # not a point
    other = [tuple(encrypt(key, 1, Scalar.random()) for _ in row) for row in inputs]
    refused(make_mix(fp, key, ids[0], 1, other).to_json())  # a proof for other inputs
    passed_on = copy.deepcopy(good)
    passed_on["ballots"] = rows_to_json(inputs)
    refused(passed_on)  # not re-encrypted (and the proof is for other outputs)
    add_mix(board, good)
    refused(good)  # the same mix twice
    for j in (2, 3):
        add_mix(board, make_mix(fp, key, ids[j - 1], j, board.ledger.mix_inputs()).to_json())
    shares = decrypt_rows(fp, e.trustees[0], board.ledger.mixed)
    add_decryption(board, 1, [[s.to_json() for s in row] for row in shares])
    with pytest.raises(ElectionError):
        add_mix(board, good)  # a mix after the decryption started
    with pytest.raises(RecordError):
        add_decryption(board, 1, [[s.to_json() for s in row] for row in shares])  # twice
    with pytest.raises(RecordError):  # shares of the wrong shape
        add_decryption(board, 2, [[s.to_json() for s in row[:-1]] for row in shares])
    with pytest.raises(ElectionError):
        publish_result(board)  # one decryption; the threshold is two
    shares3 = decrypt_rows(fp, e.trustees[2], board.ledger.mixed)
    add_decryption(board, 3, [[s.to_json() for s in row] for row in shares3])
    result = publish_result(board)
    assert result["mixed"] == {"ballots": 3, "invalid": 0}


def test_a_homomorphic_election_takes_no_mix(tmp_path: Path) -> None:
    e = build_election(tmp_path, votes=VOTES, stop_after=EntryType.TALLY)
    with pytest.raises((ElectionError, InvalidEncoding)):
        add_mix(e.board, {"mixer": 1})


def test_a_mixed_election_over_http_with_the_trustees_commands(tmp_path: Path) -> None:
    """Each trustee mixes with `vecha trustee mix --server` (verifying the record first; the
    wrong trustee, out of turn, is told who is next), then decrypts with `vecha trustee
    decrypt --server`; the organizer publishes with `vecha combine --server`; the record
    verifies. Locally, `vecha mix FILE` puts a trustee's mix file on a board."""
    import json

    import httpx

    from vecha.cli.main import main
    from vecha.store.tokens import Role, create_token
    from vecha.testing.live import LiveServer

    e = build_election(tmp_path / "box", definition=MIXED, votes=VOTES, stop_after=EntryType.CLOSE)
    engine, eid = e.board.engine, e.board.election_id
    for j, ident in enumerate(fixed_identities(3), start=1):
        (tmp_path / f"t{j}.identity.json").write_text(json.dumps(ident.to_json()))
        (tmp_path / f"t{j}.secret.json").write_text(json.dumps(e.trustees[j - 1].to_json()))
    tokens = {j: create_token(engine, Role.TRUSTEE, f"t{j}", eid, trustee=j) for j in (1, 2, 3)}
    organizer = create_token(engine, Role.ORGANIZER, "organizer", eid)
    with LiveServer(engine) as box:
        remote = ["--server", box.url, "--id", eid]
        assert (
            main(["trustee", "mix", "--identity", str(tmp_path / "t2.identity.json"), *remote, "--token", tokens[2]])
            == 1
        )
        mixes = f"{box.url}/api/v1/elections/{eid}/mixes"
        as_first = {"Authorization": f"Bearer {tokens[1]}"}
        assert httpx.post(mixes, json={"mixer": 2}, headers=as_first).status_code == 403  # not its turn's index
        assert httpx.post(mixes, json={"mixer": 1}).status_code == 401  # no token
        for j in (1, 2, 3):
            args = [
                "trustee",
                "mix",
                "--identity",
                str(tmp_path / f"t{j}.identity.json"),
                *remote,
                "--token",
                tokens[j],
            ]
            assert main(args) == 0, j
        assert main(["trustee", "mix", "--identity", str(tmp_path / "t1.identity.json"), *remote]) == 1  # done
        decryptions = f"{box.url}/api/v1/elections/{eid}/decryptions"
        bad_json = httpx.post(decryptions, content=b"{not json", headers=as_first)
        assert (bad_json.status_code, bad_json.json()["error"]) == (400, "malformed-json")
        bad_field = httpx.post(decryptions, json={"election": "zz", "trustee": 1, "shares": []}, headers=as_first)
        assert (bad_field.status_code, bad_field.json()["error"]) == (422, "invalid-request")
        for j in (1, 3):
            args = [
                "trustee",
                "decrypt",
                "--secret",
                str(tmp_path / f"t{j}.secret.json"),
                *remote,
                "--token",
                tokens[j],
            ]
            assert main([*args, "--no-observers"]) == 0, j
        assert main(["combine", *remote, "--token", organizer]) == 0
        assert main(["export", "--out", str(tmp_path / "record"), *remote]) == 0
    assert verify_record(tmp_path / "record").ok
    result = json.loads((tmp_path / "record" / "result.json").read_text())
    assert result["mixed"] == {"ballots": 3, "invalid": 0} and result["counted"] == 3
    # the same first mix, as a file, on a local copy of the board at the close
    local = build_election(tmp_path / "local", definition=MIXED, votes=VOTES, stop_after=EntryType.CLOSE)
    local.board.engine.dispose()
    db = str(tmp_path / "local" / "box.sqlite")
    assert main(["export", "--out", str(tmp_path / "closed"), "--db", db]) == 0
    mix_file = tmp_path / "mix1.json"
    args = ["trustee", "mix", "--identity", str(tmp_path / "t1.identity.json"), "--record", str(tmp_path / "closed")]
    assert main([*args, "--out", str(mix_file)]) == 0
    assert main(["mix", str(mix_file), "--db", db]) == 0
    assert main(["mix", str(mix_file), "--db", db]) == 1  # the same mix twice: refused


def test_a_large_mix_is_taken_as_canonical_bytes_and_anything_else_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mix over the size the box parses as any JSON (1 MiB; 0 here, so that a small
    election's mixes take that path) must be canonical JSON: the board assembles the entry's
    line around the bytes and reads it packed. The same bytes with spaces, a body that names
    another mixer, one that reaches outside the payload, and a changed ciphertext are
    refused, and the board is unchanged; the honest canonical mixes go on and verify."""
    import json

    import httpx

    from vecha.crypto.canonical import canonical_bytes
    from vecha.server import admin
    from vecha.store.tokens import Role, create_token
    from vecha.testing.live import LiveServer

    monkeypatch.setattr(admin, "SMALL_MIX", 0)
    e = build_election(tmp_path / "box", definition=MIXED, votes=VOTES, stop_after=EntryType.CLOSE)
    engine, eid, ledger = e.board.engine, e.board.election_id, e.board.ledger
    tokens = {j: create_token(engine, Role.TRUSTEE, f"t{j}", eid, trustee=j) for j in (1, 2, 3)}
    first = make_mix(ledger.fingerprint, ledger.context().public_key, fixed_identities(3)[0], 1, ledger.mix_inputs())
    honest = canonical_bytes(first.to_json())
    with LiveServer(engine) as box:
        url = f"{box.url}/api/v1/elections/{eid}/mixes"

        def post(body: bytes, trustee: int = 1) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[trustee]}", "content-type": "application/json"}
            return httpx.post(url, content=body, headers=headers, timeout=60)

        def height() -> int:
            page = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()
            count: int = page["height"]
            return count

        before = height()
        spaced = json.dumps(first.to_json(), sort_keys=True).encode()
        changed = json.loads(honest)
        changed["ballots"][0][0]["beta"] = encrypt_one_more(changed["ballots"][0][0])
        outside = honest[:-1] + b',"zz":1}'  # still one object, but not the mix's members
        smuggled = honest + b',"time":"2026-01-01T00:00:00Z"'
        refused = (409, 422)  # the board's refusal (rejected-by-board), or a body it cannot read
        for body, trustee, statuses in (
            (spaced, 1, refused),
            (honest, 2, (403,)),
            (smuggled, 1, refused),
            (outside, 1, refused),
            (canonical_bytes(changed), 1, refused),
        ):
            r = post(body, trustee)
            assert r.status_code in statuses, (statuses, r.text)
            assert height() == before
        assert post(honest).status_code == 200 and height() == before + 1
        assert post(honest).status_code in (409, 422) and height() == before + 1  # the same mix twice
        e.board.refresh()
        for j in (2, 3):
            mix = make_mix(
                ledger.fingerprint,
                ledger.context().public_key,
                fixed_identities(3)[j - 1],
                j,
                e.board.ledger.mix_inputs(),
            )
            assert post(canonical_bytes(mix.to_json()), j).status_code == 200
            e.board.refresh()
    assert e.board.ledger.mixes == 3
    stored = [x for x in e.board.entries() if x.type is EntryType.MIX]
    assert stored[0].canonical().count(honest) == 1  # the trustee's bytes are the entry's payload


def test_large_decryptions_are_sent_and_taken_as_canonical_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mixed ballots' decryption over the size the box parses as any JSON (0 here, so that
    a small election takes that path): `vecha trustee mix` and `vecha trustee decrypt` send
    canonical JSON made without an object per ciphertext or share; the board reads the
    shares packed. A body with spaces, one naming another trustee, one for another election
    and one with a changed share are refused and the board is unchanged; the honest ones go
    on, the result is published and the record verifies."""
    import json

    import httpx

    from vecha.cli.main import main
    from vecha.server import admin
    from vecha.store.tokens import Role, create_token
    from vecha.testing.live import LiveServer

    monkeypatch.setattr(admin, "SMALL_MIX", 0)
    e = build_election(tmp_path / "box", definition=MIXED, votes=VOTES, stop_after=EntryType.CLOSE)
    engine, eid = e.board.engine, e.board.election_id
    for j, ident in enumerate(fixed_identities(3), start=1):
        (tmp_path / f"t{j}.identity.json").write_text(json.dumps(ident.to_json()))
        (tmp_path / f"t{j}.secret.json").write_text(json.dumps(e.trustees[j - 1].to_json()))
    tokens = {j: create_token(engine, Role.TRUSTEE, f"t{j}", eid, trustee=j) for j in (1, 2, 3)}
    organizer = create_token(engine, Role.ORGANIZER, "organizer", eid)
    with LiveServer(engine) as box:
        remote = ["--server", box.url, "--id", eid]
        for j in (1, 2, 3):
            identity = str(tmp_path / f"t{j}.identity.json")
            assert main(["trustee", "mix", "--identity", identity, *remote, "--token", tokens[j]]) == 0, j
        # trustee 1's decryption, as a file first: canonical JSON, posted by hand in bad forms
        secret1 = str(tmp_path / "t1.secret.json")
        out = tmp_path / "d1.json"
        e.board.refresh()
        assert main(["export", "--out", str(tmp_path / "mixed"), *remote]) == 0
        assert (
            main(
                [
                    "trustee",
                    "decrypt",
                    "--secret",
                    secret1,
                    "--record",
                    str(tmp_path / "mixed"),
                    "--out",
                    str(out),
                    "--no-observers",
                ]
            )
            == 0
        )
        honest = out.read_bytes()
        assert (
            json.loads(honest)["trustee"] == 1
            and honest == json.dumps(json.loads(honest), sort_keys=True, separators=(",", ":")).encode()
        )
        url = f"{box.url}/api/v1/elections/{eid}/decryptions"

        def post(body: bytes, trustee: int = 1) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[trustee]}", "content-type": "application/json"}
            return httpx.post(url, content=body, headers=headers, timeout=60)

        def height() -> int:
            page = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()
            count: int = page["height"]
            return count

        before = height()
        changed = json.loads(honest)
        changed["shares"][0][0]["share"] = changed["shares"][0][1]["share"]
        other = json.loads(honest)
        other["election"] = "00" * 32
        canonical = lambda obj: json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()  # noqa: E731
        for body, trustee, statuses in (
            (json.dumps(json.loads(honest), sort_keys=True).encode(), 1, (409, 422)),  # spaces: not canonical
            (honest, 3, (403,)),  # trustee 3 sending trustee 1's
            (canonical(other), 1, (422,)),
            (canonical(changed), 1, (409, 422)),  # its proof no longer verifies
            (honest + b',"zz":1}', 1, (409, 422)),
        ):
            r = post(body, trustee)
            assert r.status_code in statuses, (statuses, r.status_code, r.text)
            assert height() == before
        assert post(honest).status_code == 200 and height() == before + 1
        assert post(honest).status_code in (409, 422) and height() == before + 1  # the same one again
        secret3 = str(tmp_path / "t3.secret.json")
        assert main(["trustee", "decrypt", "--secret", secret3, *remote, "--token", tokens[3], "--no-observers"]) == 0
        assert main(["combine", *remote, "--token", organizer]) == 0
        assert main(["export", "--out", str(tmp_path / "record"), *remote]) == 0
    kinds = [x.type for x in e.board.entries()]
    assert kinds.count(EntryType.MIX_DECRYPTION) == 2
    assert verify_record(tmp_path / "record").ok
    result = json.loads((tmp_path / "record" / "result.json").read_text())
    assert result["mixed"] == {"ballots": 3, "invalid": 0} and result["counted"] == 3


def test_combine_takes_canonical_decryption_files_as_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`vecha combine FILE…` on a mixed election's decryption files (canonical JSON, as
    `vecha trustee decrypt` writes them) never parses their shares: each goes on the board as
    its payload's bytes, read packed. A decryption already on the board given again is taken
    as there; another one for that trustee is refused, and nothing is written; a file with
    a changed share is refused the same way. The result is published and the record verifies."""
    import json

    from vecha.cli import boxes
    from vecha.cli.main import main
    from vecha.crypto.group import GENERATOR
    from vecha.election.mixing import decrypt_rows_canonical
    from vecha.store import organizer

    e = build_election(tmp_path / "box", definition=MIXED, votes=VOTES, stop_after=EntryType.MIX)
    board, fp = e.board, e.board.ledger.fingerprint

    def file_of(j: int, secret_of: int | None = None) -> Path:
        shares = decrypt_rows_canonical(fp, e.trustees[(secret_of or j) - 1], board.ledger.mixed)
        path = tmp_path / f"d{j}-{secret_of}.json"
        path.write_bytes(b'{"election":"%b","shares":%b,"trustee":%d}\n' % (fp.hex().encode(), shares, j))
        return path

    parsed: list[object] = []
    real_loads = json.loads
    monkeypatch.setattr(boxes, "read_json", lambda *a: parsed.append(a) or real_loads(Path(a[0]).read_text()))
    first, third = file_of(1), file_of(3)  # each decryption's proofs are fresh: made once
    read = boxes.read_decryption_file(first)
    assert isinstance(read["shares"], bytes) and read["trustee"] == 1 and read["election"] == fp.hex()
    # trustee 1 uploaded already (as through the box's route); then the organizer combines from files
    organizer.add_decryption(board, 1, read["shares"])
    height = board.ledger.height
    db = str(tmp_path / "box" / "box.sqlite")
    board.engine.dispose()
    forged = file_of(1, secret_of=2)  # trustee 2's shares under trustee 1's name
    assert main(["combine", str(forged), str(third), "--db", db]) == 1
    assert "trustee 1 already decrypted, with other shares" in capsys.readouterr().err
    changed = tmp_path / "changed.json"
    text = third.read_bytes()
    at = text.index(b'"share":"') + len(b'"share":"')  # the first share: another valid point
    changed.write_bytes(text[:at] + GENERATOR.hex().encode() + text[at + 64 :])
    assert main(["combine", str(first), str(changed), "--db", db]) == 1
    refused = capsys.readouterr().err
    assert "trustee 3: decryption share for mixed ballot 0, ciphertext 0 has an invalid proof" in refused
    board.refresh()
    assert board.ledger.height == height  # neither wrote anything
    assert main(["combine", str(first), str(third), "--db", db]) == 0
    assert parsed == []  # no decryption file was parsed as JSON
    board.refresh()
    assert board.ledger.phase.name == "DONE"
    assert main(["export", "--db", db, "--out", str(tmp_path / "record")]) == 0
    assert verify_record(tmp_path / "record").ok
