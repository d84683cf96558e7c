from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from vecha.environment import apply_environment

# Curve operations are slow enough that the default 100 examples would dominate the suite.
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
apply_environment()  # VECHA_BACKEND, as the CLI takes it

POSTGRES = os.environ.get("VECHA_TEST_POSTGRES")  #: a PostgreSQL URL whose user may create databases


def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards)."""
    import psycopg

    if not POSTGRES:
        if os.environ.get("VECHA_REQUIRE_POSTGRES"):
            pytest.fail("VECHA_REQUIRE_POSTGRES is set but VECHA_TEST_POSTGRES names no server")
        pytest.skip("no PostgreSQL server: set VECHA_TEST_POSTGRES (scripts/test starts one)")
    name = "vecha_test_" + secrets.token_hex(6)
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on the embedded store (SQLite) and on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield str(tmp_path / "box.sqlite")
    else:
        yield from fresh_postgres()
