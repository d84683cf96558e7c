"""The admin API: organizers run their election, trustees take part in the key ceremony and
the decryption. Every call needs a token made with `vecha token create`; every action is
written to the audit log (and, where it is one, to the board)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from vecha.election.definition import parse_definition
from vecha.errors import ElectionError, InvalidEncoding
from vecha.record.entries import EntryType
from vecha.server.errors import ApiError
from vecha.server.models import CredentialList, ErrorBody, Message, PartialDecryption
from vecha.server.state import BoardDep, GrantDep, StateDep
from vecha.store import ceremony as staging
from vecha.store import coercion as coercion_steps
from vecha.store import organizer as steps
from vecha.store.board import Board
from vecha.store.tokens import Grant, Role, audit_log_of, record_action

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422)}

router = APIRouter(tags=["admin"], responses=_ERRORS)


def _organizer(s: StateDep, board: BoardDep, grant: GrantDep) -> tuple[Board, Grant]:
    if not grant.may_organize(board.election_id):
        raise ApiError(403, "forbidden", f"this token does not organize election {board.election_id!r}")
    board.refresh()
    return board, grant


def _trustee(s: StateDep, board: BoardDep, grant: GrantDep) -> tuple[Board, int, Grant]:
    index = grant.trustee_of(board.election_id)
    if index is None:
        raise ApiError(403, "forbidden", f"this is not a trustee token of election {board.election_id!r}")
    board.refresh()
    return board, index, grant


Organizer = Annotated[tuple[Board, Grant], Depends(_organizer)]
Trustee = Annotated[tuple[Board, int, Grant], Depends(_trustee)]


def _done(s: StateDep, board: Board, grant: Grant, action: str, detail: str = "") -> Message:
    record_action(s.engine, grant, board.election_id, action, detail)
    return Message(message=f"{action}: done", phase=board.ledger.phase.name.lower())


@router.post("/elections", status_code=201)
def create_election(
    s: StateDep, grant: GrantDep, definition: Annotated[dict[str, Any], Body(description="the election definition")]
) -> dict[str, str]:
    """Create an election from its definition (admin tokens only)."""
    if grant.role is not Role.ADMIN:
        raise ApiError(403, "forbidden", "only an admin token creates elections")
    try:
        parsed = parse_definition(definition)
    except ElectionError as e:
        raise ApiError(422, "invalid-definition", str(e)) from None
    from vecha.server.pins import booth_pins

    board = Board.create(s.engine, parsed, booth=booth_pins())
    s.boards.add(board)
    record_action(s.engine, grant, parsed.id, "create-election", f"fingerprint {board.ledger.fingerprint.hex()}")
    return {"id": parsed.id, "fingerprint": board.ledger.fingerprint.hex()}


# ---- the key ceremony -----------------------------------------------------------------


@router.get("/elections/{election_id}/ceremony", tags=["public"])
def ceremony_status(board: BoardDep) -> dict[str, Any]:
    """The trustees' public messages so far (they go on the board when the ceremony is done)."""
    return {
        "announcements": staging.staged(board, "announcement"),
        "dealt": [batch[0]["from"] for batch in staging.staged(board, "shares") if batch],
        "confirmations": staging.staged(board, "confirmation"),
    }


def _stage(s: StateDep, who: tuple[Board, int, Grant], kind: str, message: Any) -> Message:
    board, index, grant = who
    new = staging.stage(board, kind, index, message)
    if new:
        record_action(s.engine, grant, board.election_id, f"ceremony-{kind}", f"trustee {index}")
    return Message(message=f"trustee {index}'s {kind} is {'kept' if new else 'already here'}")


@router.post("/elections/{election_id}/ceremony/announcement")
def post_announcement(s: StateDep, who: Trustee, announcement: Annotated[dict[str, Any], Body()]) -> Message:
    return _stage(s, who, "announcement", announcement)


@router.post("/elections/{election_id}/ceremony/shares")
def post_shares(s: StateDep, who: Trustee, shares: Annotated[list[dict[str, Any]], Body()]) -> Message:
    """This trustee's sealed shares, one for each trustee (sent after every trustee announced)."""
    return _stage(s, who, "shares", shares)


@router.get("/elections/{election_id}/ceremony/shares")
def get_shares(who: Trustee) -> list[dict[str, Any]]:
    """The sealed shares addressed to this trustee."""
    board, index, _ = who
    return staging.shares_for(board, index)


@router.post("/elections/{election_id}/ceremony/confirmation")
def post_confirmation(s: StateDep, who: Trustee, confirmation: Annotated[dict[str, Any], Body()]) -> Message:
    return _stage(s, who, "confirmation", confirmation)


@router.post("/elections/{election_id}/ceremony/finish")
def finish_ceremony(s: StateDep, org: Organizer) -> Message:
    """Check the whole ceremony (naming any cheating trustee) and put the joint key on the board."""
    board, grant = org
    staging.finish(board)
    key = board.ledger.context().public_key
    return _done(s, board, grant, "finish-ceremony", f"joint key {key.hex()}")


# ---- running the election ---------------------------------------------------------------


@router.post("/elections/{election_id}/credentials")
def publish_credentials(s: StateDep, org: Organizer, listed: CredentialList) -> dict[str, int]:
    """Add a batch of public credentials (at most 10 000 per call; send a long list in batches)."""
    board, grant = org
    if listed.election != board.ledger.fingerprint.hex():
        raise ApiError(422, "wrong-election", "this credential list was made for another election")
    if not listed.credentials:
        raise InvalidEncoding("the credential list is empty")
    n = steps.publish_credentials(board, listed.credentials)
    record_action(s.engine, grant, board.election_id, "publish-credentials", f"{n} credentials")
    return {"published": n, "total": len(board.ledger.credentials)}


@router.post("/elections/{election_id}/checkpoint")
def sign_checkpoint(s: StateDep, org: Organizer) -> Message:
    """Sign a checkpoint at the board's head, so that `GET …/record` serves the board up to it."""
    board, grant = org
    board.seal()
    return _done(s, board, grant, "checkpoint", f"height {board.ledger.height}")


@router.post("/elections/{election_id}/open")
def open_voting(s: StateDep, org: Organizer) -> Message:
    board, grant = org
    steps.open_voting(board)
    return _done(s, board, grant, "open")


@router.post("/elections/{election_id}/close")
def close_voting(s: StateDep, org: Organizer) -> Message:
    board, grant = org
    steps.close_voting(board)
    return _done(s, board, grant, "close")


@router.post("/elections/{election_id}/tally")
def tally(s: StateDep, org: Organizer) -> dict[str, Any]:
    """Add up the counted ballots into the encrypted tally; returns the tally entry."""
    board, grant = org
    entry = steps.tally(board)
    _done(s, board, grant, "tally", f"{entry['payload']['counted']} ballots")
    return entry


_DECRYPTION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "{election, shares, trustee} (spec §7.3, §7.5)"}
            }
        },
    }
}


@router.post("/elections/{election_id}/decryptions", openapi_extra=_DECRYPTION_BODY)
async def post_decryption(request: Request, s: StateDep, who: Trustee) -> Message:
    """This trustee's partial decryption of the tally (or, in a mixed election, of the
    mixed ballots), with its proofs (checked before it goes on the board). One larger than
    1 MiB (the mixed ballots of a large election) is sent as canonical JSON, as a large mix
    is, and the board reads its shares packed."""
    board, index, grant = who
    body = await request.body()
    payload: list[list[dict[str, Any]]] | bytes  # the shares, or a large payload's bytes
    if len(body) <= SMALL_MIX:
        try:
            decryption = PartialDecryption.model_validate_json(body)
        except ValidationError as e:  # answered as any request body the app validates
            raise RequestValidationError(e.errors()) from None
        trustee, election = decryption.trustee, decryption.election
        payload = decryption.shares
    else:
        large = steps.canonical_decryption(body)  # {"shares":…,"trustee":N}: the entry's payload, byte for byte
        if large is None:
            raise ApiError(
                422, "invalid-encoding", "a decryption larger than 1 MiB is sent as canonical JSON (spec §2.5)"
            )
        election, trustee, payload = large
    if trustee != index:
        raise ApiError(403, "forbidden", f"you are trustee {index}, not trustee {trustee}")
    if election != board.ledger.fingerprint.hex():
        raise ApiError(422, "wrong-election", "this decryption is for another election")
    await run_in_threadpool(steps.add_decryption, board, index, payload)
    return await run_in_threadpool(_done, s, board, grant, "decryption", f"trustee {index}")


#: a mix body up to this size is parsed as any JSON; a larger one must be canonical JSON,
#: which the board reads packed (64 bytes a ciphertext) instead of as an object per ciphertext
SMALL_MIX = 1 << 20
_MIXER = re.compile(rb',"mixer":(0|[1-9][0-9]{0,8}),"proof":')


@router.post(
    "/elections/{election_id}/mixes",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "description": "a mix (spec §7.5)"}}},
        }
    },
)
async def post_mix(request: Request, s: StateDep, who: Trustee) -> Message:
    """This trustee's mix of the ballots (spec §7.5): signed with its identity key and
    proven; checked before it goes on the board. Only the next trustee's mix is taken. A mix
    larger than 1 MiB is sent as canonical JSON (`vecha trustee mix` does)."""
    board, index, grant = who
    body = await request.body()
    mix: dict[str, Any] | bytes
    if len(body) <= SMALL_MIX:
        try:
            mix = json.loads(body)
        except ValueError:
            raise ApiError(422, "invalid-json", "the mix is not JSON") from None
        if not isinstance(mix, dict):
            raise ApiError(422, "invalid-encoding", "a mix is a JSON object")
        mixer = mix.get("mixer")
    else:
        found = _MIXER.search(body)
        if found is None:
            raise ApiError(422, "invalid-encoding", "a mix larger than 1 MiB is sent as canonical JSON (spec §2.5)")
        mix, mixer = body, int(found.group(1))
    if mixer != index:
        raise ApiError(403, "forbidden", f"you are trustee {index}, not trustee {mixer!r}")
    await run_in_threadpool(steps.add_mix, board, mix, index)
    return await run_in_threadpool(_done, s, board, grant, "mix", f"trustee {index}")


_COUNT_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "spec §7.6"}}},
    }
}


@router.post("/elections/{election_id}/raisings", openapi_extra=_COUNT_BODY)
async def post_raising(request: Request, s: StateDep, who: Trustee) -> Message:
    """A coercion-resistant election (spec §7.6): this trustee's raising of a tag column,
    signed with its identity key and proven; only the next trustee's, of the kind the count
    is at, is taken."""
    return await _count_entry(request, s, who, EntryType.RAISING)


@router.post("/elections/{election_id}/tag-decryptions", openapi_extra=_COUNT_BODY)
async def post_tag_decryption(request: Request, s: StateDep, who: Trustee) -> Message:
    """A coercion-resistant election (spec §7.6): this trustee's decryption shares of a
    raised column, proven against its verification key."""
    return await _count_entry(request, s, who, EntryType.TAG_DECRYPTION)


async def _count_entry(request: Request, s: StateDep, who: tuple[Board, int, Grant], kind: EntryType) -> Message:
    """A body larger than 1 MiB is sent as canonical JSON (`vecha trustee filter` does)."""
    board, index, grant = who
    body = await request.body()
    payload: dict[str, Any] | bytes
    if len(body) <= SMALL_MIX:
        try:
            payload = json.loads(body)
        except ValueError:
            raise ApiError(422, "invalid-json", "the body is not JSON") from None
        if not isinstance(payload, dict):
            raise ApiError(422, "invalid-encoding", f"a {kind.value} is a JSON object")
        trustee = payload.get("trustee")
    else:
        found = steps.TRUSTEE_LAST.search(body[-64:])
        if found is None:
            raise ApiError(422, "invalid-encoding", "a body larger than 1 MiB is sent as canonical JSON (spec §2.5)")
        payload, trustee = body, int(found.group(1))
    if trustee != index:
        raise ApiError(403, "forbidden", f"you are trustee {index}, not trustee {trustee!r}")
    await run_in_threadpool(coercion_steps.add_count_entry, board, kind, payload, index)
    return await run_in_threadpool(_done, s, board, grant, kind.value, f"trustee {index}")


@router.post("/elections/{election_id}/result")
def publish_result(s: StateDep, org: Organizer) -> dict[str, Any]:
    """Combine the decryptions and publish the result with seats."""
    board, grant = org
    result = steps.publish_result(board)
    _done(s, board, grant, "publish-result")
    return result


@router.get("/elections/{election_id}/audit")
def audit_log(s: StateDep, org: Organizer) -> list[dict[str, Any]]:
    """Who did what: every admin action on this election."""
    return audit_log_of(s.engine, org[0].election_id)
