"""Admin tokens and the audit log.

A token is 32 random bytes shown once, when the CLI creates it; the store keeps only its
SHA-256 hash. Looking a token up by its hash, then comparing in constant time, means that
neither the database nor the response time gives it away.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, insert, select

from vecha.crypto.errors import VechaError
from vecha.store.db import now, writing
from vecha.store.schema import audit, tokens

__all__ = [
    "Role",
    "Grant",
    "create_token",
    "authenticate",
    "record_action",
    "AuthError",
    "TOKEN_PREFIX",
    "audit_log_of",
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
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(engine) as conn:
        conn.execute(
            insert(tokens).values(
                hash=_hash(token), role=role.value, election_id=election_id, trustee=trustee, label=label, created=now()
            )
        )
        _audit(conn, election_id, "cli", "create-token", f"{role.value} token {label!r}")
    return token


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
