"""Ballot submission over the API: receipts, idempotence, re-votes, and every kind of bad
input answered with a 4xx naming the problem, changing nothing."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Api
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.group import ORDER
from vecha.crypto.proofs import prove_knowledge
from vecha.crypto.transcript import Transcript
from vecha.election.ballot import Ballot, sign_ballot
from vecha.election.credentials import Credential, new_code
from vecha.record.entries import EntryType
from vecha.record.receipt import Receipt
from vecha.server.models import ReceiptBody
from vecha.testing.records import SMALL_DEFINITION, build_election


def submit(api: Api, ballot: Any, channel: str = "app", base: str | None = None) -> Any:
    return api.http.post((base or api.base) + "/ballots", json={"ballot": ballot, "channel": channel})


def rejected(api: Api, reason: str) -> float:
    for line in api.http.get("/metrics").text.splitlines():
        if line.startswith(f'vecha_ballots_rejected_total{{reason="{reason}"}}'):
            return float(line.split()[-1])
    return 0.0


def resigned(api: Api, voter: int, ballot: Ballot) -> dict[str, Any]:
    """`ballot` signed again with the voter's credential (a well-signed ballot with bad contents)."""
    ctx = api.built.context
    cred = Credential.from_code(api.built.codes[voter], ctx.fingerprint)
    return sign_ballot(ctx.fingerprint, cred, ballot.answers).to_json()


def resigned_json(api: Api, voter: int, ballot: dict[str, Any]) -> dict[str, Any]:
    """A ballot's JSON (which need not decode) signed again with the voter's credential."""
    ctx = api.built.context
    cred = Credential.from_code(api.built.codes[voter], ctx.fingerprint)
    body = {k: v for k, v in ballot.items() if k != "signature"}
    digest = Transcript("ballot-body").raw("body", canonical_bytes(body)).digest()
    proof = prove_knowledge(cred.secret, cred.public, digest, purpose="ballot-signature")
    return {**body, "signature": {"commitment": proof.commitment.hex(), "response": proof.response.hex()}}


def test_receipt_idempotence_and_revote(api: Api) -> None:
    first = submit(api, api.ballot(0, "North"), "web")
    assert first.status_code == 201
    # The route sends the board's receipt as it is: it must have exactly the documented shape.
    assert ReceiptBody.model_validate(first.json()).model_dump() == first.json()
    receipt = Receipt.from_json(first.json())
    receipt.verify(api.built.board_key.public)
    again = submit(api, api.ballot(0, "North"), "web")  # a new encryption: a re-vote
    assert again.status_code == 201 and again.json()["index"] == receipt.index + 1
    same = api.http.post(api.base + "/ballots", json={"ballot": _ballot_of(api, receipt.index), "channel": "web"})
    assert same.status_code == 200 and same.json() == first.json()  # resubmission: the same receipt
    looked = api.http.get(f"{api.base}/trackers/{receipt.tracker}").json()
    assert looked == {"tracker": receipt.tracker, "index": receipt.index, "counts": False}
    latest = api.http.get(f"{api.base}/trackers/{again.json()['tracker'].upper()}").json()
    assert latest["counts"] is True
    info = api.http.get(api.base).json()
    assert (info["ballots"], info["voters"], info["phase"]) == (2, 1, "open")
    metrics = api.http.get("/metrics").text
    assert 'vecha_ballots_accepted_total{election="small-test"} 2.0' in metrics
    assert 'vecha_ballots_resubmitted_total{election="small-test"} 1.0' in metrics
    assert "vecha_ballot_seconds_count 2.0" in metrics


def _ballot_of(api: Api, index: int) -> Any:
    page = api.http.get(api.base + "/board", params={"start": index, "limit": 1}).json()
    return page["entries"][0]["payload"]["ballot"]


def _with(ballot: dict[str, Any], change: Any) -> dict[str, Any]:
    b = copy.deepcopy(ballot)
    change(b)
    return b


def _bad_inputs(api: Api, tmp_path: Path) -> list[tuple[str, Any, int, str]]:
    good = api.ballot(1)
    parsed = Ballot.from_json(good)
    # Two options' proofs swapped: each proof is well formed but bound to the other option.
    a0 = parsed.answers[0]
    swapped = dataclasses.replace(a0, proofs=(a0.proofs[1], a0.proofs[0], *a0.proofs[2:]))
    forged = resigned(api, 1, dataclasses.replace(parsed, answers=(swapped, *parsed.answers[1:])))
    short = resigned(api, 1, dataclasses.replace(parsed, answers=parsed.answers[:1]))
    stranger = Credential.from_code(new_code(), api.built.context.fingerprint)
    unlisted = sign_ballot(api.built.context.fingerprint, stranger, parsed.answers).to_json()
    # The same voter's valid ballot in another election on the same server.
    other = build_election(
        tmp_path / "other",
        definition={**SMALL_DEFINITION, "id": "other-election"},
        votes=[],
        stop_after=EntryType.OPEN,
        store=str(api.built.board.engine.url.render_as_string(hide_password=False)),
    )
    elsewhere = Ballot.from_json(api.ballot(2))
    replayed = dataclasses.replace(elsewhere, fingerprint=other.context.fingerprint).to_json()
    non_canonical = (ORDER + 1).to_bytes(32, "little").hex()
    return [
        ("wrong types", {"ballot": 5, "channel": "app"}, 422, "invalid-request"),
        ("unknown channel", {"ballot": good, "channel": "fax"}, 422, "invalid-request"),
        (
            "missing field",
            {"ballot": _with(good, lambda b: b.pop("signature")), "channel": "app"},
            422,
            "invalid-request",
        ),
        (
            "upper-case hex",
            {"ballot": _with(good, lambda b: b.update(credential=b["credential"].upper()))},
            422,
            "invalid-request",
        ),
        ("extra field", {"ballot": {**good, "extra": 1}}, 422, "invalid-request"),
        ("ballot for another election", {"ballot": replayed}, 422, "wrong-election"),
        ("unlisted credential", {"ballot": unlisted}, 403, "unlisted-credential"),
        # a change the signature does not cover is refused at the signature (checked first) ...
        ("invalid point, not signed", {"ballot": _with(good, _break_point)}, 422, "bad-signature"),
        # ... and one the voter signed is refused when the ballot is decoded
        ("invalid point", {"ballot": resigned_json(api, 1, _with(good, _break_point))}, 422, "invalid-encoding"),
        (
            "non-canonical scalar",
            {"ballot": _with(good, lambda b: b["signature"].update(response=non_canonical))},
            422,
            "invalid-encoding",
        ),
        ("bad signature", {"ballot": _with(good, _flip_response)}, 422, "bad-signature"),
        ("wrong shape", {"ballot": short}, 422, "wrong-shape"),
        ("forged proof", {"ballot": forged}, 422, "invalid-proof"),
    ]


def _break_point(b: dict[str, Any]) -> None:
    b["answers"][0]["choices"][0]["alpha"] = "ff" * 32  # not a canonical ristretto255 encoding


def _flip_response(b: dict[str, Any]) -> None:
    r = bytearray(bytes.fromhex(b["signature"]["response"]))
    r[0] ^= 1
    b["signature"]["response"] = r.hex()


def test_bad_input_gets_a_named_4xx_and_changes_nothing(api: Api, tmp_path: Path) -> None:
    cases = _bad_inputs(api, tmp_path)
    height = api.height()
    for name, body, status, code in cases:
        before = rejected(api, code)
        response = api.http.post(api.base + "/ballots", json=body)
        assert (response.status_code, response.json()["error"]) == (status, code), name
        assert response.json()["message"], name
        assert rejected(api, code) == before + 1, name
        assert api.height() == height, name
    # The good ballot those were made from is still accepted.
    assert submit(api, api.ballot(1)).status_code == 201


def test_malformed_oversized_and_unknown(api: Api) -> None:
    height = api.height()
    as_json = {"content-type": "application/json"}
    bad_json = api.http.post(api.base + "/ballots", content=b'{"ballot": ', headers=as_json)
    assert (bad_json.status_code, bad_json.json()["error"]) == (400, "malformed-json")
    not_json = api.http.post(api.base + "/ballots", content=b"ballot=1", headers={"content-type": "text/plain"})
    assert not_json.status_code == 400
    huge = api.http.post(api.base + "/ballots", content=b"[" + b"0," * 200_000 + b"0]")
    assert (huge.status_code, huge.json()["error"]) == (413, "too-large")

    def chunks() -> Any:
        for _ in range(100):
            yield b" " * 4096  # no Content-Length: the limit counts what arrives

    streamed = api.http.post(api.base + "/ballots", content=chunks(), headers=as_json)
    assert streamed.status_code == 413
    unknown = api.http.post(f"{api.base}x/ballots", json={"ballot": api.ballot(0)})
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown-election")
    assert api.http.get(api.base + "/trackers/nothex").status_code == 422
    assert api.http.get(api.base + "/board", params={"limit": 10**6}).status_code == 422
    assert api.height() == height


def test_closed_ballot_box_refuses(api: Api) -> None:
    assert api.http.post(api.base + "/close", headers=api.auth(api.organizer)).status_code == 200
    height = api.height()
    response = submit(api, api.ballot(0))
    assert (response.status_code, response.json()["error"]) == (403, "not-open")
    assert "closed" in response.json()["message"] and api.height() == height


def test_security_headers_and_no_server_banner(api: Api) -> None:
    response = api.http.get(api.base)
    h = response.headers
    assert (
        "default-src 'self'" in h["content-security-policy"]
        and "frame-ancestors 'none'" in h["content-security-policy"]
    )
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY" and h["cache-control"] == "no-store"
    assert "server" not in h
    assert api.http.get("/docs").status_code == 404  # no page that loads scripts from a CDN


def test_openapi_describes_the_api(api: Api) -> None:
    schema = api.http.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/elections/{election_id}/ballots",
        "/api/v1/elections/{election_id}/board",
        "/api/v1/elections/{election_id}/board/stream",
        "/api/v1/elections/{election_id}/trackers/{tracker}",
        "/api/v1/elections/{election_id}/turnout",
        "/api/v1/elections/{election_id}/record",
        "/api/v1/elections/{election_id}/open",
    ):
        assert path in paths, path
    ballot = schema["components"]["schemas"]["BallotBody"]
    assert ballot["properties"]["credential"]["pattern"] == "^[0-9a-f]{64}$"


def test_board_pages_checkpoints_and_record(api: Api, tmp_path: Path) -> None:
    import io
    import zipfile

    submit(api, api.ballot(0))
    page = api.http.get(api.base + "/board", params={"start": 0, "limit": 3}).json()
    assert [e["index"] for e in page["entries"]] == [0, 1, 2] and page["height"] == api.height()
    assert page["entries"][0]["type"] == "election"
    checkpoints = api.http.get(api.base + "/checkpoints").json()
    board_key = api.built.board_key.public
    assert checkpoints and all(c["election"] == "small-test" for c in checkpoints)

    def record_lines() -> list[str]:
        record = api.http.get(api.base + "/record")
        assert record.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(record.content)) as z:
            assert {"board.jsonl", "checkpoints.json", "record.json"} <= set(z.namelist())
            return z.read("board.jsonl").decode().splitlines()

    # Finding 6: a public read writes nothing. The record is the board up to its latest signed
    # checkpoint (the ballot after the open is not in it yet), made once and served again.
    before = api.http.get(api.base + "/checkpoints").json()
    board_lines = record_lines()
    assert len(board_lines) == before[-1]["height"] == api.height() - 1
    assert api.http.get(api.base + "/checkpoints").json() == before
    assert record_lines() == board_lines
    assert json.loads(board_lines[0])["payload"]["board_key"] == board_key.hex()
    # An organizer has a checkpoint signed at the head; then the record reaches it.
    signed = api.http.post(api.base + "/checkpoint", headers=api.auth(api.organizer))
    assert signed.status_code == 200
    assert api.http.post(api.base + "/checkpoint").status_code == 401
    assert len(record_lines()) == api.height()
    assert len(list(api.http.app.state.vecha.records.directory.glob("*.zip"))) == 1  # the older one is gone


def test_turnout_per_hour_day_and_channel(api: Api) -> None:
    submit(api, api.ballot(0), "web")
    submit(api, api.ballot(0), "web")  # a re-vote: two ballots, one voter
    submit(api, api.ballot(1), "app")
    t = api.http.get(api.base + "/turnout").json()
    assert (t["credentials"], t["ballots"], t["voters"]) == (6, 3, 2)
    assert t["channels"] == {"app": {"ballots": 1, "voters": 1}, "web": {"ballots": 2, "voters": 1}}
    assert sum(h["ballots"] for h in t["hours"]) == 3 and sum(d["ballots"] for d in t["days"]) == 3
    assert all(h["period"].endswith(":00Z") and len(h["period"]) == 17 for h in t["hours"])
    assert {d["channel"] for d in t["days"]} == {"web", "app"}


@pytest.mark.parametrize("path", ["/result", "/package"])
def test_reads_before_their_time(api: Api, path: str) -> None:
    if path == "/result":
        response = api.http.get(api.base + path)
        assert (response.status_code, response.json()["error"]) == (409, "no-result-yet")
    else:
        package = api.http.get(api.base + path).json()
        assert package["entries"][-1]["type"] == "joint-key"


def test_credential_list_pages(api: Api) -> None:
    whole = api.http.get(api.base + "/credentials").json()
    assert whole["total"] == 6 and whole["election"] == api.built.context.fingerprint.hex()
    assert whole["credentials"] == sorted(whole["credentials"])
    page = api.http.get(api.base + "/credentials", params={"start": 2, "limit": 3}).json()
    assert page["credentials"] == whole["credentials"][2:5]
    mine = Credential.from_code(api.built.codes[0], api.built.context.fingerprint).public.hex()
    assert mine in whole["credentials"]


def test_proofs_checked_in_worker_processes(api: Api) -> None:
    """The same answers when the costly checks run in a process pool (as `vecha serve` does)."""
    from fastapi.testclient import TestClient

    from vecha.server import ServerSettings, create_app

    parsed = Ballot.from_json(api.ballot(4))
    a0 = parsed.answers[0]
    swapped = dataclasses.replace(a0, proofs=(a0.proofs[1], a0.proofs[0], *a0.proofs[2:]))
    forged = resigned(api, 4, dataclasses.replace(parsed, answers=(swapped, *parsed.answers[1:])))
    bad_signature = _with(api.ballot(4), _flip_response)
    app = create_app(api.built.board.engine, ServerSettings(verify_workers=1))
    with TestClient(app) as http:
        for ballot, status, code in ((forged, 422, "invalid-proof"), (bad_signature, 422, "bad-signature")):
            r = http.post(api.base + "/ballots", json={"ballot": ballot})
            assert (r.status_code, r.json()["error"]) == (status, code)
        assert http.post(api.base + "/ballots", json={"ballot": parsed.to_json()}).status_code == 201
