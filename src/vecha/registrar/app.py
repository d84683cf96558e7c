"""The registrar's HTTP service: its own server over its own store, never the ballot box's.

Routes are under `/api/v1/registrar/{election}` (spec §12): the public ones (information,
a puzzle, applying, an application's status and signature, the list of approvals) and the
reviewers' (`Authorization: Bearer` a reviewer token: pending applications with their
sealed evidence, decisions, the audit log). The registration page and the review page are
served from the same origin. As on the ballot box: no client address or user agent is
kept, no access log is written, strict security headers, a bounded body, and a global
rate of applications (refused early, before the body is read) on top of the puzzle.
"""

from __future__ import annotations

import time
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from vecha.errors import RegistrationRefused
from vecha.registrar.keys import RegistrarKey
from vecha.registrar.schema import elections
from vecha.registrar.service import PUZZLE_EPOCH_S, Registrar, Reviewer
from vecha.server.errors import ApiError, install_error_handlers
from vecha.server.limits import TokenBucket
from vecha.server.metrics import Metrics
from vecha.server.middleware import BodyLimit, ForgetClient, SecurityHeaders, send_error

__all__ = ["create_registrar_app", "RegistrarSettings"]

API_PREFIX = "/api/v1"
STATIC = FsPath(__file__).parent.parent / "server" / "static"


class RegistrarSettings(BaseModel):
    model_config = ConfigDict(frozen=True)
    max_body: int = 30_000_000  #: bytes: an application with its attachments, sealed and in base64
    applications_per_second: float = 20.0  #: the whole service, before any puzzle is checked
    application_burst: int = 100


class Registrars:
    """The store's elections, each with the key file of the registrar it registers for."""

    def __init__(self, engine: Engine, keys: list[RegistrarKey]) -> None:
        self.engine, self._keys = engine, {k.registrar: k for k in keys}
        self._open: dict[str, Registrar] = {}

    def get(self, election_id: str) -> Registrar:
        found = self._open.get(election_id)
        if found is None:
            with self.engine.connect() as conn:
                row = conn.execute(select(elections.c.registrar).where(elections.c.id == election_id)).first()
            if row is None or row.registrar not in self._keys:
                raise RegistrationRefused(f"no election {election_id!r} registers here", "unknown-election", 404)
            found = self._open[election_id] = Registrar(self.engine, election_id, self._keys[row.registrar])
        return found


class ApplicationAdmission:
    """The global rate of applications, before the body is read."""

    def __init__(self, app: ASGIApp, bucket: TokenBucket) -> None:
        self.app, self.bucket = app, bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/applications"):
            wait = self.bucket.take()
            if wait:
                retry = str(max(1, int(wait + 0.999))).encode()
                await send_error(
                    send,
                    503,
                    "busy",
                    "the registrar takes no more applications right now; retry",
                    ((b"retry-after", retry),),
                )
                return
        await self.app(scope, receive, send)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    decision: Annotated[str, Field(pattern="^(approve|reject)$")]
    reason: Annotated[str, Field(max_length=2000)] = ""
    duplicate_key: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=10_000)]] | None = Field(
        default=None, max_length=50, description="approvals: the duplicate-key fields as the reviewer decrypted them"
    )


class SignatureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    blinded: Annotated[str, Field(pattern=r"^[0-9a-f]{512,2048}$")]


_bearer = HTTPBearer(auto_error=False)


def registrar_of(request: Request, election_id: Annotated[str, Path(max_length=64)]) -> Registrar:
    registrars: Registrars = request.app.state.registrars
    return registrars.get(election_id)


Reg = Annotated[Registrar, Depends(registrar_of)]


def reviewer_of(reg: Reg, auth: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Reviewer:
    return reg.reviewer(auth.credentials if auth is not None else None)


Who = Annotated[Reviewer, Depends(reviewer_of)]
router = APIRouter(prefix=API_PREFIX + "/registrar/{election_id}")


@router.get("", tags=["public"])
def info(reg: Reg) -> dict[str, Any]:
    """The registration's rules and state; the definition itself is in the election package."""
    return reg.info()


@router.get("/package", tags=["public"])
def package(reg: Reg) -> dict[str, Any]:
    """The election package's first entry (the definition, spec §8.7): what the registration
    page replays for the fingerprint, the fields and the keys it seals and blinds to. For a
    coercion-resistant election, the package through the joint key, which the page
    encrypts the credential under (a roll entry, §6.10)."""
    return reg.package


@router.get("/puzzle", tags=["public"])
def puzzle(reg: Reg) -> dict[str, Any]:
    """A seed for the application puzzle, good for 10 to 20 minutes."""
    epoch = int(time.time()) // PUZZLE_EPOCH_S
    return {"seed": reg.puzzle_seed(epoch).hex(), "bits": reg.rules.puzzle_bits}


@router.post("/applications", status_code=201, tags=["public"])
async def apply(reg: Reg, request: Request) -> JSONResponse:
    """Apply for a credential's signature (spec §6.8). Answers the application code."""
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, "malformed-json", "the request body is not valid JSON") from None
    code = await run_in_threadpool(reg.apply, body, int(time.time()) // PUZZLE_EPOCH_S)
    return JSONResponse({"code": code, "status": "pending"}, status_code=201)


@router.get("/applications/{code}", tags=["public"])
def status(reg: Reg, code: Annotated[str, Path(max_length=20)]) -> dict[str, Any]:
    """An application's decision (and a rejection's reason)."""
    return reg.status(code.upper())


@router.post("/applications/{code}/signature", tags=["public"])
def signature(reg: Reg, code: Annotated[str, Path(max_length=20)], request_body: SignatureRequest) -> dict[str, Any]:
    """The blind signature of an approved application, for the blinded message it was
    sent with (the same answer on a retry; one signature per application, ever)."""
    return {"blind_signature": reg.signature(code.upper(), request_body.blinded).hex()}


@router.get("/approvals", tags=["public"])
def approvals(reg: Reg) -> dict[str, Any]:
    """Every approved application's code and when it was applied for and signed, and the
    signed count once registration closed: for observers' sample audits."""
    info = reg.info()
    return {"issued": info["issued"], "count": info["count"], "approvals": reg.approvals()}


@router.get("/review", tags=["reviewers"])
def review(reg: Reg, who: Who, limit: int = 50) -> dict[str, Any]:
    """The applications waiting for this reviewer, with their sealed evidence and the
    applications that share their duplicate hash."""
    return {"reviewer": who.reviewer, "applications": reg.pending(who, max(1, min(limit, 500)))}


@router.post("/applications/{code}/decision", tags=["reviewers"])
def decide(reg: Reg, who: Who, code: Annotated[str, Path(max_length=20)], decision: Decision) -> dict[str, Any]:
    return reg.decide(who, code.upper(), decision.decision == "approve", decision.reason, decision.duplicate_key)


@router.get("/audit", tags=["reviewers"])
def audit_log(reg: Reg, who: Who) -> list[dict[str, Any]]:
    """Every application, decision, signature and deletion, in order."""
    return reg.audit_log()


def create_registrar_app(
    engine: Engine, keys: list[RegistrarKey], settings: RegistrarSettings | None = None
) -> FastAPI:
    settings = settings or RegistrarSettings()
    registrars = Registrars(engine, keys)
    metrics = Metrics()
    app = FastAPI(
        title="Vecha registrar",
        version="1",
        summary="Registration without a roll: sealed applications, reviewers' decisions, blind signatures.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.registrars = registrars
    install_error_handlers(app, lambda code: None)
    app.include_router(router)
    app.mount("/", StaticFiles(directory=STATIC, html=True), name="pages")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_body, metrics=metrics)
    app.add_middleware(
        ApplicationAdmission, bucket=TokenBucket(settings.applications_per_second, settings.application_burst)
    )
    app.add_middleware(ForgetClient)
    return app
