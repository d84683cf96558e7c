"""A coercion-resistant election end to end (docs/coercion.md; spec §6.10, §7.6), through the
box's store and an exported record: registrars blind-sign roll entries; voters vote with
their real code and with fake ones, re-vote naming their last ballot or not (a fork), name
someone else's ballot, flood a fake code; the trustees mix, raise, decrypt tags, resolve
the forks, mix the kept rows and the roll, match and decrypt. Exactly the last ballot of
each registered code counts, and `vecha verify` agrees from the record alone.

Then every party in the middle of the count, cheating: a trustee raising with two
exponents, relaying another trustee's or another election's raising, posting out of turn
or twice, decrypting with the wrong key or for the wrong step, a mixer dropping a row; a
board that rewrites a raising, a tag share or the result. Each is refused by the box with
the board unchanged, or caught by the verifier."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from vecha.crypto.group import GENERATOR, Scalar
from vecha.election.coercion import raise_column, tag_shares
from vecha.election.coercion_ballot import make_coercion_ballot
from vecha.election.mixing import make_mix
from vecha.election.trustees import local_ceremony
from vecha.errors import InvalidEncoding, RecordError
from vecha.record.coercion_count import Step
from vecha.record.entries import Entry, EntryType
from vecha.store.board import Board, open_store
from vecha.store.coercion import add_count_entry, register_roll_entry
from vecha.store.organizer import close_voting, open_voting, post_registrar_count, record_ceremony
from vecha.testing.coercion import (
    COERCION_DEFINITION,
    CoercionElection,
    coercion_election,
    fresh_code,
    registrar_count,
    run_count,
    sign_roll_entry,
)
from vecha.testing.records import fixed_identities, read_lines, rewrite_record
from vecha.testing.registration import make_registrars, with_registration
from vecha.verify import verify_record

YES, NO = {"yesno": ["Yes"]}, {"yesno": ["No"]}


def _election(tmp_path: Path) -> CoercionElection:
    """Four registered voters and one roll entry nobody votes with. Alice re-votes naming her
    last ballot and hands a fake code to a coercer, who votes with it twice and floods it;
    Bob re-votes once naming his ballot, then from a second device without it (a fork: his
    latest ballot counts); Carol names Alice's ballot (which replaces nothing); Dave
    abstains; someone with no registration votes."""
    e = coercion_election(tmp_path, voters=4, unregistered_roll=1)
    alice, bob, carol, _dave = e.voters
    e.revote(alice, NO)
    fake = fresh_code()
    e.vote(fake, YES)
    e.vote(fake, YES)
    for _ in range(3):
        e.vote(fake, YES)
    e.revote(alice, YES)
    e.revote(bob, NO)
    e.revote(bob, YES)
    e.revote(bob, NO, name_last=False)
    assert alice.last is not None
    e.vote(carol.code, NO, replaces=alice.last)
    e.vote(fresh_code(), NO)
    return e


def test_exactly_the_last_ballot_of_each_registered_code_counts_and_the_record_verifies(tmp_path: Path) -> None:
    e = _election(tmp_path)
    run_count(e)
    result = e.board.ledger.result
    assert result is not None
    # Alice: Yes (her last); Bob: No (his latest chain end); Carol: No. The fake code's five
    # ballots, the stranger's and the abstainer's roll entry count for nothing.
    assert result["questions"][0]["counts"] == {"Yes": 1, "No": 2}
    assert result["counted"] == 3
    assert result["coercion"] == {"ballots": 12, "kept": 5, "forks": 2, "roll": 5, "counted": 3, "unmatched": 2}
    types = [x["type"] for x in read_lines(e.record)]
    assert types.count("roll-entry") == 5 and types.count("ballot") == 12
    assert types.count("mix") == 9  # the ballots, the kept rows and the roll, by each of 3 trustees
    assert types.count("raising") == 9 and types.count("tag-decryption") == 8  # 4 kinds × 2 trustees
    for workers in (1, 2):  # checked here, and handed to worker processes
        report = verify_record(e.record, workers=workers)
        assert report.ok, report.error
        assert (report.credentials, report.ballots, report.counted) == (5, 12, 3)


def test_no_fork_skips_the_own_link_decryption_and_no_ballot_gives_an_empty_result(tmp_path: Path) -> None:
    e = coercion_election(tmp_path / "one", voters=2)
    e.revote(e.voters[0], NO)
    e.revote(e.voters[0], YES)
    run_count(e)
    types = [x["type"] for x in read_lines(e.record)]
    assert types.count("tag-decryption") == 6  # no own-link step: nobody forked
    assert e.board.ledger.result is not None and e.board.ledger.result["questions"][0]["counts"] == {"Yes": 1, "No": 0}
    assert verify_record(e.record).ok
    empty = coercion_election(tmp_path / "none", voters=2)
    run_count(empty)
    assert [x["type"] for x in read_lines(empty.record)][-2:] == ["close", "result"]
    assert empty.board.ledger.result is not None and empty.board.ledger.result["counted"] == 0
    assert verify_record(empty.record).ok


def test_only_fake_codes_count_for_nothing(tmp_path: Path) -> None:
    e = coercion_election(tmp_path, voters=2)
    for _ in range(3):
        e.vote(fresh_code(), YES)
    run_count(e)
    result = e.board.ledger.result
    assert result is not None and result["counted"] == 0 and result["coercion"]["unmatched"] == 3
    assert not any(x["type"] == "mix-decryption" for x in read_lines(e.record))
    assert verify_record(e.record).ok


def test_a_fake_code_gets_the_same_answer_from_the_box_as_the_real_one(tmp_path: Path) -> None:
    e = coercion_election(tmp_path, voters=1)
    real = make_coercion_ballot(e.ctx, e.voters[0].code, [[1, 0]]).ballot
    fake = make_coercion_ballot(e.ctx, fresh_code(), [[1, 0]]).ballot
    receipts = [e.board.cast(b.to_json()) for b in (real, fake)]
    for r, b in zip(receipts, (real, fake), strict=True):
        assert r.tracker == b.tracker() and r.verify(e.board.key.public) is None
    entries = [x for x in read_lines_of(e) if x["type"] == "ballot"]
    assert {frozenset(x["payload"]["ballot"]) for x in entries} == {
        frozenset({"election", "credential", "predecessor", "answers", "signature"})
    }
    assert e.board.cast(real.to_json()) == receipts[0]  # again: the same receipt, nothing added


def read_lines_of(e: CoercionElection) -> list[dict[str, Any]]:
    return [x.to_json() for x in e.board.entries()]


# ---- registration -----------------------------------------------------------------------


def test_a_roll_entry_after_voting_opened_is_refused(tmp_path: Path) -> None:
    """Registration closes before the vote opens: a coercer handed a code could otherwise
    have it registered again and watch the roll's tags for a duplicate."""
    e = coercion_election(tmp_path, voters=1)
    height = e.board.ledger.height
    with pytest.raises(RecordError, match="before voting opens"):
        register_roll_entry(
            e.board, sign_roll_entry(e.board.ledger.fingerprint, e.ctx.public_key, fresh_code(), e.setups).to_json()
        )
    assert e.board.ledger.height == height


def test_roll_entries_are_checked_while_registration_is_open(tmp_path: Path) -> None:
    setups = make_registrars(["north", "south"])
    definition = with_registration(COERCION_DEFINITION, setups, required=2)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    with pytest.raises(RecordError):  # before the key ceremony
        register_roll_entry(board, sign_roll_entry(fp, GENERATOR, fresh_code(), setups).to_json())
    _, anns, confs = local_ceremony(fp, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    key = board.ledger.context().public_key
    good = sign_roll_entry(fp, key, fresh_code(), setups).to_json()

    def refused(payload: Any, error: type[Exception] = RecordError) -> None:
        height = board.ledger.height
        with pytest.raises(error):
            register_roll_entry(board, payload)
        assert board.ledger.height == height

    rerandomized = copy.deepcopy(good)  # R + E(0): the same credential, the signatures lost
    rerandomized["credential"]["alpha"] = (GENERATOR + _point(good["credential"]["alpha"])).hex()
    rerandomized["credential"]["beta"] = (key + _point(good["credential"]["beta"])).hex()
    refused(rerandomized)
    one_signature = {**good, "signatures": good["signatures"][:1]}
    refused(one_signature)  # two registrars must sign
    other_election = sign_roll_entry(bytes(32), key, fresh_code(), setups).to_json()
    refused(other_election)
    stolen_proof = {**good, "proof": other_election["proof"]}
    refused(stolen_proof)
    refused({**good, "signatures": []}, InvalidEncoding)
    assert register_roll_entry(board, good) is True
    assert register_roll_entry(board, good) is False  # the same entry again: nothing added
    with pytest.raises(RecordError, match="roll entries, not public credentials"):
        board.append(EntryType.SIGNED_CREDENTIAL, {"credential": GENERATOR.hex(), "signatures": good["signatures"]})
    for s in setups:
        post_registrar_count(board, registrar_count(s, fp, 1))
    refused(sign_roll_entry(fp, key, fresh_code(), setups).to_json())  # past every registrar's count
    open_voting(board)
    assert len(board.ledger.book.roll_seen) == 1


def _point(text: str):  # type: ignore[no-untyped-def]
    from vecha.crypto.encoding import point_from_hex

    return point_from_hex(text, "point")


# ---- the count's boundaries ---------------------------------------------------------------


def _at(tmp_path: Path, step: Step) -> CoercionElection:
    """The election of `_election`, its count run up to `step`."""
    e = _election(tmp_path)
    run_count(e, until=lambda s: s is step, export=False)
    assert e.board.ledger.coercion is not None and e.board.ledger.coercion.step is step
    return e


def _refused(e: CoercionElection, kind: EntryType, payload: Any, error: type[Exception] = RecordError) -> None:
    height = e.board.ledger.height
    with pytest.raises(error):
        add_count_entry(e.board, kind, payload)
    assert e.board.ledger.height == height


def test_the_box_refuses_every_bad_raising_and_changes_nothing(tmp_path: Path) -> None:
    e = _at(tmp_path, Step.RAISE_GROUP)
    count, ids = e.board.ledger.coercion, fixed_identities(3)
    assert count is not None
    fp, inputs = count.fingerprint, count.current
    good = raise_column(fp, ids[0], 1, Scalar.random_nonzero(), "tag-group", inputs)
    _refused(e, EntryType.RAISING, raise_column(fp, ids[1], 2, Scalar.random(), "tag-group", inputs).to_json())
    _refused(e, EntryType.RAISING, raise_column(fp, ids[0], 1, Scalar.random(), "tag-link", inputs).to_json())
    _refused(e, EntryType.RAISING, {**good.to_json(), "trustee": 2})  # relayed as trustee 2's
    _refused(e, EntryType.RAISING, {**good.to_json(), "kind": "tag-match"})  # relayed as another kind
    other = raise_column(bytes(32), ids[0], 1, Scalar.random(), "tag-group", inputs)
    _refused(e, EntryType.RAISING, other.to_json())  # another election's
    two = good.to_json()  # one ciphertext raised otherwise, signed by the trustee itself
    two["ciphertexts"][0][0]["beta"] = (_point(two["ciphertexts"][0][0]["beta"]) + GENERATOR).hex()
    body = {k: v for k, v in two.items() if k != "signature"}
    two["signature"] = ids[0].sign("raising", fp, body).hex()
    _refused(e, EntryType.RAISING, two)
    short = good.to_json()
    short["ciphertexts"] = short["ciphertexts"][:-1]
    _refused(e, EntryType.RAISING, short)
    _refused(e, EntryType.RAISING, {**good.to_json(), "key": "00" * 32})  # exponent zero
    mix = make_mix(fp, count.key, ids[0], 1, inputs)
    _refused(e, EntryType.MIX, mix.to_json())  # a mix where a raising is due
    add_count_entry(e.board, EntryType.RAISING, good.to_json(), trustee=1)
    _refused(e, EntryType.RAISING, good.to_json())  # twice


def test_the_box_refuses_every_bad_tag_decryption_and_changes_nothing(tmp_path: Path) -> None:
    e = _at(tmp_path, Step.DECRYPT_GROUP)
    count = e.board.ledger.coercion
    assert count is not None
    fp, raised = count.fingerprint, count.current
    x = {s.index: s.key_share for s in e.trustees}
    good = tag_shares(fp, "tag-group", 1, x[1], raised)
    assert x[2] is not None
    _refused(e, EntryType.TAG_DECRYPTION, {**good.to_json(), "trustee": 2})  # trustee 1's as trustee 2's
    _refused(e, EntryType.TAG_DECRYPTION, tag_shares(fp, "tag-link", 1, x[1], raised).to_json())  # another step
    _refused(e, EntryType.TAG_DECRYPTION, tag_shares(fp, "own-link", 1, x[1], raised).to_json())
    _refused(e, EntryType.TAG_DECRYPTION, tag_shares(bytes(32), "tag-group", 1, x[1], raised).to_json())
    wrong = good.to_json()
    wrong["shares"][0] = (_point(wrong["shares"][0]) + GENERATOR).hex()
    _refused(e, EntryType.TAG_DECRYPTION, wrong)
    _refused(e, EntryType.TAG_DECRYPTION, {**good.to_json(), "shares": good.to_json()["shares"][:-1]})
    add_count_entry(e.board, EntryType.TAG_DECRYPTION, good.to_json())
    _refused(e, EntryType.TAG_DECRYPTION, good.to_json())  # twice
    assert count.step is Step.DECRYPT_GROUP  # one of two: the tags are not known yet


def test_a_mix_that_drops_a_row_or_is_not_a_trustees_is_refused(tmp_path: Path) -> None:
    e = _election(tmp_path)
    close_voting(e.board)
    count, ids = e.board.ledger.coercion, fixed_identities(3)
    assert count is not None
    dropped = make_mix(count.fingerprint, count.key, ids[0], 1, count.current[:-1])
    _refused(e, EntryType.MIX, dropped.to_json())
    stranger = make_mix(count.fingerprint, count.key, fixed_identities(4)[3], 1, count.current)
    _refused(e, EntryType.MIX, stranger.to_json())  # signed by no trustee
    stage_two = make_mix(count.fingerprint, count.key, ids[0], 1, count.current, stage=2)
    _refused(e, EntryType.MIX, stage_two.to_json())  # a proof made for another stage


def _tampered(tmp_path: Path, change: Any, expect: str) -> None:
    e = _election(tmp_path)
    run_count(e)
    rewrite_record(e.record, e.board.key, change)
    for workers in (1, 2):
        report = verify_record(e.record, workers=workers)
        assert not report.ok
        assert expect in str(report.error), (workers, report.error)


def _fingerprint(objs: list[dict[str, Any]]) -> bytes:
    return Entry.from_json(objs[0]).hash()


def test_a_raising_with_two_exponents_in_the_record_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        raising = next(o for o in objs if o["type"] == "raising" and o["payload"]["trustee"] == 2)["payload"]
        ct = raising["ciphertexts"][1][0]
        ct["alpha"] = (_point(ct["alpha"]) + GENERATOR).hex()
        body = {k: v for k, v in raising.items() if k != "signature"}
        raising["signature"] = fixed_identities(3)[1].sign("raising", _fingerprint(objs), body).hex()

    _tampered(tmp_path, change, "not one exponent")


def test_a_wrong_tag_share_in_the_record_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        dec = next(o for o in objs if o["type"] == "tag-decryption")["payload"]
        dec["shares"][0], dec["shares"][1] = dec["shares"][1], dec["shares"][0]

    _tampered(tmp_path, change, "decryption shares do not verify")


def test_a_forged_filter_summary_in_the_result_is_caught(tmp_path: Path) -> None:
    def change(objs: list[dict[str, Any]]) -> None:
        objs[-1]["payload"]["coercion"]["unmatched"] = 0

    _tampered(tmp_path, change, "differs from the result recomputed")


# ---- over HTTP, with the voters' and the trustees' commands -----------------------------


def test_a_coercion_resistant_election_over_http_with_the_commands(tmp_path: Path, capsys: Any) -> None:
    """A voter votes with `vecha vote`, makes a fake code with `vecha fake-code` and votes
    with it: the box answers both alike (201, a receipt, the same members; the tracker
    look-up says for neither whether it counts). The voter re-votes with --replaces. The
    trustees run the count with `vecha trustee filter` (one out of turn is told who is
    next), decrypt with `vecha trustee decrypt`; the organizer publishes; the record
    verifies and counts the real code's last ballot only. A roll entry after the open, and a
    ballot of the other form, are refused."""
    import json

    import httpx

    from vecha.cli.main import main
    from vecha.store.tokens import Role, create_token
    from vecha.testing.live import LiveServer

    e = coercion_election(tmp_path / "box", voters=2)
    engine, eid = e.board.engine, e.board.election_id
    for j, ident in enumerate(fixed_identities(3), start=1):
        (tmp_path / f"t{j}.identity.json").write_text(json.dumps(ident.to_json()))
        (tmp_path / f"t{j}.secret.json").write_text(json.dumps(e.trustees[j - 1].to_json()))
    tokens = {j: create_token(engine, Role.TRUSTEE, f"t{j}", eid, trustee=j) for j in (1, 2, 3)}
    organizer = create_token(engine, Role.ORGANIZER, "organizer", eid)
    real = e.voters[0].code
    with LiveServer(engine) as box:
        remote = ["--server", box.url, "--id", eid]
        capsys.readouterr()
        assert main(["fake-code"]) == 0
        fake = capsys.readouterr().out.strip()
        assert len(fake) == len(real) and fake != real
        receipts = {}
        for name, code, vote in (("real", real, "No"), ("fake", fake, "Yes")):
            path = tmp_path / f"{name}.json"
            assert (
                main(["vote", "--credential", code, "--choice", f"yesno={vote}", *remote, "--receipt", str(path)]) == 0
            )
            receipts[name] = json.loads(path.read_text())
        assert set(receipts["real"]) == set(receipts["fake"])
        for r in receipts.values():
            found = httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{r['tracker']}").json()
            assert found["counts"] is None
        again = tmp_path / "again.json"
        args = ["vote", "--credential", real, "--choice", "yesno=Yes", "--replaces", str(tmp_path / "real.json")]
        assert main([*args, *remote, "--receipt", str(again)]) == 0
        assert main(["trustee", "chaff", "--up-to", "4", *remote]) == 0  # a random number of them, 0 to 4
        e.board.refresh()
        chaff = e.board.ledger.ballots - 3
        late = sign_roll_entry(e.board.ledger.fingerprint, e.ctx.public_key, fresh_code(), e.setups).to_json()
        assert httpx.post(f"{box.url}/api/v1/elections/{eid}/roll-entries", json=late).status_code == 409
        assert main(["close", *remote, "--token", organizer]) == 0
        filter_as = {
            j: ["trustee", "filter", "--identity", str(tmp_path / f"t{j}.identity.json"), "--secret",
                str(tmp_path / f"t{j}.secret.json"), *remote, "--token", tokens[j], "--no-observers"]
            for j in (1, 2, 3)
        }  # fmt: skip
        assert main(filter_as[2]) == 1  # trustee 1 mixes first
        # trustee 1's secret says it decrypted another tag-match column (of a forked board): it refuses this one
        secret_1 = json.loads((tmp_path / "t1.secret.json").read_text())
        (tmp_path / "t1.secret.json").write_text(json.dumps({**secret_1, "tag_decrypted": {"tag-match": "ab" * 32}}))
        steps = 0
        while True:
            e.board.refresh()
            count = e.board.ledger.coercion
            assert count is not None
            if count.step is Step.COUNTED:
                break
            deciders = (2, 3) if count.step is Step.DECRYPT_MATCH else (1, 3)
            if count.step.entry_type == "tag-decryption":
                due = [j for j in deciders if j not in count.shares]
            else:
                due = [count.done + 1]
            if count.step is Step.DECRYPT_MATCH and not count.shares:
                assert main(filter_as[1]) == 1  # "already decrypted another tag-match column"
            assert main(filter_as[due[0]]) == 0, count.step
            steps += 1
        assert steps == 9 + 9 + 6  # mixes, raisings and tag decryptions (no fork: the re-vote named its ballot)
        assert main(filter_as[1]) == 1  # nothing left to filter: told to decrypt
        for j in (1, 3):
            args = ["trustee", "decrypt", "--secret", str(tmp_path / f"t{j}.secret.json"), *remote]
            assert main([*args, "--token", tokens[j], "--no-observers"]) == 0, j
        assert main(["combine", *remote, "--token", organizer]) == 0
        assert main(["export", "--out", str(tmp_path / "record"), *remote]) == 0
    assert verify_record(tmp_path / "record").ok
    result = json.loads((tmp_path / "record" / "result.json").read_text())
    assert result["questions"][0]["counts"] == {"Yes": 1, "No": 0}
    assert result["coercion"]["unmatched"] == 1 + chaff  # the fake code and the chaff, together


def test_the_trustees_follow_the_board_and_count_together(tmp_path: Path) -> None:
    """`vecha trustee filter --follow`: each trustee verifies the record once, then checks
    each new entry as it comes and makes its own parts in turn; all three at once (the third
    decryption of a step, beyond the threshold, is refused by the board and passed over).
    The count completes and the record verifies."""
    import json
    import threading

    from vecha.cli.main import main
    from vecha.store.tokens import Role, create_token
    from vecha.testing.live import LiveServer

    e = coercion_election(tmp_path / "box", voters=2)
    e.revote(e.voters[0], YES)
    e.vote(fresh_code(), NO)
    close_voting(e.board)
    engine, eid = e.board.engine, e.board.election_id
    codes: dict[int, int] = {}
    with LiveServer(engine) as box:

        def trustee(j: int) -> None:
            (tmp_path / f"t{j}.identity.json").write_text(json.dumps(fixed_identities(3)[j - 1].to_json()))
            (tmp_path / f"t{j}.secret.json").write_text(json.dumps(e.trustees[j - 1].to_json()))
            token = create_token(engine, Role.TRUSTEE, f"t{j}", eid, trustee=j)
            args = ["trustee", "filter", "--identity", str(tmp_path / f"t{j}.identity.json"), "--secret"]
            args += [str(tmp_path / f"t{j}.secret.json"), "--server", box.url, "--id", eid, "--token", token]
            codes[j] = main([*args, "--no-observers", "--follow"])

        threads = [threading.Thread(target=trustee, args=(j,)) for j in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert codes == {1: 0, 2: 0, 3: 0}
    e.board.refresh()
    count = e.board.ledger.coercion
    assert count is not None and count.step is Step.COUNTED and count.matched == 1
