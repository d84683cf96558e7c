"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis): for every operation,
requests generated from the schema, with no token and with an organizer's. No answer may be
a 5xx, and no generated ballot may be accepted. Prints the number of requests made."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vecha.record.entries import EntryType
from vecha.server import ServerSettings, create_app
from vecha.server.limits import LimitSettings
from vecha.store.tokens import Role, create_token
from vecha.testing.records import build_election

UNLIMITED = LimitSettings(ballots_per_second=1e9, ballot_burst=10**9, credential_burst=10**9)
EXAMPLES = 30  #: per operation and per kind of caller


def fuzz_app(
    app: Any, token: str, refused: Callable[[str, int], str | None], name: str, election_id: str | None = None
) -> tuple[int, list[str]]:
    """Fuzz every operation of `app`'s OpenAPI schema, each example with no token or with
    `token` (and, given `election_id`, half of them aimed at that election). A failure is a
    5xx, or what `refused(label, status)` names. Returns (operations, failures)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    made: Counter[str] = Counter()
    failures: list[str] = []

    def fuzz(operation: Any) -> None:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy(), with_token=st.booleans(), ours=st.booleans())
        @settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any, with_token: bool, ours: bool) -> None:
            if election_id and ours and case.path_parameters and "election_id" in case.path_parameters:
                case.path_parameters["election_id"] = election_id
            response = case.call(headers={"Authorization": f"Bearer {token}"} if with_token else None)
            made[label] += 1
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code} {response.text[:300]}")
            wrong = refused(label, response.status_code)
            if wrong:
                failures.append(f"{label}: {wrong}")

        run()

    for operation in operations:
        fuzz(operation)
    print(f"\nschemathesis ({name}): {sum(made.values())} requests over {len(made)} operations")
    assert sum(made.values()) >= 10 * len(operations)
    return len(operations), failures


@pytest.mark.slow
def test_the_api_never_answers_with_a_server_error(tmp_path: Path) -> None:
    built = build_election(tmp_path, voters=3, stop_after=EntryType.OPEN)
    engine = built.board.engine
    app = create_app(engine, ServerSettings(limits=UNLIMITED))
    organizer = create_token(engine, Role.ORGANIZER, "fuzz", built.board.election_id)

    def accepted(label: str, status: int) -> str | None:
        taken = label.startswith("POST") and label.endswith("/ballots") and status in (200, 201)
        return "a generated ballot was accepted" if taken else None

    operations, failures = fuzz_app(app, organizer, accepted, "ballot box")
    assert operations >= 25
    assert failures == []


@pytest.mark.slow
def test_the_registrar_never_answers_with_a_server_error(tmp_path: Path) -> None:
    """The registrar's service, fuzzed the same way, with no token and with a reviewer's:
    no 5xx, and no generated application is ever taken (none solves the puzzle)."""
    from vecha.election.trustees import local_ceremony
    from vecha.registrar.app import RegistrarSettings, create_registrar_app
    from vecha.store.board import Board, open_store
    from vecha.store.organizer import record_ceremony
    from vecha.testing.records import SMALL_DEFINITION, fixed_identities
    from vecha.testing.registration import make_registrars, open_registrars, with_registration

    setups = make_registrars(["bloc-a"])
    definition = with_registration(SMALL_DEFINITION, setups, puzzle_bits=20)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    _, anns, confs = local_ceremony(board.ledger.fingerprint, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    [service] = open_registrars(tmp_path, board, setups)
    app = create_registrar_app(service.engine, [setups[0].key], RegistrarSettings(applications_per_second=1e9))

    def taken(label: str, status: int) -> str | None:
        return "a generated application was taken" if label.endswith("/applications") and status == 201 else None

    operations, failures = fuzz_app(app, service.tokens[0], taken, "registrar", board.election_id)
    assert operations >= 8
    assert failures == []


@pytest.mark.slow
def test_the_mirror_never_answers_with_a_server_error(tmp_path: Path) -> None:
    """A mirror's routes, fuzzed the same way, while it follows a live ballot box: no 5xx
    (a ballot relayed to the box gets the box's refusal), and no generated ballot accepted."""
    import httpx

    from vecha.crypto.canonical import canonical_bytes
    from vecha.server.app import create_mirror_app
    from vecha.store.db import open_store
    from vecha.store.replica import Replica
    from vecha.testing.live import LiveServer

    built = build_election(tmp_path, voters=3, stop_after=EntryType.OPEN)
    eid = built.board.election_id
    with LiveServer(built.board.engine, ServerSettings(limits=UNLIMITED)) as box:
        page = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()
        engine = open_store(str(tmp_path / "mirror.sqlite"))
        Replica.start(engine, box.url, canonical_bytes(page["entries"][0]))
        app = create_mirror_app(engine, box.url)

        def accepted(label: str, status: int) -> str | None:
            taken = label.startswith("POST") and label.endswith("/ballots") and status in (200, 201)
            return "a generated ballot was accepted" if taken else None

        operations, failures = fuzz_app(app, "vecha_not-a-token", accepted, "mirror", eid)
    assert operations >= 10
    assert failures == []
