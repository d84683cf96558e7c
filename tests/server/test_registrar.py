"""The registrar's routes and the box's registration routes, refusing bad input: each
refusal a clear error with a stable code, and nothing stored or changed (the store's rows
are compared before and after)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from vecha.election.application import (
    Application,
    Evidence,
    PendingCredential,
    application_digest,
    puzzle_ok,
    solve_puzzle,
)
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.definition import Definition
from vecha.election.eligibility import RegistrarCount, count_body
from vecha.election.trustees import local_ceremony
from vecha.registrar.app import RegistrarSettings, create_registrar_app
from vecha.registrar.schema import applications, audit, evidence, reviews
from vecha.server import create_app
from vecha.store.board import Board, open_store
from vecha.store.organizer import record_ceremony
from vecha.store.tokens import Role, create_token
from vecha.testing.records import SMALL_DEFINITION, fixed_identities
from vecha.testing.registration import RegistrarService, make_registrars, open_registrars, with_registration

API = "/api/v1"
PERSON = {"name": "Ala Ivanova", "document": "MP1234567", "born": "1990-04-01", "country": "PL"}


@dataclass
class Setup:
    definition: Definition
    board: Board
    service: RegistrarService
    http: TestClient
    box: TestClient

    @property
    def base(self) -> str:
        return f"{API}/registrar/{self.board.election_id}"

    @property
    def fp(self) -> bytes:
        return self.board.ledger.fingerprint

    def application(self, fields: dict[str, str] | None = None) -> tuple[PendingCredential, dict[str, Any]]:
        rules = self.definition.registration
        assert rules is not None
        pending = PendingCredential.new(self.fp, rules, ["bloc-a"])
        app = Application.make(pending, rules, "bloc-a", Evidence.make(rules, fields or dict(PERSON), {}))
        seed = bytes.fromhex(self.http.get(self.base + "/puzzle").json()["seed"])
        return pending, app.to_json(seed, rules.puzzle_bits)

    def solved(self, body: dict[str, Any]) -> dict[str, Any]:
        """A changed application with its puzzle solved again (so the checks after it are reached)."""
        rules = self.definition.registration
        assert rules is not None
        inner = {k: v for k, v in body.items() if k != "puzzle"}
        seed = bytes.fromhex(self.http.get(self.base + "/puzzle").json()["seed"])
        nonce = solve_puzzle(seed, application_digest(inner), rules.puzzle_bits)
        return {**inner, "puzzle": {"seed": seed.hex(), "nonce": nonce.hex()}}

    def unsolved(self, change: Any) -> dict[str, Any]:
        """The first of change(0), change(1), … whose puzzle does not hold: a changed body
        (or nonce) solves a puzzle of few bits by chance now and then, and must not here."""
        rules = self.definition.registration
        assert rules is not None
        for k in range(256):
            body = change(k)
            inner = {key: v for key, v in body.items() if key != "puzzle"}
            seed, nonce = bytes.fromhex(body["puzzle"]["seed"]), bytes.fromhex(body["puzzle"]["nonce"])
            if not puzzle_ok(seed, application_digest(inner), nonce, rules.puzzle_bits):
                return body
        raise AssertionError("every change solved the puzzle")

    def reviewer(self, k: int = 1) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.service.tokens[k - 1]}"}

    def approve(self, code: str, k: int = 1, document: str = "MP1234567", born: str = "1990-04-01") -> Any:
        body = {"decision": "approve", "reason": "", "duplicate_key": {"document": document, "born": born}}
        return self.http.post(f"{self.base}/applications/{code}/decision", json=body, headers=self.reviewer(k))


def rows(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (applications, evidence, reviews, audit)
        )


@pytest.fixture
def setup(tmp_path: Path, store_url: str) -> Iterator[Setup]:
    setups = make_registrars(["bloc-a"])
    definition = with_registration(SMALL_DEFINITION, setups, approvals=2, attachment_max_bytes=10_000)
    board = Board.create(open_store(store_url), definition)
    _, anns, confs = local_ceremony(board.ledger.fingerprint, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    [service] = open_registrars(tmp_path, board, setups)
    settings = RegistrarSettings(max_body=200_000)
    with (
        TestClient(create_registrar_app(service.engine, [setups[0].key], settings)) as http,
        TestClient(create_app(board.engine)) as box,
    ):
        yield Setup(definition, board, service, http, box)


def refused(setup: Setup, response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code, response.text


def test_bad_applications_are_refused_and_change_nothing(setup: Setup) -> None:
    before = rows(setup.service.engine)
    _, good = setup.application()
    cases: list[tuple[Any, int, str]] = [
        (
            setup.solved({**good, "blinded": good["blinded"][:-2]}),
            422,
            "invalid-encoding",
        ),  # a blinded message of the wrong size
        (setup.solved({**good, "blinded": "ff" * 256}), 422, "invalid-encoding"),  # not below the modulus
        # changed after the puzzle was solved; a nonce that does not solve it
        (setup.unsolved(lambda k: {**good, "blinded": "ee" * 255 + f"{k:02x}"}), 422, "bad-puzzle"),
        (setup.unsolved(lambda k: {**good, "puzzle": {**good["puzzle"], "nonce": f"{k:016x}"}}), 422, "bad-puzzle"),
        ({**good, "puzzle": {**good["puzzle"], "seed": "00" * 32}}, 422, "stale-puzzle"),
        (setup.solved({**good, "election": "00" * 32}), 422, "wrong-election"),
        (setup.solved({**good, "duplicate_key": {"document": "MP1"}}), 422, "invalid-encoding"),
        (
            setup.solved({**good, "evidence": {**good["evidence"], "keys": good["evidence"]["keys"][:1]}}),
            422,
            "invalid-encoding",
        ),
        (
            setup.solved({**good, "evidence": {**good["evidence"], "ciphertext": "not base64!"}}),
            422,
            "invalid-encoding",
        ),
        ({k: v for k, v in good.items() if k != "evidence"}, 422, "invalid-encoding"),
        ("not an object", 422, "invalid-encoding"),
    ]
    for body, status, code in cases:
        refused(setup, setup.http.post(setup.base + "/applications", json=body), status, code)
    refused(setup, setup.http.post(setup.base + "/applications", content=b"{not json"), 400, "malformed-json")
    big = setup.http.post(setup.base + "/applications", content=b"{" + b" " * 300_000 + b"}")
    refused(setup, big, 413, "too-large")
    assert rows(setup.service.engine) == before


def test_applications_that_the_definition_does_not_allow(setup: Setup) -> None:
    """What the device checks (a missing, unknown or oversized field) the server checks too,
    on what it can see: the duplicate key, the evidence's size and its sealed keys."""
    rules = setup.definition.registration
    assert rules is not None
    with pytest.raises(Exception, match="field name is required"):
        Evidence.make(rules, {k: v for k, v in PERSON.items() if k != "name"}, {})
    with pytest.raises(Exception, match="at most 10000"):
        Evidence.make(rules, dict(PERSON), {"photo": ("image/png", "p.png", b"x" * 10_001)})
    with pytest.raises(Exception, match="does not ask for"):
        Evidence.make(rules, {**PERSON, "religion": "none"}, {})


def test_signatures_only_once_and_only_after_approval(setup: Setup) -> None:
    pending, body = setup.application()
    code = setup.http.post(setup.base + "/applications", json=body).json()["code"]
    again = setup.http.post(setup.base + "/applications", json=body)
    refused(setup, again, 409, "already-applied")
    sign = f"{setup.base}/applications/{code}/signature"
    blinded = pending.blinded["bloc-a"].hex()
    refused(setup, setup.http.post(sign, json={"blinded": blinded}), 409, "not-approved")
    assert setup.approve(code, 1).json()["status"] == "pending"  # two-person rule: one approval so far
    refused(setup, setup.approve(code, 1), 409, "already-reviewed")
    refused(setup, setup.http.post(sign, json={"blinded": blinded}), 409, "not-approved")
    assert setup.approve(code, 2).json()["status"] == "approved"
    first = setup.http.post(sign, json={"blinded": blinded}).json()["blind_signature"]
    assert setup.http.post(sign, json={"blinded": blinded}).json()["blind_signature"] == first  # a retry: the same one
    other = PendingCredential.new(setup.fp, setup.definition.registration, ["bloc-a"]).blinded["bloc-a"].hex()  # type: ignore[arg-type]
    refused(setup, setup.http.post(sign, json={"blinded": other}), 409, "already-signed")
    refused(setup, setup.approve(code, 1), 409, "already-decided")
    refused(setup, setup.http.get(f"{setup.base}/applications/NOPE-NOPE-NOPE"), 404, "unknown-application")
    log = [(e["action"], e["actor"]) for e in setup.http.get(setup.base + "/audit", headers=setup.reviewer()).json()]
    assert ("approved", "reviewer 1 (Reviewer 1)") in log and ("signed", "registrar") in log
    assert ("evidence-destroyed", "registrar") in log


def test_a_declared_duplicate_key_that_the_evidence_contradicts_is_caught(setup: Setup) -> None:
    """An applicant who declares another document number than the one in its evidence (to
    slip past the duplicate check) cannot be approved: the reviewer's decrypted values do
    not hash to the declared key."""
    rules = setup.definition.registration
    assert rules is not None
    pending = PendingCredential.new(setup.fp, rules, ["bloc-a"])
    honest = Application.make(pending, rules, "bloc-a", Evidence.make(rules, dict(PERSON), {}))
    lying = Application(
        setup.fp, "bloc-a", honest.blinded, {"document": "ZZ0000000", "born": PERSON["born"]}, honest.evidence
    )
    seed = bytes.fromhex(setup.http.get(setup.base + "/puzzle").json()["seed"])
    code = setup.http.post(setup.base + "/applications", json=lying.to_json(seed, rules.puzzle_bits)).json()["code"]
    refused(setup, setup.approve(code, 1), 409, "duplicate-key-mismatch")


def test_reviewers_and_elections(setup: Setup, tmp_path: Path) -> None:
    refused(setup, setup.http.get(f"{API}/registrar/no-such-election"), 404, "unknown-election")
    refused(setup, setup.http.get(setup.base + "/review"), 403, "forbidden")
    refused(setup, setup.http.get(setup.base + "/review", headers={"Authorization": "Bearer nope"}), 403, "forbidden")
    # a reviewer token of another election, in the same registrar store
    from vecha.record.package import make_package
    from vecha.registrar.service import create_reviewer_token, setup_election

    other_def = with_registration({**SMALL_DEFINITION, "id": "other-election"}, [setup.service.setup])
    other = Board.create(open_store(str(tmp_path / "other.sqlite")), other_def)
    setup_election(setup.service.engine, make_package(other.entries()), setup.service.setup.key)
    token = create_reviewer_token(setup.service.engine, "other-election", 1, "elsewhere")
    refused(
        setup, setup.http.get(setup.base + "/review", headers={"Authorization": f"Bearer {token}"}), 403, "forbidden"
    )


def test_after_close_nothing_more_is_taken(setup: Setup) -> None:
    pending, body = setup.application()
    code = setup.http.post(setup.base + "/applications", json=body).json()["code"]
    setup.service.registrar.close()
    before = rows(setup.service.engine)
    _, late = setup.application({**PERSON, "document": "KH0000001"})
    refused(setup, setup.http.post(setup.base + "/applications", json=late), 403, "registration-closed")
    refused(setup, setup.approve(code, 1), 403, "registration-closed")
    assert rows(setup.service.engine) == before
    assert setup.http.get(f"{setup.base}/applications/{code}").json()["status"] == "pending"
    assert setup.http.get(setup.base + "/approvals").json()["count"]["issued"] == 0


def test_the_box_refuses_bad_registrations(setup: Setup) -> None:
    """A signed credential with a forged signature, one of a registrar the election does not
    name, a count not signed by the registrar, a count posted twice, a first ballot whose
    registration is for another credential: each refused, the board unchanged."""
    rules = setup.definition.registration
    assert rules is not None
    pending, body = setup.application()
    code = setup.http.post(setup.base + "/applications", json=body).json()["code"]
    setup.approve(code, 1)
    setup.approve(code, 2)
    blind = setup.http.post(
        f"{setup.base}/applications/{code}/signature", json={"blinded": pending.blinded["bloc-a"].hex()}
    )
    signed = pending.signed(
        [pending.finalize(rules, "bloc-a", bytes.fromhex(blind.json()["blind_signature"]))]
    ).to_json()
    base = f"{API}/elections/{setup.board.election_id}"
    height = setup.board.ledger.height
    forged = {**signed, "signatures": [{**signed["signatures"][0], "prefix": "00" * 32}]}
    refused(setup, setup.box.post(base + "/signed-credentials", json=forged), 403, "unsigned-credential")
    foreign = {**signed, "signatures": [{**signed["signatures"][0], "registrar": "bloc-z"}]}
    refused(setup, setup.box.post(base + "/signed-credentials", json=foreign), 422, "invalid-encoding")
    count = setup.service.registrar.close().to_json()
    refused(setup, setup.box.post(base + "/registrar-counts", json={**count, "issued": 5}), 403, "bad-signature")
    assert setup.board.ledger.height == height
    assert setup.box.post(base + "/registrar-counts", json=count).status_code == 201
    body7 = count_body("bloc-a", 7)
    signature7 = setup.service.setup.key.sign("registrar-count", setup.fp, body7)
    second_count = RegistrarCount("bloc-a", 7, signature7).to_json()  # validly signed, but a second count
    refused(
        setup,
        setup.box.post(base + "/registrar-counts", json=second_count),
        409,
        "rejected-by-board",
    )
    assert setup.box.post(base + "/signed-credentials", json=signed).status_code == 201
    assert setup.box.post(base + "/signed-credentials", json=signed).status_code == 200  # the same again: nothing new
    organizer = create_token(setup.board.engine, Role.ORGANIZER, "organizer", setup.board.election_id)
    assert setup.box.post(base + "/open", headers={"Authorization": f"Bearer {organizer}"}).status_code == 200
    setup.board.refresh()
    height = setup.board.ledger.height
    # a ballot by an unregistered credential, carrying another credential's registration
    stranger = PendingCredential.new(setup.fp, rules, ["bloc-a"])
    ctx = setup.board.ledger.context()
    ballot = encrypt_ballot(
        ctx, stranger.credential, selections_from_labels(setup.definition, {"council": ["North"], "yesno": ["Yes"]})
    )
    response = setup.box.post(base + "/ballots", json={"ballot": ballot.ballot.to_json(), "registration": signed})
    refused(setup, response, 422, "wrong-registration")
    response = setup.box.post(base + "/ballots", json={"ballot": ballot.ballot.to_json()})
    refused(setup, response, 403, "unlisted-credential")
    setup.board.refresh()
    assert setup.board.ledger.height == height
    found = setup.box.get(f"{base}/credentials/{signed['credential']}").json()
    assert found == {"credential": signed["credential"], "listed": True, "ballots": []}
    refused(setup, setup.box.get(f"{base}/credentials/xyz"), 422, "invalid-credential")


def test_registration_routes_refuse_a_roll_election(api_roll: TestClient) -> None:
    http, eid = api_roll
    body = {"credential": "00" * 32, "signatures": [{"registrar": "a", "prefix": "00" * 32, "signature": "00" * 256}]}
    refused_response = http.post(f"{API}/elections/{eid}/signed-credentials", json=body)
    assert refused_response.status_code == 409 and refused_response.json()["error"] == "not-registration"


@pytest.fixture
def api_roll(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    from vecha.record.entries import EntryType
    from vecha.testing.records import build_election

    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    with TestClient(create_app(built.board.engine)) as http:
        yield http, built.board.election_id
