"""`vecha mirror` (threat model §2.1): voters who reach only a mirror vote through it, get
the box's own receipts and find their ballots there; the mirror's copy is the box's, byte
for byte, and verifies. What the mirror is sent is checked as a verifier checks it: a
changed ballot or a checkpoint of another history is refused, and nothing is kept."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from vecha.cli.main import main
from vecha.crypto.canonical import canonical_bytes
from vecha.errors import RecordError, VechaError
from vecha.record.archive import RecordWriter
from vecha.record.checkpoint import BoardKey, sign_checkpoint
from vecha.record.entries import EntryType
from vecha.server.app import create_mirror_app
from vecha.store.db import open_store
from vecha.store.organizer import close_voting
from vecha.store.replica import Replica
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election
from vecha.verify import verify_record


def _genesis(box_url: str, election_id: str) -> bytes:
    page = httpx.get(f"{box_url}/api/v1/elections/{election_id}/board", params={"start": 0, "limit": 1}).json()
    return canonical_bytes(page["entries"][0])


def _caught_up(mirror_url: str, box_url: str, election_id: str, timeout: float = 30) -> dict[str, Any]:
    """Wait until the mirror holds every entry the box has now."""
    height = httpx.get(f"{box_url}/api/v1/elections/{election_id}/board", params={"limit": 1}).json()["height"]
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = httpx.get(f"{mirror_url}/api/v1/elections/{election_id}/mirror").json()
        if status["height"] >= height:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def test_voters_who_reach_only_the_mirror_vote_and_check_through_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    e = build_election(tmp_path / "box", votes=[], voters=3, stop_after=EntryType.OPEN)
    eid = e.board.election_id
    mirror_engine = open_store(str(tmp_path / "mirror.sqlite"))
    with LiveServer(e.board.engine) as box:
        Replica.start(mirror_engine, box.url, _genesis(box.url, eid))
        with LiveServer(mirror_engine, app=create_mirror_app(mirror_engine, box.url)) as mirror:
            status = _caught_up(mirror.url, box.url, eid)
            assert status["refused"] is None and status["source"] == box.url
            # the voter knows only the mirror's address
            remote = ["--server", mirror.url, "--id", eid]
            for k, choice in enumerate(["council=North", "council=South / Cat"]):
                receipt = tmp_path / f"receipt{k}.json"
                args = ["vote", *remote, "--credential", e.codes[k], "--choice", choice, "--choice", "yesno=Yes"]
                assert main([*args, "--receipt", str(receipt)]) == 0
                tracker = json.loads(receipt.read_text())["tracker"]
                capsys.readouterr()
                assert main(["track", tracker, *remote]) == 0
                assert "counts" in capsys.readouterr().out
            # the receipt is the box's own: the board key of entry 0 signed it
            box_tracker = httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{tracker}").json()
            assert box_tracker["index"] == json.loads(receipt.read_text())["index"]
            close_voting(e.board)
            _caught_up(mirror.url, box.url, eid)
            box_entries = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1000}).json()
            mirror_entries = httpx.get(f"{mirror.url}/api/v1/elections/{eid}/board", params={"limit": 1000}).json()
            assert mirror_entries == box_entries
            box_cps = httpx.get(f"{box.url}/api/v1/elections/{eid}/checkpoints").json()
            deadline = time.monotonic() + 30
            while httpx.get(f"{mirror.url}/api/v1/elections/{eid}/checkpoints").json() != box_cps:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    replica = Replica(mirror_engine, eid)
    RecordWriter(tmp_path / "mirrored").write(replica.entries(), replica.checkpoints(), replica.ledger.result)
    assert verify_record(tmp_path / "mirrored").ok
    with pytest.raises(VechaError, match="signs nothing|makes none"):
        replica.append(EntryType.CLOSE, {})


def test_a_changed_ballot_and_a_checkpoint_of_another_history_are_refused(tmp_path: Path) -> None:
    votes = [(0, {"council": ["North"], "yesno": ["Yes"]}), (1, {"council": ["South"], "yesno": ["No"]})]
    e = build_election(tmp_path / "box", votes=votes, stop_after=EntryType.OPEN)
    bodies = list(e.board.entry_bodies())
    engine = open_store(str(tmp_path / "mirror.sqlite"))
    replica = Replica.start(engine, "http://box.invalid", bodies[0])
    ballot_at = next(i for i, b in enumerate(bodies) if b'"type":"ballot"' in b)
    for body in bodies[1:ballot_at]:
        replica.take(body)
    # a relay or a compromised box swaps two ciphertexts of a ballot: its proofs fail
    entry = json.loads(bodies[ballot_at])
    choices = entry["payload"]["ballot"]["answers"][0]["choices"]
    choices[0], choices[1] = choices[1], choices[0]
    with pytest.raises(VechaError):
        replica.take(canonical_bytes(entry))
    assert replica.ledger.height == ballot_at and replica.stored_height() == ballot_at
    with pytest.raises(RecordError, match="expected entry"):
        replica.take(bodies[ballot_at + 1])  # out of order
    for body in bodies[ballot_at:]:
        replica.take(body)
    assert list(replica.entry_bodies()) == bodies
    # the box's key signs a checkpoint naming another head at a height this copy has
    forged = sign_checkpoint(e.board_key, e.board.election_id, 3, b"\x07" * 32)
    with pytest.raises(RecordError, match="the box signed head"):
        replica.take_checkpoint(forged)
    honest = sign_checkpoint(e.board_key, e.board.election_id, 3, replica.head_at(3))
    assert replica.take_checkpoint(honest) is True and replica.take_checkpoint(honest) is False


def test_the_mirror_command_follows_a_box_and_serves_the_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal
    import socket
    import subprocess
    import sys

    e = build_election(
        tmp_path / "box", votes=[(0, {"council": ["North"], "yesno": ["Yes"]})], stop_after=EntryType.OPEN
    )
    eid = e.board.election_id
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    db = tmp_path / "mirror.sqlite"
    with LiveServer(e.board.engine) as box:
        command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "mirror", "--source", box.url]
        process = subprocess.Popen(
            [*command, "--id", eid, "--db", str(db), "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    status = httpx.get(f"{url}/api/v1/elections/{eid}/mirror").json()
                    if status["height"] == e.board.ledger.height:
                        break
                except (httpx.HTTPError, ValueError, KeyError):
                    pass
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
            page = httpx.get(f"{url}/booth.html")
            assert page.status_code == 200 and "<script" in page.text
            assert httpx.get(f"{url}/api/v1/elections/{eid}").json()["id"] == eid
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
        # a store that is this election's ballot box is not made a mirror of it
        assert main(["mirror", "--source", box.url, "--id", eid, "--db", str(tmp_path / "box" / "box.sqlite")]) == 1
        assert "as a ballot box, not as a mirror" in capsys.readouterr().err
    # a box that does not answer: one line, and no store change
    assert main(["mirror", "--source", box.url, "--id", eid, "--db", str(tmp_path / "other.sqlite")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read election") and len(err.strip().splitlines()) == 1, err


def test_a_box_that_shows_a_peer_another_history_is_caught_and_the_proof_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirror compares the box's checkpoints with a peer's: the box signed, for the peer,
    another head at a height the mirror holds a checkpoint for. The mirror keeps and serves
    the proof; `vecha verify PROOF` says what it proves; a tampered proof does not verify; a
    peer's junk (a checkpoint the box did not sign) proves nothing."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    e = build_election(
        tmp_path / "box", votes=[(0, {"council": ["North"], "yesno": ["Yes"]})], stop_after=EntryType.OPEN
    )
    eid = e.board.election_id
    served: list[dict[str, Any]] = []

    async def peer_checkpoints(request: Any) -> JSONResponse:
        return JSONResponse(served)

    peer_app = Starlette(routes=[Route(f"/api/v1/elections/{eid}/checkpoints", peer_checkpoints)])
    mirror_engine = open_store(str(tmp_path / "mirror.sqlite"))
    with LiveServer(e.board.engine) as box, LiveServer(e.board.engine, app=peer_app) as peer:
        Replica.start(mirror_engine, box.url, _genesis(box.url, eid))
        app = create_mirror_app(mirror_engine, box.url, peers=(peer.url,))
        with LiveServer(mirror_engine, app=app) as mirror:
            _caught_up(mirror.url, box.url, eid)
            deadline = time.monotonic() + 30
            while not (mine := httpx.get(f"{mirror.url}/api/v1/elections/{eid}/checkpoints").json()):
                assert time.monotonic() < deadline
                time.sleep(0.2)
            height = mine[0]["height"]
            junk = sign_checkpoint(BoardKey(bytes(32)), eid, height, b"\x01" * 32)  # not the box's key
            served.append(junk.to_json())
            time.sleep(2.5)  # a couple of rounds of the follower
            assert httpx.get(f"{mirror.url}/api/v1/elections/{eid}/equivocation").status_code == 404
            served.append(sign_checkpoint(e.board_key, eid, height, b"\x02" * 32).to_json())
            deadline = time.monotonic() + 30
            while not httpx.get(f"{mirror.url}/api/v1/elections/{eid}/mirror").json()["equivocations"]:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            status = httpx.get(f"{mirror.url}/api/v1/elections/{eid}/mirror").json()
            assert status["equivocations"] == [height] and status["peers"] == {peer.url: height}
            proof = httpx.get(f"{mirror.url}/api/v1/elections/{eid}/equivocation").json()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    capsys.readouterr()
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"signed two different histories at height {height}" in out and eid in out
    proof["checkpoints"][1]["head"] = proof["checkpoints"][0]["head"]
    path.write_text(json.dumps(proof))
    assert main(["verify", str(path)]) == 1
    assert "proves nothing" in capsys.readouterr().err


def test_a_ballot_handed_off_as_qr_codes_is_cast_through_a_mirror(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spec §6.9: the voter, offline, makes the ballot and its QR codes (PNG); someone else
    reads them back from the images and casts them through a mirror; the tracking code the
    voter noted is on the box's board. A code missing, or codes of two ballots, are refused."""
    e = build_election(tmp_path / "box", votes=[], voters=3, stop_after=EntryType.OPEN)
    eid = e.board.election_id
    assert (
        main(
            [
                "election",
                "package",
                "--db",
                str(tmp_path / "box" / "box.sqlite"),
                "--out",
                str(tmp_path / "election.json"),
            ]
        )
        == 0
    )
    for k in (0, 1):
        args = [
            "vote",
            "--election",
            str(tmp_path / "election.json"),
            "--credential",
            e.codes[k],
            "--choice",
            "yesno=No",
        ]
        assert main([*args, "--qr", str(tmp_path / f"qr{k}")]) == 0
    capsys.readouterr()
    codes = sorted((tmp_path / "qr0").glob("*.png"), reverse=True)  # any order
    assert len(codes) >= 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in codes)
    mirror_engine = open_store(str(tmp_path / "mirror.sqlite"))
    with LiveServer(e.board.engine) as box:
        Replica.start(mirror_engine, box.url, _genesis(box.url, eid))
        with LiveServer(mirror_engine, app=create_mirror_app(mirror_engine, box.url)) as mirror:
            _caught_up(mirror.url, box.url, eid)
            qr_args = [x for p in codes for x in ("--qr", str(p))]
            assert main(["cast", *qr_args[2:], "--server", mirror.url, "--id", eid]) == 1  # one code short
            assert "codes missing" in capsys.readouterr().err
            mixed = [*qr_args[:2], "--qr", str(next((tmp_path / "qr1").glob("*.png")))]
            assert main(["cast", *mixed, "--server", mirror.url, "--id", eid]) == 1
            assert "two different ballots" in capsys.readouterr().err
            assert main(["cast", *qr_args, "--server", mirror.url, "--id", eid]) == 0
            receipt = json.loads(capsys.readouterr().out)
            tracker = codes[0].name.split("-")[1]
            assert receipt["tracker"].startswith(tracker)
            found = httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{receipt['tracker']}").json()
            assert found["index"] == receipt["index"] and found["counts"] is True


def test_a_mirror_that_serves_a_changed_booth_is_caught(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Spec §8.7: entry 0 pins every booth file; `vecha check-booth` holds what an entry
    point serves to the pins: the honest mirror's booth matches, a changed one is named."""
    import shutil

    from vecha.server.pins import STATIC

    e = build_election(tmp_path / "box", votes=[], stop_after=EntryType.OPEN, booth_pinned=True)
    eid = e.board.election_id
    assert "js/booth.js" in e.board.ledger.defined().booth
    changed = tmp_path / "changed-static"
    shutil.copytree(STATIC, changed)
    (changed / "js" / "booth.js").write_text((changed / "js" / "booth.js").read_text() + "\n// send the code home\n")
    honest_engine = open_store(str(tmp_path / "honest.sqlite"))
    bad_engine = open_store(str(tmp_path / "bad.sqlite"))
    with LiveServer(e.board.engine) as box:
        for engine in (honest_engine, bad_engine):
            Replica.start(engine, box.url, _genesis(box.url, eid))
        honest_app = create_mirror_app(honest_engine, box.url)
        bad_app = create_mirror_app(bad_engine, box.url, static=changed)
        with LiveServer(honest_engine, app=honest_app) as honest, LiveServer(bad_engine, app=bad_app) as bad:
            fp = e.board.ledger.fingerprint.hex()
            capsys.readouterr()
            assert main(["check-booth", "--server", honest.url, "--id", eid, "--fingerprint", fp]) == 0
            assert "files match" in capsys.readouterr().out
            assert main(["check-booth", "--server", bad.url, "--id", eid, "--fingerprint", fp]) == 1
            err = capsys.readouterr().err
            assert "js/booth.js (changed)" in err and "Do not vote with it" in err
            assert main(["check-booth", "--server", honest.url, "--id", eid, "--fingerprint", "00" * 32]) == 1
            assert "not the one given" in capsys.readouterr().err


def test_ballots_relayed_at_once_leave_the_mirror_following(tmp_path: Path) -> None:
    """Each relayed ballot makes the mirror look at the box again, while it also follows on
    its own: those looks must not race each other into refusing an entry."""
    import threading

    from vecha.election.ballot import encrypt_ballot, selections_from_labels
    from vecha.election.credentials import Credential

    e = build_election(tmp_path / "box", votes=[], voters=8, stop_after=EntryType.OPEN)
    eid, ctx = e.board.election_id, e.context
    sel = selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["No"]})
    ballots = [
        encrypt_ballot(ctx, Credential.from_code(code, ctx.fingerprint), sel).ballot.to_json() for code in e.codes
    ]
    engine = open_store(str(tmp_path / "mirror.sqlite"))
    with LiveServer(e.board.engine) as box:
        Replica.start(engine, box.url, _genesis(box.url, eid))
        with LiveServer(engine, app=create_mirror_app(engine, box.url)) as mirror:
            statuses: list[int] = []

            def cast(ballot: dict[str, Any]) -> None:
                r = httpx.post(f"{mirror.url}/api/v1/elections/{eid}/ballots", json={"ballot": ballot}, timeout=60)
                statuses.append(r.status_code)

            threads = [threading.Thread(target=cast, args=(b,)) for b in ballots]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert statuses == [201] * len(ballots)
            status = _caught_up(mirror.url, box.url, eid)
            assert status["refused"] is None and status["error"] is None


class ReceiptForger:
    """A ballot box (or a relay in front of it) that keeps the ballot but hands back a receipt
    of its own making: `forge(sent ballot, true receipt) -> receipt`."""

    def __init__(self, app: Any, forge: Any) -> None:
        self.app, self.forge = app, forge

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/ballots"):
            await self.app(scope, receive, send)
            return
        request, parts, start = b"", [], {}

        async def take() -> Any:
            nonlocal request
            message = await receive()
            request += message.get("body", b"")
            return message

        async def hold(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                parts.append(message.get("body", b""))

        await self.app(scope, take, hold)
        body = b"".join(parts)
        if start["status"] in (200, 201):
            body = canonical_bytes(self.forge(json.loads(request)["ballot"], json.loads(body)))
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def test_a_forged_receipt_from_the_box_is_refused_by_the_mirror(tmp_path: Path) -> None:
    """Who: the box, or anyone between the box and the mirror. Gains if it worked: the voter
    holds a "receipt" the box never signed (or one for another ballot), so a ballot dropped
    later could not be proven. The mirror checks the box's answer against the board key of
    its own entry 0 and the tracking code of the ballot it sent, and tells the voter."""
    from vecha.election.ballot import encrypt_ballot, selections_from_labels, tracker_of_json
    from vecha.election.credentials import Credential
    from vecha.record.receipt import receipt_message

    stranger = BoardKey(bytes(range(32)))  # not this election's board key
    earlier: list[dict[str, Any]] = []

    def another_key(ballot: dict[str, Any], true: dict[str, Any]) -> dict[str, Any]:
        signature = stranger.sign(receipt_message(true["election"], true["tracker"], true["index"]))
        return {**true, "signature": signature.hex()}

    def another_index(ballot: dict[str, Any], true: dict[str, Any]) -> dict[str, Any]:
        return {**true, "index": true["index"] + 1}

    def another_ballot(ballot: dict[str, Any], true: dict[str, Any]) -> dict[str, Any]:
        earlier.append(true)
        return earlier[0]  # the box's real receipt, but for the first ballot it was sent

    e = build_election(tmp_path / "box", votes=[], voters=5, stop_after=EntryType.OPEN)
    eid, ctx = e.board.election_id, e.context
    sel = selections_from_labels(ctx.definition, {"council": ["North"], "yesno": ["No"]})
    ballots = [
        encrypt_ballot(ctx, Credential.from_code(code, ctx.fingerprint), sel).ballot.to_json() for code in e.codes
    ]
    forgeries = iter([another_key, another_index, another_ballot, another_ballot])
    current: list[Any] = [None]

    def wrap(app: Any) -> Any:
        return ReceiptForger(app, lambda ballot, true: current[0](ballot, true))

    engine = open_store(str(tmp_path / "mirror.sqlite"))
    with LiveServer(e.board.engine, wrap=wrap) as box:
        Replica.start(engine, box.url, _genesis(box.url, eid))
        with LiveServer(engine, app=create_mirror_app(engine, box.url)) as mirror:
            answers = []
            for k, forge in enumerate(forgeries):
                current[0] = forge
                r = httpx.post(f"{mirror.url}/api/v1/elections/{eid}/ballots", json={"ballot": ballots[k]}, timeout=60)
                answers.append((r.status_code, r.json()))
            # the first "another ballot" hands back that ballot's own receipt: it checks out
            (s1, a1), (s2, a2), (s3, a3), (s4, a4) = answers
            assert s3 == 201 and a3["tracker"] == tracker_of_json(ballots[2])
            for status, answer in ((s1, a1), (s2, a2), (s4, a4)):
                assert status == 502 and answer["error"] == "bad-receipt", answer
            assert "not signed by this election's ballot box" in a1["message"]
            assert "not signed by this election's ballot box" in a2["message"]
            assert "for another ballot" in a4["message"]
            # the voter who reaches only the mirror is told, and keeps no false receipt
            receipt = tmp_path / "receipt.json"
            current[0] = another_key
            args = [
                "vote",
                "--server",
                mirror.url,
                "--id",
                eid,
                "--credential",
                e.codes[4],
                "--choice",
                "council=North",
            ]
            assert main([*args, "--choice", "yesno=Yes", "--receipt", str(receipt)]) == 1
            assert not receipt.exists()


class MaliciousMirror:
    """A mirror's operator in the middle of the voter's ballot: `change(submission) ->
    submission` before it goes on, or, with `fake`, no relaying at all and an answer of its
    own (`fake(submission) -> (status, body)`)."""

    def __init__(self, app: Any, change: Any = None, fake: Any = None) -> None:
        self.app, self.change, self.fake = app, change, fake

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/ballots"):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        submission = json.loads(body)
        if self.fake is not None:
            status, answer = self.fake(submission)
            out = canonical_bytes(answer)
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": out})
            return
        changed = canonical_bytes(self.change(submission))
        sent = False

        async def once() -> Any:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": changed, "more_body": False}

        patched = dict(scope)
        patched["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        patched["headers"].append((b"content-length", str(len(changed)).encode()))
        await self.app(patched, once, send)


def test_a_mirror_that_alters_or_drops_a_ballot_is_caught_by_the_voter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Who: the operator of the mirror the voter uses. Altering the ballot (two ciphertexts
    swapped, the voter's signature kept): the box refuses it, so the voter is told and holds
    no receipt. Dropping it and answering with a receipt of its own making (signed by
    another key): the voter's CLI checks the receipt against the board key of entry 0, says
    so and keeps nothing. Either way the voter votes again elsewhere (here, at the box), and
    that ballot counts."""
    e = build_election(tmp_path / "box", votes=[], voters=3, stop_after=EntryType.OPEN)
    eid = e.board.election_id
    stranger = BoardKey(bytes(range(32)))
    from vecha.record.receipt import receipt_message

    def swap(submission: dict[str, Any]) -> dict[str, Any]:
        choices = submission["ballot"]["answers"][0]["choices"]
        choices[0], choices[1] = choices[1], choices[0]
        return submission

    def forged(submission: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        from vecha.election.ballot import tracker_of_json

        tracker = tracker_of_json(submission["ballot"])
        signature = stranger.sign(receipt_message(eid, tracker, 99)).hex()
        return 201, {"election": eid, "tracker": tracker, "index": 99, "signature": signature}

    engines = [open_store(str(tmp_path / f"mirror{k}.sqlite")) for k in range(2)]
    with LiveServer(e.board.engine) as box:
        for engine in engines:
            Replica.start(engine, box.url, _genesis(box.url, eid))
        altering = MaliciousMirror(create_mirror_app(engines[0], box.url), change=swap)
        dropping = MaliciousMirror(create_mirror_app(engines[1], box.url), fake=forged)
        with LiveServer(engines[0], app=altering) as m1, LiveServer(engines[1], app=dropping) as m2:
            for k, mirror in enumerate((m1, m2)):
                receipt = tmp_path / f"receipt{k}.json"
                args = ["vote", "--server", mirror.url, "--id", eid, "--credential", e.codes[k]]
                capsys.readouterr()
                assert (
                    main([*args, "--choice", "council=North", "--choice", "yesno=Yes", "--receipt", str(receipt)]) == 1
                )
                err = capsys.readouterr().err
                expected = (
                    "credential signature does not verify" if k == 0 else "not signed by this election's ballot box"
                )
                assert expected in err, err
                assert not receipt.exists()
            ballots = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1000}).json()["entries"]
            assert not [x for x in ballots if x["type"] == "ballot"]  # neither ballot reached the box
            receipt = tmp_path / "receipt-box.json"
            args = ["vote", "--server", box.url, "--id", eid, "--credential", e.codes[0], "--choice", "council=North"]
            assert main([*args, "--choice", "yesno=Yes", "--receipt", str(receipt)]) == 0
            tracker = json.loads(receipt.read_text())["tracker"]
            assert httpx.get(f"{box.url}/api/v1/elections/{eid}/trackers/{tracker}").json()["counts"] is True
