"""Admin tokens and the audit log.

A token is 32 random bytes shown once, when the CLI creates it; the store keeps only its
SHA-256 hash. Looking a token up by its hash, then comparing in constant time, means that
neither the database nor the response time gives it away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from vecha.errors import VechaError
from vecha.store.db import now, writing
from vecha.store.schema import audit, entries, tokens

__all__ = [
    "Role",
    "Grant",
    "create_token",
    "authenticate",
    "record_action",
    "AuthError",
    "TOKEN_PREFIX",
    "audit_log_of",
    "list_tokens",
    "revoke_token",
    "token_id",
]

TOKEN_PREFIX = "vecha_"


class AuthError(VechaError):
    """A missing, unknown or insufficient admin token."""


class Role(StrEnum):
    ADMIN = "admin"  #: creates elections; acts as organizer of every election
    ORGANIZER = "organizer"  #: runs one election
    TRUSTEE = "trustee"  #: one trustee of one election


@dataclass(frozen=True)
class Grant:
    role: Role
    election_id: str | None
    trustee: int | None
    label: str

    def may_organize(self, election_id: str) -> bool:
        return self.role is Role.ADMIN or (self.role is Role.ORGANIZER and self.election_id == election_id)

    def trustee_of(self, election_id: str) -> int | None:
        if self.role is Role.TRUSTEE and self.election_id == election_id:
            return self.trustee
        return None


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def create_token(
    engine: Engine, role: Role, label: str, election_id: str | None = None, trustee: int | None = None
) -> str:
    if (role is Role.ADMIN) != (election_id is None):
        raise AuthError("an admin token covers every election; organizer and trustee tokens name one")
    if (role is Role.TRUSTEE) != (trustee is not None):
        raise AuthError("a trustee token names the trustee's number, and only a trustee token does")
    if not 1 <= len(label) <= 100:
        raise AuthError("a token's label is 1 to 100 characters")
    if election_id is not None:
        count = _trustee_count(engine, election_id)
        if trustee is not None and not 1 <= trustee <= count:
            raise AuthError(f"election {election_id} has {count} trustees: there is no trustee {trustee}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(engine) as conn:
        conn.execute(
            insert(tokens).values(
                hash=_hash(token), role=role.value, election_id=election_id, trustee=trustee, label=label, created=now()
            )
        )
        _audit(conn, election_id, "cli", "create-token", f"{role.value} token {label!r}")
    return token


def _trustee_count(engine: Engine, election_id: str) -> int:
    """From the election's first entry (its definition), without replaying the board."""
    with engine.connect() as conn:
        body = conn.execute(
            select(entries.c.body).where(entries.c.election_id == election_id, entries.c.idx == 0)
        ).scalar_one_or_none()
    if body is None:
        raise AuthError(f"no election {election_id!r} in this store")
    return int(json.loads(bytes(body))["payload"]["definition"]["trustees"]["count"])


def token_id(digest: bytes) -> str:
    """A token's public name: the start of its hash (which tells nothing of the token)."""
    return digest.hex()[:12]


def list_tokens(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(tokens).order_by(tokens.c.created, tokens.c.label)).all()
    return [
        {
            "id": token_id(bytes(r.hash)),
            "role": r.role,
            "election": r.election_id,
            "trustee": r.trustee,
            "label": r.label,
            "created": r.created,
        }
        for r in rows
    ]


def revoke_token(engine: Engine, ident: str) -> dict[str, Any]:
    """Delete the token whose id (`list_tokens`) is `ident`; it no longer authenticates."""
    ident = ident.strip().lower()
    matches = [t for t in list_tokens(engine) if t["id"] == ident]
    if not matches:
        raise AuthError(f"no token with id {ident!r} (vecha token list shows them)")
    (found,) = matches
    with writing(engine) as conn:
        for row in conn.execute(select(tokens.c.hash)).all():
            if token_id(bytes(row.hash)) == ident:
                conn.execute(delete(tokens).where(tokens.c.hash == row.hash))
        _audit(conn, found["election"], "cli", "revoke-token", f"{found['role']} token {found['label']!r}")
    return found


def authenticate(engine: Engine, token: str) -> Grant:
    digest = _hash(token)
    with engine.connect() as conn:
        row = conn.execute(select(tokens).where(tokens.c.hash == digest)).first()
    if row is None or not hmac.compare_digest(bytes(row.hash), digest):
        raise AuthError("unknown token")
    return Grant(Role(row.role), row.election_id, row.trustee, row.label)


def _audit(conn: object, election_id: str | None, actor: str, action: str, detail: str) -> None:
    conn.execute(  # type: ignore[attr-defined]
        insert(audit).values(election_id=election_id, time=now(), actor=actor, action=action, detail=detail)
    )


def record_action(engine: Engine, grant: Grant, election_id: str | None, action: str, detail: str = "") -> None:
    """Write an admin action to the audit log (the board has the action itself, where it is one)."""
    with writing(engine) as conn:
        _audit(conn, election_id, grant.label, action, detail)


def audit_log_of(engine: Engine, election_id: str) -> list[dict[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(audit).where(audit.c.election_id == election_id).order_by(audit.c.id))
        return [{"time": r.time, "actor": r.actor, "action": r.action, "detail": r.detail} for r in rows]
