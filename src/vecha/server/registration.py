"""The ballot box's side of registration without a roll (spec §8.4, §12): anyone may post
a credential signed by the election's registrars, or a registrar's signed count; the
signatures, not the sender, are what the board checks. And anyone may ask which ballots
the board holds under a public credential (`vecha check-credential`)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from vecha.errors import ElectionError, InvalidSignature
from vecha.server.errors import ApiError
from vecha.server.models import ErrorBody, RegistrarCountBody, RollEntryBody, SignedCredentialBody
from vecha.server.state import BoardDep
from vecha.store import coercion as coercion_steps
from vecha.store import organizer as steps

__all__ = ["router"]

router = APIRouter(tags=["registration"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "a signature does not verify"},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody, "description": "the board's rules refuse it now (phase, a registrar past its count)"},
    422: {"model": ErrorBody},
}


@router.post("/elections/{election_id}/signed-credentials", status_code=201, responses=_REFUSED)
def post_signed_credential(board: BoardDep, signed: SignedCredentialBody) -> JSONResponse:
    """Register a public credential with its registrars' signatures (a first ballot may
    carry it instead). 201 when added, 200 when it was registered already."""
    _registration_only(board)
    try:
        added = steps.register_credential(board, dict(signed))
    except InvalidSignature as e:
        raise ApiError(403, "unsigned-credential", str(e)) from None
    return JSONResponse({"credential": signed["credential"], "registered": True}, status_code=201 if added else 200)


@router.post("/elections/{election_id}/roll-entries", status_code=201, responses=_REFUSED)
def post_roll_entry(board: BoardDep, entry: RollEntryBody) -> JSONResponse:
    """A coercion-resistant election (spec §6.10): register a credential, encrypted, with its
    registrars' signatures, through any channel (nothing in it says whose it is). 201 when
    added, 200 when it was on the roll already."""
    _registration_only(board)
    if not board.ledger.defined().definition.coercion:
        raise ApiError(409, "not-allowed", "only a coercion-resistant election has roll entries")
    try:
        added = coercion_steps.register_roll_entry(board, dict(entry))
    except InvalidSignature as e:
        raise ApiError(403, "unsigned-credential", str(e)) from None
    return JSONResponse({"registered": True}, status_code=201 if added else 200)


@router.post("/elections/{election_id}/registrar-counts", status_code=201, responses=_REFUSED)
def post_registrar_count(board: BoardDep, count: RegistrarCountBody) -> JSONResponse:
    """A registrar's signed count of the signatures it issued (at its close)."""
    _registration_only(board)
    try:
        steps.post_registrar_count(board, count.model_dump())
    except InvalidSignature as e:
        raise ApiError(403, "bad-signature", str(e)) from None
    return JSONResponse({"registrar": count.registrar, "issued": count.issued}, status_code=201)


@router.get(
    "/elections/{election_id}/credentials/{credential}",
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
def credential_ballots(
    board: BoardDep,
    credential: Annotated[str, Path(max_length=200, description="a public credential: 64 hex digits")],
) -> dict[str, Any]:
    """Whether a public credential is on the board, and every ballot cast with it (so that
    its voter can check that nobody else voted in their name)."""
    code = credential.lower()
    if not re.fullmatch(r"[0-9a-f]{64}", code):
        raise ApiError(422, "invalid-credential", "a public credential is 64 hexadecimal digits")
    board.refresh()
    listed = bytes.fromhex(code) in board.ledger.credentials
    ballots = board.ballots_of(bytes.fromhex(code)) if listed else []
    last = ballots[-1][0] if ballots else None
    return {
        "credential": code,
        "listed": listed,
        "ballots": [{"tracker": t, "index": i, "time": time, "counts": i == last} for i, t, time in ballots],
    }


def _registration_only(board: Any) -> None:
    try:
        board.ledger.registration()
    except ElectionError as e:
        raise ApiError(409, "not-registration", str(e)) from None
