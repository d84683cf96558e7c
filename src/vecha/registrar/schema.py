"""The registrar's own tables (never in the ballot box's database).

No column holds a name, a document number, an address, a public credential or anything an
applicant typed in the clear: the evidence is ciphertext (deleted once decided), the
duplicate key a keyed hash, and what was signed a blinded message.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

__all__ = ["tables", "elections", "applications", "evidence", "reviews", "reviewer_tokens", "audit"]

tables = MetaData()

elections = Table(
    "registrar_elections",
    tables,
    Column("id", String(64), primary_key=True),
    Column("registrar", String(64), nullable=False),
    Column("package", LargeBinary, nullable=False),  #: the election package's canonical JSON
    Column("closed", String(20)),  #: when the registrar closed registration (then no more applications)
    Column("count", LargeBinary),  #: the signed count's canonical JSON, once closed
)

applications = Table(
    "applications",
    tables,
    Column("election_id", String(64), primary_key=True),
    Column("code", String(14), primary_key=True),
    Column("status", String(10), nullable=False),  #: pending, approved, rejected
    Column("duplicate_hash", LargeBinary(32), nullable=False),
    Column("blinded", LargeBinary, nullable=False),
    Column("blind_signature", LargeBinary),  #: once approved: the one signature ever made for it
    Column("reason", Text),  #: a rejection's reason, shown to the applicant
    Column("applied", String(20), nullable=False),
    Column("decided", String(20)),
    Index("applications_by_duplicate", "election_id", "duplicate_hash"),
    Index("applications_by_blinded", "election_id", "blinded", unique=True),
)

#: Sealed evidence, one row per pending application: deleted when it is decided or registration closes.
evidence = Table(
    "evidence",
    tables,
    Column("election_id", String(64), primary_key=True),
    Column("code", String(14), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
)

#: Each reviewer's approval of an application still waiting for a second one (two-person rule).
reviews = Table(
    "reviews",
    tables,
    Column("election_id", String(64), primary_key=True),
    Column("code", String(14), primary_key=True),
    Column("reviewer", Integer, primary_key=True, autoincrement=False),
)

reviewer_tokens = Table(
    "reviewer_tokens",
    tables,
    Column("token_hash", LargeBinary(32), primary_key=True),
    Column("election_id", String(64), nullable=False),
    Column("reviewer", Integer, nullable=False),
    Column("label", String(200), nullable=False),
)

audit = Table(
    "registrar_audit",
    tables,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("election_id", String(64), nullable=False),
    Column("time", String(20), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("code", String(14)),
    Column("detail", Text),
)
