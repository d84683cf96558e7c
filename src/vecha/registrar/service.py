"""The registrar's steps over its own store: applications, reviews, blind signatures, close.

Who could sit in the middle, and what they gain (threat model §2.4):
- the registrar's server sees ciphertext, the blinded message and, while a request is
  handled, the duplicate-key fields (which it turns into a keyed hash and drops); it never
  sees the credential, nor the evidence (sealed to reviewer keys fixed by the fingerprint);
- a reviewer sees the evidence of the applications they decide, on their own machine;
- an applicant who lies in the clear duplicate key to dodge the duplicate check is caught
  at approval: the reviewer's tool sends the values it decrypted, and the server recomputes
  the hash and refuses an approval whose evidence does not match what was declared;
- one application gets one signature, ever: made once, at approval, over the blinded
  message sent with the application, and returned again (never remade) on a retry.

Every decision and its reason is in the audit log; evidence is deleted once decided and at
close (and SQLite's file rewritten so that nothing of it is left in it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update

from vecha.crypto import blind_rsa
from vecha.crypto.canonical import canonical_bytes, parse_canonical
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.transcript import Transcript
from vecha.election.application import (
    SealedEvidence,
    application_code,
    application_digest,
    duplicate_hash,
    evidence_limit,
    puzzle_ok,
)
from vecha.election.eligibility import RegistrarCount, RegistrarSpec, RegistrationRules, count_body
from vecha.errors import ElectionError, InvalidEncoding, RegistrationRefused
from vecha.record.entries import EntryType
from vecha.record.package import setup_ledger
from vecha.registrar.keys import RegistrarKey
from vecha.registrar.schema import applications, audit, elections, evidence, reviewer_tokens, reviews
from vecha.store.db import now, writing
from vecha.store.tokens import AuthError

__all__ = ["Registrar", "setup_election", "create_reviewer_token", "PUZZLE_EPOCH_S", "destroy_leftovers"]

PUZZLE_EPOCH_S = 600  #: a puzzle seed is good for this epoch and the one after it
TOKEN_PREFIX = "vecha_reviewer_"


def setup_election(engine: Engine, package: Any, key: RegistrarKey) -> str:
    """Take an election (its package, from entry 0 on) into the registrar's store."""
    ledger = setup_ledger(package)
    genesis = ledger.defined()
    rules = genesis.definition.registration
    if rules is None:
        raise ElectionError(f"election {genesis.election_id} has a roll, not registration")
    spec = rules.registrar(key.registrar)
    if spec.public_key != key.blind.public or spec.signing_key != key.signing_public.hex():
        raise ElectionError(f"this key file is not the one the definition names for registrar {key.registrar}")
    if genesis.definition.coercion:
        # its registration page encrypts the credential under the joint key (a roll entry,
        # spec §6.10), so this registrar keeps and serves the package through the key
        if ledger.keyed is None:
            raise ElectionError(
                f"election {genesis.election_id} is coercion-resistant: set its registrars up after the key ceremony"
            )
        through = next(i for i, e in enumerate(package["entries"]) if e["type"] == EntryType.JOINT_KEY.value)
        first = {"version": package["version"], "entries": package["entries"][: through + 1]}
    else:
        first = {"version": package["version"], "entries": package["entries"][:1]}
    with writing(engine) as conn:
        row = conn.execute(select(elections.c.package).where(elections.c.id == genesis.election_id)).first()
        if row is not None:
            if setup_ledger(parse_canonical(bytes(row[0]))).fingerprint != genesis.fingerprint:
                raise ElectionError(f"this store already registers for another election {genesis.election_id}")
            return genesis.election_id
        conn.execute(
            insert(elections).values(id=genesis.election_id, registrar=key.registrar, package=canonical_bytes(first))
        )
        _log(conn, genesis.election_id, "registrar", "setup", None, f"registrar {key.registrar}")
    return genesis.election_id


def create_reviewer_token(engine: Engine, election_id: str, reviewer: int, label: str) -> str:
    with engine.connect() as conn:
        row = conn.execute(select(elections.c.package).where(elections.c.id == election_id)).first()
    if row is None:
        raise ElectionError(f"no election {election_id!r} in this registrar's store")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with writing(engine) as conn:
        conn.execute(
            insert(reviewer_tokens).values(
                token_hash=hashlib.sha256(token.encode()).digest(),
                election_id=election_id,
                reviewer=reviewer,
                label=label,
            )
        )
        _log(conn, election_id, "registrar", "reviewer-token", None, f"reviewer {reviewer} ({label})")
    return token


def _log(conn: Connection, election_id: str, actor: str, action: str, code: str | None, detail: str | None) -> None:
    conn.execute(
        insert(audit).values(election_id=election_id, time=now(), actor=actor, action=action, code=code, detail=detail)
    )


@dataclass(frozen=True)
class Reviewer:
    election_id: str
    reviewer: int
    label: str

    @property
    def name(self) -> str:
        return f"reviewer {self.reviewer} ({self.label})"


class Registrar:
    """One election's registration at one registrar. `key` is needed to sign (approve,
    close); reading and applying need only the store."""

    def __init__(self, engine: Engine, election_id: str, key: RegistrarKey | None = None) -> None:
        self.engine, self.election_id, self.key = engine, election_id, key
        with engine.connect() as conn:
            row = conn.execute(select(elections).where(elections.c.id == election_id)).first()
        if row is None:
            raise RegistrationRefused(f"no election {election_id!r} registers here", "unknown-election", 404)
        self.package: dict[str, Any] = parse_canonical(bytes(row.package))
        ledger = setup_ledger(self.package)
        self.fingerprint = ledger.fingerprint
        self.definition = ledger.defined().definition
        rules = self.definition.registration
        assert rules is not None  # setup_election refuses a roll election
        self.rules: RegistrationRules = rules
        self.spec: RegistrarSpec = rules.registrar(row.registrar)
        if key is not None and key.registrar != self.spec.id:
            raise ElectionError(f"the key file is registrar {key.registrar}'s; this store registers for {self.spec.id}")

    # ---- reading -------------------------------------------------------------------------

    def _state(self, conn: Connection) -> Any:
        return conn.execute(select(elections).where(elections.c.id == self.election_id)).one()

    def info(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            state = self._state(conn)
            issued = conn.execute(
                select(func.count()).where(
                    applications.c.election_id == self.election_id, applications.c.status == "approved"
                )
            ).scalar_one()
        return {
            "election": self.election_id,
            "fingerprint": self.fingerprint.hex(),
            "registrar": self.spec.id,
            "puzzle_bits": self.rules.puzzle_bits,
            "closes": self.rules.closes,
            "closed": state.closed,
            "approvals": self.rules.approvals,
            "issued": int(issued),
            "count": None if state.count is None else parse_canonical(bytes(state.count)),
        }

    def puzzle_seed(self, epoch: int) -> bytes:
        message = Transcript("puzzle-seed").raw("election", self.fingerprint).number("epoch", epoch).digest()
        return hmac.new(self._puzzle_key(), message, hashlib.sha256).digest()

    def _puzzle_key(self) -> bytes:
        if self.key is None:
            raise ElectionError("the registrar's key file is needed for puzzles")
        return self.key.puzzle_key

    def status(self, code: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(self._application(code)).first()
            if row is None:
                raise RegistrationRefused("no application with this code", "unknown-application", 404)
            approvals = conn.execute(
                select(func.count()).where(reviews.c.election_id == self.election_id, reviews.c.code == code)
            ).scalar_one()
        return {
            "code": code,
            "status": row.status,
            "reason": row.reason,
            "approvals": int(approvals) if row.status == "pending" else None,
            "decided": row.decided,
        }

    def _application(self, code: str) -> Any:
        return select(applications).where(applications.c.election_id == self.election_id, applications.c.code == code)

    def approvals(self) -> list[dict[str, Any]]:
        """The public audit list: every approved application's code and when it was applied
        for and signed (no evidence, nothing signed: a sample of codes can be checked with
        their applicants without learning any credential)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(applications.c.code, applications.c.applied, applications.c.decided)
                .where(applications.c.election_id == self.election_id, applications.c.status == "approved")
                .order_by(applications.c.decided, applications.c.code)
            )
            return [{"code": r.code, "applied": r.applied, "signed": r.decided} for r in rows]

    def audit_log(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit).where(audit.c.election_id == self.election_id).order_by(audit.c.seq))
            return [
                {"time": r.time, "actor": r.actor, "action": r.action, "code": r.code, "detail": r.detail} for r in rows
            ]

    # ---- applying --------------------------------------------------------------------------

    def _open_for_applications(self, conn: Connection, time: str) -> None:
        if self._state(conn).closed is not None:
            raise RegistrationRefused("registration has closed", "registration-closed", 403)
        if self.rules.closes is not None and time >= self.rules.closes:
            raise RegistrationRefused(f"registration closed at {self.rules.closes}", "registration-closed", 403)

    def apply(self, obj: Any, epoch: int, time: str | None = None) -> str:
        """Check an application, cheapest first (the puzzle before anything is stored or
        decrypted), and store it; returns its application code."""
        time = time or now()
        if not isinstance(obj, dict) or set(obj) != {
            "election",
            "registrar",
            "blinded",
            "duplicate_key",
            "evidence",
            "puzzle",
        }:
            raise InvalidEncoding("an application is {election, registrar, blinded, duplicate_key, evidence, puzzle}")
        puzzle = obj["puzzle"]
        if not isinstance(puzzle, dict) or set(puzzle) != {"seed", "nonce"}:
            raise InvalidEncoding("the puzzle is {seed, nonce}")
        seed, nonce = hex_bytes(puzzle["seed"], 32, "puzzle.seed"), hex_bytes(puzzle["nonce"], 8, "puzzle.nonce")
        if not any(hmac.compare_digest(seed, self.puzzle_seed(e)) for e in (epoch, epoch - 1)):
            raise RegistrationRefused("the puzzle's seed is not a current one: fetch a new puzzle", "stale-puzzle", 422)
        body = {k: v for k, v in obj.items() if k != "puzzle"}
        if not puzzle_ok(seed, application_digest(body), nonce, self.rules.puzzle_bits):
            raise RegistrationRefused("the puzzle is not solved for this application", "bad-puzzle", 422)
        if obj["election"] != self.fingerprint.hex():
            raise RegistrationRefused("the application is for another election", "wrong-election", 422)
        if obj["registrar"] != self.spec.id:
            raise RegistrationRefused(
                f"this is registrar {self.spec.id}, not {obj['registrar']!r}", "wrong-registrar", 422
            )
        key = self.spec.public_key
        blinded = hex_bytes(obj["blinded"], key.modulus_length, "blinded")
        if int.from_bytes(blinded, "big") >= key.n:
            raise InvalidEncoding("the blinded message is not below the registrar's modulus")
        if not isinstance(obj["duplicate_key"], dict):
            raise InvalidEncoding("duplicate_key is an object of the duplicate-key fields")
        digest = duplicate_hash(self._hmac_key(), self.rules, obj["duplicate_key"])
        sealed = SealedEvidence.from_json(obj["evidence"], len(self.spec.reviewers), evidence_limit(self.rules))
        code = application_code()
        with writing(self.engine, lock=f"registrar:{self.election_id}") as conn:
            self._open_for_applications(conn, time)
            taken = conn.execute(
                select(applications.c.code).where(
                    applications.c.election_id == self.election_id, applications.c.blinded == blinded
                )
            ).first()
            if taken is not None:
                raise RegistrationRefused(
                    "this blinded message was sent with an application already", "already-applied"
                )
            conn.execute(
                insert(applications).values(
                    election_id=self.election_id,
                    code=code,
                    status="pending",
                    duplicate_hash=digest,
                    blinded=blinded,
                    applied=time,
                )
            )
            conn.execute(
                insert(evidence).values(
                    election_id=self.election_id, code=code, sealed=canonical_bytes(sealed.to_json())
                )
            )
            _log(conn, self.election_id, "applicant", "applied", code, None)
        return code

    def _hmac_key(self) -> bytes:
        if self.key is None:
            raise ElectionError("the registrar's key file is needed for duplicate hashes")
        return self.key.hmac_key

    def signature(self, code: str, blinded_hex: Any) -> bytes:
        """The blind signature of an approved application, for the blinded message it was
        sent with: the same one on every retry; never one for another message."""
        blinded = hex_bytes(blinded_hex, self.spec.public_key.modulus_length, "blinded")
        with self.engine.connect() as conn:
            row = conn.execute(self._application(code)).first()
        if row is None:
            raise RegistrationRefused("no application with this code", "unknown-application", 404)
        if row.status != "approved":
            raise RegistrationRefused(f"the application is {row.status}, not approved", "not-approved")
        if not hmac.compare_digest(bytes(row.blinded), blinded):
            raise RegistrationRefused(
                "this application was signed for another blinded message: one signature per application, ever",
                "already-signed",
            )
        return bytes(row.blind_signature)

    # ---- reviewing ---------------------------------------------------------------------------

    def reviewer(self, token: str | None) -> Reviewer:
        if not token:
            raise AuthError("a reviewer token is needed (Authorization: Bearer …)")
        with self.engine.connect() as conn:
            row = conn.execute(
                select(reviewer_tokens).where(reviewer_tokens.c.token_hash == hashlib.sha256(token.encode()).digest())
            ).first()
        if row is None:
            raise AuthError("unknown reviewer token")
        if row.election_id != self.election_id:
            raise AuthError("this reviewer token is for another election")
        return Reviewer(row.election_id, row.reviewer, row.label)

    def pending(self, who: Reviewer, limit: int = 100) -> list[dict[str, Any]]:
        """Applications waiting for this reviewer: sealed evidence (opened on the reviewer's
        machine) and the other applications with the same duplicate hash."""
        with self.engine.connect() as conn:
            mine = select(reviews.c.code).where(
                reviews.c.election_id == self.election_id, reviews.c.reviewer == who.reviewer
            )
            rows = conn.execute(
                select(applications.c.code, applications.c.applied, applications.c.duplicate_hash, evidence.c.sealed)
                .join(
                    evidence,
                    (evidence.c.election_id == applications.c.election_id) & (evidence.c.code == applications.c.code),
                )
                .where(applications.c.election_id == self.election_id, applications.c.status == "pending")
                .where(applications.c.code.not_in(mine))
                .order_by(applications.c.applied, applications.c.code)
                .limit(limit)
            ).all()
            out = []
            for r in rows:
                same = conn.execute(
                    select(applications.c.code, applications.c.status).where(
                        applications.c.election_id == self.election_id,
                        applications.c.duplicate_hash == r.duplicate_hash,
                        applications.c.code != r.code,
                    )
                ).all()
                out.append(
                    {
                        "code": r.code,
                        "applied": r.applied,
                        "evidence": parse_canonical(bytes(r.sealed)),
                        "duplicates": [{"code": s.code, "status": s.status} for s in same],
                    }
                )
        return out

    def decide(
        self, who: Reviewer, code: str, approve: bool, reason: str, duplicate_key: Any, time: str | None = None
    ) -> dict[str, Any]:
        outcome = self._decision(who, code, approve, reason, duplicate_key, time)
        if outcome["status"] != "pending":
            destroy_leftovers(self.engine, vacuum=False)  # the deleted evidence leaves the log too
        return outcome

    def _decision(
        self, who: Reviewer, code: str, approve: bool, reason: str, duplicate_key: Any, time: str | None
    ) -> dict[str, Any]:
        """A reviewer's decision. A rejection decides at once; an approval needs the
        duplicate key as the reviewer decrypted it (checked against the declared one, and
        against the approved applications), and decides once `approvals` reviewers agree:
        then the one blind signature is made, and the evidence deleted."""
        time = time or now()
        if not isinstance(reason, str) or len(reason) > 2000 or (not approve and not reason.strip()):
            raise InvalidEncoding("a decision's reason is at most 2000 characters, and a rejection needs one")
        with writing(self.engine, lock=f"registrar:{self.election_id}") as conn:
            if self._state(conn).closed is not None:
                raise RegistrationRefused("registration has closed", "registration-closed", 403)
            row = conn.execute(self._application(code)).first()
            if row is None:
                raise RegistrationRefused("no application with this code", "unknown-application", 404)
            if row.status != "pending":
                raise RegistrationRefused(f"the application is {row.status} already", "already-decided")
            done = (
                conn.execute(
                    select(reviews.c.reviewer).where(reviews.c.election_id == self.election_id, reviews.c.code == code)
                )
                .scalars()
                .all()
            )
            if who.reviewer in done:
                raise RegistrationRefused(
                    "you approved this application already; another reviewer must", "already-reviewed"
                )
            if not approve:
                self._decide(conn, code, "rejected", reason, None, time)
                _log(conn, self.election_id, who.name, "rejected", code, reason)
                return self.status_of(conn, code)
            if not isinstance(duplicate_key, dict):
                raise InvalidEncoding("an approval carries the duplicate key as decrypted from the evidence")
            digest = duplicate_hash(self._hmac_key(), self.rules, duplicate_key)
            if not hmac.compare_digest(digest, bytes(row.duplicate_hash)):
                raise RegistrationRefused(
                    "the evidence's duplicate key differs from the one the applicant declared: reject the application",
                    "duplicate-key-mismatch",
                )
            twin = conn.execute(
                select(applications.c.code).where(
                    applications.c.election_id == self.election_id,
                    applications.c.duplicate_hash == digest,
                    applications.c.status == "approved",
                )
            ).first()
            if twin is not None:
                raise RegistrationRefused(f"a duplicate of approved application {twin.code}: reject it", "duplicate")
            if len(done) + 1 < self.rules.approvals:
                conn.execute(insert(reviews).values(election_id=self.election_id, code=code, reviewer=who.reviewer))
                _log(
                    conn,
                    self.election_id,
                    who.name,
                    "approved",
                    code,
                    (reason or "") + " (waiting for a second reviewer)",
                )
                return self.status_of(conn, code)
            signature = blind_rsa.blind_sign(self._blind_key(), bytes(row.blinded))
            self._decide(conn, code, "approved", None, signature, time)
            _log(conn, self.election_id, who.name, "approved", code, reason or None)
            _log(conn, self.election_id, "registrar", "signed", code, None)
            return self.status_of(conn, code)

    def status_of(self, conn: Connection, code: str) -> dict[str, Any]:
        row = conn.execute(self._application(code)).one()
        return {"code": code, "status": row.status, "reason": row.reason, "decided": row.decided}

    def _blind_key(self) -> blind_rsa.BlindSecretKey:
        if self.key is None:
            raise ElectionError("the registrar's key file is needed to sign")
        return self.key.blind

    def _decide(
        self, conn: Connection, code: str, status: str, reason: str | None, signature: bytes | None, time: str
    ) -> None:
        conn.execute(
            update(applications)
            .where(applications.c.election_id == self.election_id, applications.c.code == code)
            .values(status=status, reason=reason, blind_signature=signature, decided=time)
        )
        conn.execute(delete(reviews).where(reviews.c.election_id == self.election_id, reviews.c.code == code))
        conn.execute(delete(evidence).where(evidence.c.election_id == self.election_id, evidence.c.code == code))
        _log(conn, self.election_id, "registrar", "evidence-destroyed", code, None)

    # ---- closing ---------------------------------------------------------------------------

    def close(self, time: str | None = None) -> RegistrarCount:
        """Close registration: no more applications or decisions; every pending one's
        evidence is destroyed; the count of signatures issued is signed. Closing again
        returns the same count."""
        time = time or now()
        key = self.key
        if key is None:
            raise ElectionError("the registrar's key file is needed to close (it signs the count)")
        with writing(self.engine, lock=f"registrar:{self.election_id}") as conn:
            state = self._state(conn)
            if state.count is not None:
                return RegistrarCount.from_json(parse_canonical(bytes(state.count)))
            issued = int(
                conn.execute(
                    select(func.count()).where(
                        applications.c.election_id == self.election_id, applications.c.status == "approved"
                    )
                ).scalar_one()
            )
            body = count_body(self.spec.id, issued)
            count = RegistrarCount(self.spec.id, issued, key.sign("registrar-count", self.fingerprint, body))
            conn.execute(
                update(elections)
                .where(elections.c.id == self.election_id)
                .values(closed=time, count=canonical_bytes(count.to_json()))
            )
            left = conn.execute(delete(evidence).where(evidence.c.election_id == self.election_id)).rowcount
            conn.execute(delete(reviews).where(reviews.c.election_id == self.election_id))
            _log(conn, self.election_id, "registrar", "closed", None, f"{issued} signatures issued; {left} undecided")
        destroy_leftovers(self.engine)
        return count


def destroy_leftovers(engine: Engine, vacuum: bool = True) -> None:
    """Make deleted evidence gone from the database's files, not just unlinked. SQLite
    (secure_delete on: freed pages are zeroed) has its write-ahead log checkpointed and
    emptied, and with `vacuum` the file rewritten; PostgreSQL's evidence table is rewritten
    (VACUUM FULL). A PostgreSQL server's WAL archive and backups are the operator's to keep
    short (threat model §2.4)."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            if vacuum:
                raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    elif engine.dialect.name == "postgresql" and vacuum:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM FULL evidence"))
