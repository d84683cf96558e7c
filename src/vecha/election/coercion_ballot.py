"""Ballots of a coercion-resistant election (spec §6.10; docs/coercion.md §4.1).

Such a ballot shows no credential. It carries `C = E(S)`, the voter's credential point
encrypted (real or fake code alike), and `P = E(L)`, the link point of the tracking code of
the ballot it replaces (or of random bytes), both fresh encryptions; and, instead of a
credential's signature, a Schnorr proof of the randomness of each, bound to the whole body.
Knowing that randomness means knowing the plaintext, so nobody can reuse another ballot's
encrypted credential or predecessor, nor build one from public ciphertexts. The answers'
proofs are bound to `C` (α ‖ β), so they cannot be moved to another ballot either.

The box checks all of this, and cannot check anything more: whether `S` is registered is
decided after the mixes, by tags (`vecha.election.coercion`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto.batch import Batch, check_each
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.encoding import hex_bytes
from vecha.crypto.group import IDENTITY, Point, Scalar
from vecha.crypto.proofs import SchnorrProof, batch_knowledge, prove_knowledge, verify_knowledge
from vecha.election.ballot import (
    Answer,
    Selections,
    answers_from_json,
    batch_answers,
    check_answers_shape,
    check_selections,
    ciphertext_from_json,
    encrypt_answers,
    schnorr_from_json,
    schnorr_to_json,
    signature_context,
    tracker_of_body,
    verify_answers,
)
from vecha.election.coercion import credential_point, fresh_link, link_point
from vecha.election.context import ElectionContext
from vecha.errors import InvalidBallot, InvalidEncoding, InvalidProof, InvalidSignature, VechaError

__all__ = [
    "CoercionBallot",
    "MadeBallot",
    "make_coercion_ballot",
    "make_chaff",
    "verify_coercion_ballot",
    "verify_coercion_ballots",
    "batch_coercion_ballot",
]

_KEYS = {"election", "credential", "predecessor", "answers", "signature"}


def _ct_json(ct: Ciphertext) -> dict[str, str]:
    return {"alpha": ct.alpha.hex(), "beta": ct.beta.hex()}


@dataclass(frozen=True, slots=True)
class CoercionBallot:
    fingerprint: bytes
    credential: Ciphertext  #: C = E(S)
    predecessor: Ciphertext  #: P = E(L) of the ballot it replaces
    answers: tuple[Answer, ...]
    signature: tuple[SchnorrProof, SchnorrProof]  #: the randomness of C, then of P

    @property
    def binding(self) -> bytes:
        """What every answer's proof is bound to: α ‖ β of C."""
        return self.credential.alpha.encoding + self.credential.beta.encoding

    def body_json(self) -> dict[str, Any]:
        return {
            "election": self.fingerprint.hex(),
            "credential": _ct_json(self.credential),
            "predecessor": _ct_json(self.predecessor),
            "answers": [a.to_json() for a in self.answers],
        }

    def to_json(self) -> dict[str, Any]:
        c, p = self.signature
        return {**self.body_json(), "signature": {"credential": schnorr_to_json(c), "predecessor": schnorr_to_json(p)}}

    def tracker(self) -> str:
        """The tracking code, as for any ballot: T("tracker", canonical body)[0:32] (§6.5)."""
        return tracker_of_body(canonical_bytes(self.body_json()))

    @classmethod
    def from_json(cls, obj: object) -> CoercionBallot:
        if not isinstance(obj, dict) or set(obj) != _KEYS:
            raise InvalidEncoding(f"a ballot of a coercion-resistant election has the fields {sorted(_KEYS)}")
        sig = obj["signature"]
        if not isinstance(sig, dict) or set(sig) != {"credential", "predecessor"}:
            raise InvalidEncoding("ballot.signature: expected {credential, predecessor}")
        return cls(
            hex_bytes(obj["election"], 32, "ballot.election"),
            # α is r·G for the randomness the signature proves: never the identity
            ciphertext_from_json(obj["credential"], "ballot.credential", nonidentity_alpha=True),
            ciphertext_from_json(obj["predecessor"], "ballot.predecessor", nonidentity_alpha=True),
            answers_from_json(obj["answers"]),
            (
                schnorr_from_json(sig["credential"], "ballot.signature.credential"),
                schnorr_from_json(sig["predecessor"], "ballot.signature.predecessor"),
            ),
        )


@dataclass(frozen=True)
class MadeBallot:
    """A ballot and what stays on the device: the marks and every randomness (an audit
    reveals the answers' randomness; the credential's and predecessor's are never shown)."""

    ballot: CoercionBallot
    selections: Selections
    randomness: tuple[tuple[Scalar, ...], ...]


def make_coercion_ballot(
    ctx: ElectionContext, code: str, selections: Sequence[Sequence[int]], replaces: bytes | None = None
) -> MadeBallot:
    """A ballot cast with `code` (registered or not: nothing here can tell), replacing the
    ballot whose tracking code is `replaces` (32 bytes), or none."""
    fp, key = ctx.fingerprint, ctx.public_key
    sels = check_selections(ctx.definition, selections)
    r_c, r_p = Scalar.random_nonzero(), Scalar.random_nonzero()
    predecessor_point = fresh_link(fp) if replaces is None else link_point(fp, replaces)
    c = Ciphertext(Point.base_mul(r_c), credential_point(fp, code) + key * r_c)
    p = Ciphertext(Point.base_mul(r_p), predecessor_point + key * r_p)
    binding = c.alpha.encoding + c.beta.encoding
    answers, randomness = encrypt_answers(ctx, binding, sels)
    unsigned = CoercionBallot(fp, c, p, answers, (SchnorrProof(IDENTITY, Scalar(0)),) * 2)
    signed = signature_context(canonical_bytes(unsigned.body_json()))
    signature = (
        prove_knowledge(r_c, c.alpha, signed, purpose="ballot-credential"),
        prove_knowledge(r_p, p.alpha, signed, purpose="ballot-predecessor"),
    )
    return MadeBallot(CoercionBallot(fp, c, p, answers, signature), sels, randomness)


def verify_coercion_ballot(ballot: CoercionBallot, ctx: ElectionContext, body: bytes | None = None) -> None:
    """Every check the box and a verifier make on such a ballot: its election and shape,
    the two proofs of randomness over its body (`body`: the body's canonical JSON, when the
    caller has it), then the answers' proofs."""
    if ballot.fingerprint != ctx.fingerprint:
        raise InvalidBallot("the ballot is for another election")
    check_answers_shape(ballot.answers, ctx)
    signed = signature_context(canonical_bytes(ballot.body_json()) if body is None else body)
    for proof, ct, purpose in (
        (ballot.signature[0], ballot.credential, "ballot-credential"),
        (ballot.signature[1], ballot.predecessor, "ballot-predecessor"),
    ):
        try:
            verify_knowledge(proof, ct.alpha, signed, purpose=purpose)
        except InvalidProof:
            raise InvalidSignature(
                f"the ballot's proof of its {purpose.split('-')[1]}'s randomness does not verify"
            ) from None
    verify_answers(ctx, ballot.binding, ballot.answers)


def batch_coercion_ballot(
    batch: Batch, ballot: CoercionBallot, ctx: ElectionContext, body: bytes | None = None
) -> None:
    """`verify_coercion_ballot` with the proofs' equations added to `batch` (§4.7): raises
    what fails before them (the election, the shape, a hash)."""
    if ballot.fingerprint != ctx.fingerprint:
        raise InvalidBallot("the ballot is for another election")
    check_answers_shape(ballot.answers, ctx)
    signed = signature_context(canonical_bytes(ballot.body_json()) if body is None else body)
    batch_knowledge(batch, ballot.signature[0], ballot.credential.alpha, signed, "ballot-credential")
    batch_knowledge(batch, ballot.signature[1], ballot.predecessor.alpha, signed, "ballot-predecessor")
    batch_answers(batch, ctx, ballot.binding, ballot.answers)


def verify_coercion_ballots(
    ballots: Sequence[tuple[CoercionBallot, bytes | None]], ctx: ElectionContext, batched: bool = True
) -> list[tuple[int, VechaError]]:
    """`verify_ballots` for the ballots of a coercion-resistant election (each with its body's
    canonical JSON or None)."""
    return check_each(
        ballots,
        lambda item: verify_coercion_ballot(item[0], ctx, item[1]),
        lambda batch, item: batch_coercion_ballot(batch, item[0], ctx, item[1]),
        batched,
    )


def make_chaff(ctx: ElectionContext) -> CoercionBallot:
    """A chaff ballot (docs/coercion.md §5.3): a fresh random code's, naming no ballot, with
    the least answer each question allows. It is never decrypted (its code is on no roll
    entry), so what it says does not matter; it blurs how many kept rows match no roll entry."""
    from vecha.election.ballot import selections_from_labels
    from vecha.election.credentials import new_code
    from vecha.election.definition import GradedQuestion

    labels = {
        q.id: [o.label for o in q.option_list][: q.min]
        for q in ctx.definition.questions
        if not isinstance(q, GradedQuestion)
    }
    values = selections_from_labels(ctx.definition, labels)
    return make_coercion_ballot(ctx, new_code(), [list(v) for v in values]).ballot
