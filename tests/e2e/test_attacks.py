"""The attacks an outside review ran against the system, each end to end and each refused.

Every test plays the dishonest party with the project's own commands and data: a relay in the
key ceremony, an organizer that forks the board for the trustees, a thief of a booth's audit
data, a stranger who floods a voter's public credential with junk ballots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vecha.cli.main import main
from vecha.crypto import _sodium
from vecha.election.ballot import Ballot, audit_data, encrypt_ballot
from vecha.election.counting import AggregateSum, aggregate_to_json
from vecha.election.credentials import Credential
from vecha.election.definition import parse_definition
from vecha.election.identity import TrusteeIdentity
from vecha.election.trustees import new_trustee
from vecha.record.entries import EntryType
from vecha.record.package import make_package
from vecha.store.db import open_store
from vecha.store.tokens import Role, create_token
from vecha.testing.live import LiveServer
from vecha.testing.records import SMALL_DEFINITION, build_election, read_lines, rewrite_record, trustees_of

pytestmark = pytest.mark.slow


def vecha(*args: str | Path) -> int:
    return main([str(a) for a in args])


# ---- finding 1: a relay in the key ceremony ----------------------------------------------


class CeremonyRelay:
    """Sits between the trustees and the box (a TLS proxy, or the box's own front end). It
    shows the trustees announcements whose transport keys are its own, opens every sealed
    share sent through it and seals it again to the real recipient; or, with `replace`, shows
    one trustee's announcement made anew by itself."""

    def __init__(self, app: ASGIApp, replace: int | None = None) -> None:
        self.app = app
        self.replace = replace
        self.public, self.secret = _sodium.box_seed_keypair(bytes(range(32)))
        self.real_keys: dict[int, bytes] = {}
        self.opened: list[bytes] = []
        self.fingerprint = b""

    def swap(self, body: bytes) -> bytes:
        status = json.loads(body)
        for a in status["announcements"]:
            self.real_keys[a["index"]] = bytes.fromhex(a["transport_key"])
            if self.replace is None:
                a["transport_key"] = self.public.hex()
        if self.replace is not None:
            # its own polynomial, transport key and proof, all valid; signed by a key of its own
            made, fake = new_trustee(self.fingerprint, self.replace, 2, TrusteeIdentity.new())
            self.public, self.secret = made.transport_public, made.transport_secret
            status["announcements"][self.replace - 1] = fake.to_json()
        return json.dumps(status).encode()

    def reseal(self, body: bytes) -> bytes:
        shares = json.loads(body)
        for s in shares:
            value = _sodium.box_seal_open(bytes.fromhex(s["sealed"]), self.public, self.secret)
            self.opened.append(value)
            s["sealed"] = _sodium.box_seal(value, self.real_keys[s["to"]]).hex()
        return json.dumps(shares).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if method == "POST" and path.endswith("/ceremony/shares"):
            body, more = b"", True
            while more:
                msg = await receive()
                body, more = body + msg.get("body", b""), msg.get("more_body", False)
            body = self.reseal(body)
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
            done = False

            async def replay() -> Message:
                nonlocal done
                if done:
                    return await receive()
                done = True
                return {"type": "http.request", "body": body, "more_body": False}

            await self.app(scope, replay, send)
            return
        if method == "GET" and path.endswith("/ceremony"):
            start: Message = {}
            chunks: list[bytes] = []

            async def rewrite(msg: Message) -> None:
                nonlocal start
                if msg["type"] == "http.response.start":
                    start = msg
                    return
                chunks.append(msg.get("body", b""))
                if not msg.get("more_body", False):
                    out = self.swap(b"".join(chunks))
                    headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
                    await send({**start, "headers": [*headers, (b"content-length", str(len(out)).encode())]})
                    await send({"type": "http.response.body", "body": out})

            await self.app(scope, receive, rewrite)
            return
        await self.app(scope, receive, send)


def _ceremony_through(
    relay_of: Any, tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> tuple[CeremonyRelay, list[str], Any]:
    d = tmp_path
    engine = open_store(store_url)
    admin = create_token(engine, Role.ADMIN, "commission")
    relays: list[CeremonyRelay] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        relays.append(relay_of(app))
        return relays[0]

    with LiveServer(engine, wrap=wrap) as server:
        for i in (1, 2, 3):
            assert vecha("trustee", "identity", "--out", d / f"t{i}.identity.json") == 0
        keys = [json.loads((d / f"t{i}.identity.json").read_text())["public"] for i in (1, 2, 3)]
        definition = {**SMALL_DEFINITION, "trustees": {"count": 3, "threshold": 2, "identities": keys}}
        (d / "def.json").write_text(json.dumps(definition))
        assert vecha("election", "create", d / "def.json", "--server", server.url, "--token", admin) == 0
        eid = ["--server", server.url, "--id", "small-test"]
        tokens = {i: create_token(engine, Role.TRUSTEE, f"t{i}", "small-test", trustee=i) for i in (1, 2, 3)}
        relay = relays[0]
        relay.fingerprint = bytes.fromhex(httpx.get(f"{server.url}/api/v1/elections/small-test").json()["fingerprint"])
        for i in (1, 2, 3):
            secret, identity = d / f"t{i}.secret.json", d / f"t{i}.identity.json"
            assert vecha("trustee", "init", "--identity", identity, "--secret", secret, *eid, "--token", tokens[i]) == 0
        capsys.readouterr()
        codes = [
            vecha("trustee", "deal", "--secret", d / f"t{i}.secret.json", *eid, "--token", tokens[i]) for i in (1, 2, 3)
        ]
        errors = capsys.readouterr().err
        status = httpx.get(f"{server.url}/api/v1/elections/small-test").json()
    assert codes == [1, 1, 1], errors
    return relay, errors.splitlines(), status


def test_a_relay_that_swaps_transport_keys_learns_no_share(
    tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    relay, errors, status = _ceremony_through(CeremonyRelay, tmp_path, store_url, capsys)
    assert relay.opened == []  # no trustee dealt a single share through it
    assert all("the proof of knowledge of its key does not verify" in e for e in errors)
    assert status["phase"] == "defined" and status["public_key"] is None


def test_a_relay_that_makes_an_announcement_anew_is_named(
    tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    relay, errors, status = _ceremony_through(lambda app: CeremonyRelay(app, replace=2), tmp_path, store_url, capsys)
    assert relay.opened == []
    assert all("not signed by trustee 2's identity key" in e for e in errors), errors
    assert status["phase"] == "defined"


def test_announcement_files_changed_in_transit_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same relay in the file flow: whoever forwards the announcement files swaps a key."""
    d = tmp_path
    keys = []
    for i in (1, 2):
        assert vecha("trustee", "identity", "--out", d / f"t{i}.identity.json") == 0
        keys.append(json.loads((d / f"t{i}.identity.json").read_text())["public"])
    (d / "def.json").write_text(
        json.dumps({**SMALL_DEFINITION, "trustees": {"count": 2, "threshold": 2, "identities": keys}})
    )
    db = d / "box.sqlite"
    assert vecha("election", "create", d / "def.json", "--db", db) == 0
    assert vecha("election", "package", "--db", db, "--out", d / "setup.json") == 0
    for i in (1, 2):
        args = ["--identity", d / f"t{i}.identity.json", "--secret", d / f"t{i}.secret.json"]
        assert vecha("trustee", "init", "--election", d / "setup.json", *args, "--out", d / f"t{i}.a.json") == 0
    # A stranger's identity is not a trustee of this election.
    assert vecha("trustee", "identity", "--out", d / "stranger.json") == 0
    capsys.readouterr()
    args = ["--identity", d / "stranger.json", "--secret", d / "s.secret.json", "--out", d / "s.json"]
    assert vecha("trustee", "init", "--election", d / "setup.json", *args) == 1
    assert "does not name this identity key" in capsys.readouterr().err and not (d / "s.secret.json").exists()
    swapped = json.loads((d / "t2.a.json").read_text())
    swapped["transport_key"] = _sodium.box_seed_keypair(bytes(32))[0].hex()
    (d / "t2.swapped.json").write_text(json.dumps(swapped))
    anns = ["--announcement", d / "t1.a.json", "--announcement", d / "t2.swapped.json"]
    args = ["--election", d / "setup.json", "--secret", d / "t1.secret.json", *anns, "--out", d / "t1.shares.json"]
    assert vecha("trustee", "deal", *args) == 1
    assert "trustee 2: the proof of knowledge" in capsys.readouterr().err and not (d / "t1.shares.json").exists()


# ---- finding 2: an organizer that forks the board for the trustees -----------------------


def _fork_keeping_one_ballot(real: Path, fork: Path, key: Any) -> None:
    """The organizer's fork: the same election, only the first voter's ballot, a new tally,
    every checkpoint re-signed with the board's key (which the organizer holds)."""
    shutil.copytree(real, fork)
    definition = parse_definition(read_lines(real)[0]["payload"]["definition"])

    def change(objs: list[dict[str, Any]]) -> None:
        ballots = [o for o in objs if o["type"] == "ballot"]
        for o in ballots[1:]:
            objs.remove(o)
        acc = AggregateSum(definition)
        acc.add_ballot(Ballot.from_json(ballots[0]["payload"]["ballot"]))
        tally = next(o for o in objs if o["type"] == "tally")
        tally["payload"] = {"counted": 1, "aggregate": aggregate_to_json(acc.total())}

    rewrite_record(fork, key, change)


def test_a_trustee_does_not_decrypt_a_forked_board(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = build_election(tmp_path / "e", stop_after=EntryType.TALLY)
    real, fork = built.record, tmp_path / "fork"
    # An observer's copy of the board's checkpoints: what the public saw the box sign.
    shutil.copy(real / "checkpoints.json", tmp_path / "observed.json")
    _fork_keeping_one_ballot(real, fork, built.board_key)
    assert vecha("verify", fork, "--quiet") == 0  # on its own, the fork is a valid record
    secret = tmp_path / "t1.secret.json"
    secret.write_text(json.dumps(built.trustees[0].to_json()))
    capsys.readouterr()
    out = ["--secret", secret, "--out", tmp_path / "d.json"]
    assert vecha("trustee", "decrypt", "--record", fork, *out, "--checkpoints", tmp_path / "observed.json") == 1
    assert "fork" in capsys.readouterr().err and not (tmp_path / "d.json").exists()
    assert vecha("trustee", "decrypt", "--record", fork, *out) == 1  # no observer named: refused too
    assert "--observer" in capsys.readouterr().err
    assert vecha("verify", fork, "--quiet", "--checkpoints", tmp_path / "observed.json") == 1
    assert "fork" in capsys.readouterr().err
    # The real board decrypts; after it, no other tally of this election does, even unobserved.
    assert vecha("trustee", "decrypt", "--record", real, *out, "--checkpoints", tmp_path / "observed.json") == 0
    first = (tmp_path / "d.json").read_bytes()
    assert vecha("trustee", "decrypt", "--record", real, *out, "--no-observers") == 0  # the same tally again: fine
    out2 = ["--secret", secret, "--out", tmp_path / "d2.json"]
    capsys.readouterr()
    assert vecha("trustee", "decrypt", "--record", fork, *out2, "--no-observers") == 1
    assert "already decrypted another tally" in capsys.readouterr().err and not (tmp_path / "d2.json").exists()
    assert json.loads(first)["trustee"] == 1


def test_trustees_at_ceremony_time_cannot_be_defined_without_identities() -> None:
    bare = {**SMALL_DEFINITION, "trustees": {"count": 3, "threshold": 2}}
    with pytest.raises(Exception, match="identities"):
        parse_definition(bare)
    short = {**SMALL_DEFINITION, "trustees": {**trustees_of(3, 2), "count": 4}}
    with pytest.raises(Exception, match="4 trustees"):
        parse_definition(short)


# ---- finding 3: an audited ballot must never be castable ---------------------------------


def test_an_audited_ballot_cannot_be_cast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Whoever gets a voter's audit data (the voter is invited to check it elsewhere) tries to
    cast it over the voter's real ballot; and `vecha audit` checks audit data on its own."""
    built = build_election(tmp_path / "e", votes=[], stop_after=EntryType.OPEN)
    package = tmp_path / "election.json"
    package.write_text(json.dumps(make_package(built.board.entries())))
    choice = ["--choice", "council=North / Bob", "--choice", "yesno=No"]
    code = built.codes[0]
    audit = tmp_path / "audit.json"
    assert vecha("vote", "--election", package, "--credential", code, *choice, "--audit", audit) == 0
    data = json.loads(audit.read_text())
    assert "signature" not in data["ballot"] and not (tmp_path / "ballot.json").exists()
    (tmp_path / "stolen.json").write_text(json.dumps(data["ballot"]))
    capsys.readouterr()
    assert vecha("cast", tmp_path / "stolen.json", "--db", tmp_path / "e" / "box.sqlite") == 1
    assert "signature" in capsys.readouterr().err
    assert built.board.ledger.ballots == 0
    # The independent check: the choices it holds; a device lying about them is caught.
    assert vecha("audit", audit, "--election", package) == 0
    out = capsys.readouterr().out
    assert "council: North / Bob" in out and "yesno: No" in out
    lying = {**data, "selections": [[1, 0, 0, 0, 0], [0, 1]]}
    (tmp_path / "lying.json").write_text(json.dumps(lying))
    assert vecha("audit", tmp_path / "lying.json", "--election", package) == 1
    assert "does not encrypt the claimed choice" in capsys.readouterr().err
    # Audit data that carries a signed ballot (a booth that signed before the voter chose) is refused.
    made = encrypt_ballot(
        built.context, Credential.from_code(code, built.context.fingerprint), ((0, 0, 1, 0, 0), (0, 1))
    )
    signed = {**audit_data(built.context, made), "ballot": made.ballot.to_json()}
    (tmp_path / "signed.json").write_text(json.dumps(signed))
    assert vecha("audit", tmp_path / "signed.json", "--election", package) == 1
    assert "holds a signed ballot" in capsys.readouterr().err
