"""Flood control: the global ballot rate (refused before the body is read), the rate per
credential (refused before any curve operation), and the bound on ballots waiting for the
proof workers. A refusal says when to retry and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api

from vecha.record.entries import EntryType
from vecha.server import ServerSettings, create_app
from vecha.server.errors import ApiError
from vecha.server.limits import Limits, LimitSettings, TokenBucket
from vecha.testing.records import build_election


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)  # one token every half second
    clock.now += 0.5
    assert bucket.take() == 0.0
    assert bucket.take() > 0
    clock.now += 60  # refills only up to the burst
    assert [bucket.take() for _ in range(4)][-1] > 0


def test_limits_per_credential_are_separate_and_the_queue_is_bounded() -> None:
    clock = FakeClock()
    limits = Limits(LimitSettings(credential_per_minute=6, credential_burst=2, max_pending=1), clock)
    limits.credential(b"a")
    limits.credential(b"a")
    with pytest.raises(ApiError) as e:
        limits.credential(b"a")
    assert (e.value.status, e.value.code) == (429, "too-many-ballots") and e.value.retry_after == pytest.approx(10)
    with pytest.raises(ApiError) as early:  # the early check refuses as well, and takes nothing
        limits.credential_room(b"a")
    assert early.value.retry_after == pytest.approx(10)
    limits.credential_room(b"c")  # a credential that never voted has room
    limits.credential(b"b")  # another voter is not held up
    clock.now += 10
    limits.credential(b"a")
    with limits.verifying():
        with pytest.raises(ApiError) as full, limits.verifying():
            pass
        assert (full.value.status, full.value.code) == (503, "busy")
    with limits.verifying():  # the place was given back
        pass


def limited_api(tmp_path: Path, settings: LimitSettings) -> Iterator[Api]:
    built = build_election(tmp_path, votes=[], voters=3, stop_after=EntryType.OPEN)
    with TestClient(create_app(built.board.engine, ServerSettings(limits=settings))) as http:
        yield Api(http, built, "", "")


@pytest.fixture
def per_credential(tmp_path: Path) -> Iterator[Api]:
    yield from limited_api(tmp_path, LimitSettings(credential_per_minute=1, credential_burst=2))


@pytest.fixture
def global_rate(tmp_path: Path) -> Iterator[Api]:
    yield from limited_api(tmp_path, LimitSettings(ballots_per_second=0.01, ballot_burst=2))


def test_a_credential_that_floods_is_slowed_down_and_others_are_not(per_credential: Api) -> None:
    api = per_credential
    for _ in range(2):
        assert api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(0)}).status_code == 201
    height = api.height()
    r = api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(0)})
    assert r.status_code == 429 and r.json()["error"] == "too-many-ballots"
    assert int(r.headers["retry-after"]) >= 1
    assert api.height() == height
    assert api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(1)}).status_code == 201
    # a resubmission of a ballot already on the board is not a new ballot: its receipt again
    first = api.ballot(2)
    assert api.http.post(f"{api.base}/ballots", json={"ballot": first}).status_code == 201
    assert api.http.post(f"{api.base}/ballots", json={"ballot": first}).status_code == 200
    metrics = api.http.get("/metrics").text
    assert 'vecha_ballots_rejected_total{reason="too-many-ballots"} 1.0' in metrics


def test_over_the_global_rate_even_junk_is_refused_unread(global_rate: Api) -> None:
    api = global_rate
    assert api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(0)}).status_code == 201
    assert api.http.post(f"{api.base}/ballots", content=b"{not json").status_code == 400  # second token
    height = api.height()
    for body in (b"{not json", b"{}"):
        r = api.http.post(f"{api.base}/ballots", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 503 and r.json()["error"] == "busy"  # not 400: the body was never parsed
        assert int(r.headers["retry-after"]) >= 1
    r = api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(1)})
    assert r.status_code == 503
    assert api.height() == height
    assert api.http.get(api.base).status_code == 200  # reading the board is not limited by it


def test_junk_that_names_a_public_credential_cannot_lock_its_voter_out(per_credential: Api) -> None:
    """Finding 4: the credential list is public. A stranger sends many ballots that name
    voter 0's credential with a forged signature (or forged proofs he cannot sign): each is
    refused, none uses up the voter's rate, and the voter's own ballot and re-vote go in."""
    api = per_credential
    genuine = api.ballot(0)
    for k in range(10):
        junk = json.loads(json.dumps(genuine))
        junk["signature"]["response"] = f"{k + 1:02x}" + "00" * 31
        r = api.http.post(f"{api.base}/ballots", json={"ballot": junk})
        assert (r.status_code, r.json()["error"]) == (422, "bad-signature")
    forged_proof = json.loads(json.dumps(api.ballot(0)))
    forged_proof["answers"][0]["choices"][0]["beta"] = forged_proof["answers"][0]["choices"][1]["beta"]
    r = api.http.post(f"{api.base}/ballots", json={"ballot": forged_proof})
    assert r.status_code == 422  # its signature no longer covers the changed body
    assert api.http.post(f"{api.base}/ballots", json={"ballot": genuine}).status_code == 201
    assert api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(0)}).status_code == 201  # the re-vote
    # the voter's own third ballot in a row is what the rate is about
    assert api.http.post(f"{api.base}/ballots", json={"ballot": api.ballot(0)}).status_code == 429


def test_a_credential_holder_who_floods_forged_proofs_is_slowed(per_credential: Api) -> None:
    """The other side of the lock-out fix: ballots that only the holder could sign (a valid
    signature, forged proofs) use up the credential's rate before their proofs are checked."""
    api = per_credential
    from tests.server.test_ballot_submission import resigned_json

    forged = resigned_json(api, 0, {**api.ballot(0), "answers": api.ballot(0)["answers"][:1]})
    answers = [api.http.post(f"{api.base}/ballots", json={"ballot": forged}).status_code for _ in range(4)]
    assert answers[:2] == [422, 422] and answers[2:] == [429, 429]
