"""SQLAlchemy tables of the ballot box (spec §8.6). No table has a column for a voter's identity."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, MetaData, String, Table, UniqueConstraint

__all__ = ["metadata", "elections", "entries", "checkpoints", "ballots"]

metadata = MetaData()

elections = Table(
    "elections",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("board_seed", LargeBinary(32), nullable=False),  #: the board's Ed25519 seed
)

entries = Table(
    "entries",
    metadata,
    Column("election_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("time", String(20), nullable=False),
    Column("body", LargeBinary, nullable=False),  #: the entry's canonical JSON
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("election_id", String(64), primary_key=True),
    Column("height", Integer, primary_key=True, autoincrement=False),
    Column("head", LargeBinary(32), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)

ballots = Table(
    "ballots",
    metadata,
    Column("election_id", String(64), nullable=False),
    Column("tracker", String(64), nullable=False),
    Column("credential", LargeBinary(32), nullable=False),  #: the public credential, never a name
    Column("idx", Integer, nullable=False),
    UniqueConstraint("election_id", "tracker"),
    Index("ix_ballots_credential", "election_id", "credential"),
)
