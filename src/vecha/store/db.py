"""Opening a store (SQLite file or PostgreSQL URL) and writing to it safely from several
threads and processes at once."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text

from vecha.store.schema import metadata

__all__ = ["open_store", "writing", "now", "database_url"]


def now() -> str:
    """The board's clock: UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def database_url(url: str) -> str:
    """A SQLAlchemy URL for a plain SQLite path, a sqlite:// URL or a postgresql:// URL."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _private_file(url: str) -> None:
    """Create a new SQLite store readable by its owner alone: it holds the board's signing
    seed (SQLite makes its -wal and -shm files with the same permissions)."""
    path = url.removeprefix("sqlite:///")
    if path and path != url and not path.startswith(":memory:") and not os.path.exists(path):
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def open_store(url: str, tables: MetaData = metadata, secure_delete: bool = False) -> Engine:
    """An engine for a database URL or a plain SQLite file path; creates the tables (the
    ballot box's, or another service's). `secure_delete`: SQLite overwrites what it deletes
    with zeros (the registrar's store, whose deleted evidence must not stay in the file)."""
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_file(url)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _: Any) -> None:
            conn.isolation_level = None  # SQLAlchemy's begin event below emits BEGIN itself
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # a receipt means the ballot is on disk
            if secure_delete:
                cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A writer takes SQLite's write lock at once, so two writers queue instead of
            # deadlocking when both try to upgrade a read transaction.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writer") else "BEGIN")

    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    tables.create_all(engine)
    return engine


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def writing(engine: Engine, lock: str | None = None) -> Iterator[Connection]:
    """A write transaction; with `lock`, it also holds a lock of that name across processes
    (PostgreSQL: an advisory lock; SQLite: the database's write lock) until it commits."""
    with engine.connect() as conn:
        conn.execution_options(writer=True)
        with conn.begin():
            if lock is not None and conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(lock)})
            yield conn
