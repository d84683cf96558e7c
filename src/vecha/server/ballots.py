"""Ballot submission: the checks ordered cheapest first, so that a flood of junk costs little.

Before this route runs, the global rate and the body limit (middleware) and the schema
(pydantic: field names, hex lengths, list sizes) have been checked. Then, in order: the
election exists, it is open, the ballot names this election, its credential is listed, the
same ballot is not already on the board (then: the same receipt), the credential's own rate
has room, the credential's signature (two scalar multiplications, here: only a signed ballot
takes from that rate, `limits.py`), the proof workers have room; then, in a worker, the
points and scalars decode, the numbers of answers and options fit, and last the proofs (a
few per option). The ballot is then appended and committed, and only then is the receipt returned.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from vecha.election.ballot import body_of_json, tracker_of_body, verify_signature_json
from vecha.election.eligibility import SignedCredential
from vecha.errors import ElectionError, InvalidBallot, InvalidEncoding, InvalidProof, InvalidSignature, VechaError
from vecha.record.ledger import Ledger, Phase
from vecha.record.receipt import Receipt
from vecha.server.errors import ApiError
from vecha.server.limits import Limits
from vecha.server.models import ErrorBody, ReceiptBody, Submission
from vecha.server.state import BoardDep, ServerState, state
from vecha.store.board import Board
from vecha.workers import BallotVerifier

__all__ = ["router", "accept"]

router = APIRouter(tags=["voting"])


#: the error code of a ballot refused by the costly checks, by the kind of the first that
#: failed (the first class that matches: a bad signature is a failed proof too)
REFUSALS: tuple[tuple[type[VechaError], str], ...] = (
    (InvalidEncoding, "invalid-encoding"),
    (InvalidSignature, "bad-signature"),
    (InvalidProof, "invalid-proof"),
    (InvalidBallot, "wrong-shape"),
)


def refusal_code(error: VechaError) -> str:
    return next((code for kind, code in REFUSALS if isinstance(error, kind)), "invalid-ballot")


def accept(
    board: Board, submission: Submission, verifier: BallotVerifier, limits: Limits | None = None
) -> tuple[Receipt, bool]:
    """Check a submitted ballot and put it on the board. Returns the receipt and whether the
    ballot is new (False: it was already there, and this is its receipt again)."""
    # Another server may have appended (a close, say): look at most 4 times a second. A ballot
    # that slips past a stale phase here is still refused when it is appended, after catch-up.
    board.refresh(max_age=0.25)
    ledger = board.ledger
    if ledger.phase is not Phase.OPEN:
        when = "has closed" if ledger.phase > Phase.OPEN else "is not open yet"
        raise ApiError(403, "not-open", f"voting {when}: the ballot box takes no ballot now")
    channels = ledger.defined().definition.channels
    if submission.channel not in channels:
        raise ApiError(422, "wrong-channel", f"this election takes ballots by {', '.join(channels)}")
    raw: dict[str, Any] = dict(submission.ballot)
    if raw["election"] != ledger.fingerprint.hex():
        raise ApiError(422, "wrong-election", "the ballot is for another election (its fingerprint differs)")
    coercion = ledger.defined().definition.coercion
    if coercion != ("predecessor" in raw):
        kind = "a coercion-resistant election's" if coercion else "an election's with public credentials"
        raise ApiError(422, "wrong-shape", f"this election takes ballots of another form than this ({kind}, §6.10)")
    if coercion:
        return _accept_coercion(board, submission, raw, verifier, limits)
    signed = _registration(ledger, raw, submission)
    body = body_of_json(raw)
    tracker = tracker_of_body(body)
    existing = board.existing_receipt(tracker)
    if existing is not None:
        return existing, False
    credential = bytes.fromhex(raw["credential"])
    if limits is not None:
        limits.credential_room(credential)  # an empty bucket refuses early, taking nothing
        # Only a ballot signed with the credential takes from its bucket: junk that merely
        # names a public credential cannot lock its voter out (the re-vote is the defence
        # against coercion), while its holder's own flood is slowed before the proofs.
        try:
            verify_signature_json(raw, body)
        except (InvalidEncoding, InvalidSignature) as e:
            raise ApiError(422, refusal_code(e), str(e)) from None
        limits.credential(credential)
    with limits.verifying() if limits is not None else nullcontext():
        try:
            verifier.check(raw, ledger.context())  # decoding, shape, signature, proofs
        except VechaError as e:
            raise ApiError(422, refusal_code(e), str(e)) from None
    return board.cast_verified(raw, tracker, submission.channel, signed_credential=signed)


def _accept_coercion(
    board: Board, submission: Submission, raw: dict[str, Any], verifier: BallotVerifier, limits: Limits | None
) -> tuple[Receipt, bool]:
    """A coercion-resistant election's ballot (§6.10): no credential to look up or to limit
    by (the box cannot tell a real code from a fake one, and must not seem to), so only the
    global limits apply; then its proofs, in a worker."""
    if submission.registration is not None:
        raise ApiError(422, "invalid-registration", "a coercion-resistant election registers roll entries, not ballots")
    tracker = tracker_of_body(body_of_json(raw))
    existing = board.existing_receipt(tracker)
    if existing is not None:
        return existing, False
    with limits.verifying() if limits is not None else nullcontext():
        try:
            verifier.check(raw, board.ledger.context())  # decoding, shape, proofs of randomness, answers
        except VechaError as e:
            raise ApiError(422, refusal_code(e), str(e)) from None
    return board.cast_verified(raw, tracker, submission.channel)


def _registration(ledger: Ledger, raw: dict[str, Any], submission: Submission) -> SignedCredential | None:
    """A listed credential needs nothing more; an unlisted one may come with its registrars'
    signatures (registration mode: register and vote in one request), checked here, before
    the ballot's own signature."""
    credential = bytes.fromhex(raw["credential"])
    if credential in ledger.credentials:
        return None
    rules = ledger.defined().definition.registration
    if submission.registration is None or rules is None:
        raise ApiError(403, "unlisted-credential", "the ballot's credential is not on the credential list")
    try:
        signed = SignedCredential.from_json(dict(submission.registration), rules)
        if signed.credential.encoding != credential:
            raise ApiError(422, "wrong-registration", "the registration is for another credential than the ballot's")
        ledger.check_signed_credential(signed)
    except InvalidSignature as e:
        raise ApiError(403, "unsigned-credential", str(e)) from None
    except (InvalidEncoding, ElectionError) as e:
        raise ApiError(422, "invalid-registration", str(e)) from None
    return signed


@router.post(
    "/elections/{election_id}/ballots",
    status_code=201,
    response_model=ReceiptBody,
    responses={
        200: {"model": ReceiptBody, "description": "this exact ballot was already on the board: its receipt"},
        400: {"model": ErrorBody},
        403: {"model": ErrorBody, "description": "voting is not open, or the credential is not listed"},
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        413: {"model": ErrorBody},
        429: {"model": ErrorBody, "description": "too many ballots from this credential in a short time"},
        503: {"model": ErrorBody, "description": "the ballot box is at capacity; retry after the Retry-After seconds"},
        422: {"model": ErrorBody, "description": "the ballot is invalid; the error names the check that failed"},
    },
)
def submit_ballot(
    submission: Submission,
    board: BoardDep,
    s: Annotated[ServerState, Depends(state)],
) -> JSONResponse:
    """Cast a ballot. The receipt comes back only once the ballot is durably on the board.
    A later ballot with the same credential replaces this one in the count."""
    start = time.perf_counter()
    receipt, new = accept(board, submission, s.verifier, s.limits)  # a refusal is counted by the error handlers
    if new:
        s.metrics.accepted.labels(board.election_id).inc()
        s.metrics.ballot_seconds.observe(time.perf_counter() - start)
    else:
        s.metrics.resubmitted.labels(board.election_id).inc()
    # The receipt is made by the board, in ReceiptBody's shape (a test holds them together):
    # sent as it is, not validated and serialized once more on the busiest route.
    return JSONResponse(receipt.to_json(), status_code=201 if new else 200)
