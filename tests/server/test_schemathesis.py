"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis): for every operation,
requests generated from the schema, with no token and with an organizer's. No answer may be
a 5xx, and no generated ballot may be accepted. Prints the number of requests made."""

from __future__ import annotations

from collections import Counter
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


@pytest.mark.slow
def test_the_api_never_answers_with_a_server_error(tmp_path: Path) -> None:
    built = build_election(tmp_path, voters=3, stop_after=EntryType.OPEN)
    engine = built.board.engine
    app = create_app(engine, ServerSettings(limits=UNLIMITED))
    organizer = create_token(engine, Role.ORGANIZER, "fuzz", built.board.election_id)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    made: Counter[str] = Counter()
    failures: list[str] = []

    def fuzz(operation: Any) -> None:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy(), as_organizer=st.booleans())
        @settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any, as_organizer: bool) -> None:
            headers = {"Authorization": f"Bearer {organizer}"} if as_organizer else None
            response = case.call(headers=headers)
            made[label] += 1
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code} {response.text[:300]}")
            if label.startswith("POST") and label.endswith("/ballots") and response.status_code in (200, 201):
                failures.append(f"{label}: a generated ballot was accepted")

        run()

    for operation in operations:
        fuzz(operation)
    print(f"\nschemathesis: {sum(made.values())} requests over {len(made)} operations")
    assert failures == []
    assert sum(made.values()) >= 10 * len(operations)


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
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    made: Counter[str] = Counter()
    failures: list[str] = []

    def fuzz(operation: Any) -> None:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy(), as_reviewer=st.booleans(), ours=st.booleans())
        @settings(max_examples=2 * EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any, as_reviewer: bool, ours: bool) -> None:
            if ours and case.path_parameters and "election_id" in case.path_parameters:
                case.path_parameters["election_id"] = board.election_id
            headers = {"Authorization": f"Bearer {service.tokens[0]}"} if as_reviewer else None
            response = case.call(headers=headers)
            made[label] += 1
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code} {response.text[:300]}")
            if label.endswith("/applications") and response.status_code == 201:
                failures.append(f"{label}: a generated application was taken")

        run()

    for operation in operations:
        fuzz(operation)
    print(f"\nschemathesis (registrar): {sum(made.values())} requests over {len(made)} operations")
    assert failures == []
    assert sum(made.values()) >= 10 * len(operations)
