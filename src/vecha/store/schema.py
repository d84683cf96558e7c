"""SQLAlchemy tables of the ballot box (spec §8.6). No table has a column for a voter's identity,
an IP address or anything else that could tell who cast a ballot."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint

__all__ = [
    "metadata",
    "elections",
    "entries",
    "checkpoints",
    "ballots",
    "tokens",
    "ceremony",
    "audit",
    "mirrors",
    "equivocations",
]

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

#: Elections this store mirrors from another ballot box (`vecha mirror`): their `elections`
#: row has an empty board seed, since a mirror holds no board key and signs nothing.
mirrors = Table(
    "mirrors",
    metadata,
    Column("election_id", String(64), primary_key=True),
    Column("source", Text, nullable=False),  #: the ballot box's URL
)

#: Proofs that a mirrored box signed two histories (record/equivocation.py), as found.
equivocations = Table(
    "equivocations",
    metadata,
    Column("election_id", String(64), primary_key=True),
    Column("height", Integer, primary_key=True, autoincrement=False),
    Column("proof", LargeBinary, nullable=False),  #: its canonical JSON
    Column("peer", Text, nullable=False),  #: where the other checkpoint came from
)

#: An index over the ballot entries, for tracker look-ups and turnout (all of it is public on the board).
ballots = Table(
    "ballots",
    metadata,
    Column("election_id", String(64), nullable=False),
    Column("tracker", String(64), nullable=False),
    Column("credential", LargeBinary(32), nullable=False),  #: the public credential, never a name
    Column("idx", Integer, nullable=False),
    Column("time", String(20), nullable=False),
    Column("channel", String(8), nullable=False),
    UniqueConstraint("election_id", "tracker"),
    Index("ix_ballots_credential", "election_id", "credential"),
    Index("ix_ballots_time", "election_id", "time"),
)

#: Admin tokens, stored as SHA-256 hashes only.
tokens = Table(
    "tokens",
    metadata,
    Column("hash", LargeBinary(32), primary_key=True),
    Column("role", String(16), nullable=False),  #: admin, organizer or trustee
    Column("election_id", String(64), nullable=True),  #: null for an admin token (every election)
    Column("trustee", Integer, nullable=True),
    Column("label", String(100), nullable=False),
    Column("created", String(20), nullable=False),
)

#: Key-ceremony messages waiting for the whole ceremony to check out before they go on the board.
ceremony = Table(
    "ceremony",
    metadata,
    Column("election_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),  #: announcement, shares or confirmation
    Column("trustee", Integer, primary_key=True, autoincrement=False),
    Column("body", LargeBinary, nullable=False),  #: canonical JSON
)

#: Who (which token's label) did what, for every admin action.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("election_id", String(64), nullable=True),
    Column("time", String(20), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False),
)
