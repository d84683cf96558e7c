"""An election open for voting on a server app (in-process client), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.server import ServerSettings, create_app
from vecha.server.limits import LimitSettings
from vecha.store.tokens import Role, create_token
from vecha.testing.records import BuiltElection, build_election

API = "/api/v1"


@dataclass
class Api:
    http: TestClient
    built: BuiltElection
    organizer: str  #: an organizer token
    trustee: str  #: trustee 1's token

    @property
    def base(self) -> str:
        return f"{API}/elections/{self.built.board.election_id}"

    def ballot(self, voter: int = 0, council: str = "North", yesno: str = "Yes") -> dict[str, Any]:
        ctx = self.built.context
        sel = selections_from_labels(ctx.definition, {"council": [council], "yesno": [yesno]})
        cred = Credential.from_code(self.built.codes[voter], ctx.fingerprint)
        return encrypt_ballot(ctx, cred, sel).ballot.to_json()

    def height(self) -> int:
        return int(self.http.get(self.base).json()["height"])

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(tmp_path: Path, store_url: str) -> Iterator[Api]:
    built = build_election(tmp_path, votes=[], voters=6, stop_after=EntryType.OPEN, store=store_url)
    engine = built.board.engine
    eid = built.board.election_id
    organizer = create_token(engine, Role.ORGANIZER, "organizer", eid)
    trustee = create_token(engine, Role.TRUSTEE, "trustee 1", eid, trustee=1)
    # these tests send many bad ballots under one credential: not what the per-credential
    # rate is about (test_limits.py is)
    settings = ServerSettings(max_body=256 * 1024, limits=LimitSettings(credential_burst=1000))
    with TestClient(create_app(engine, settings)) as http:
        yield Api(http, built, organizer, trustee)
