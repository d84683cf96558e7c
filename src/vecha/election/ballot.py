"""Encrypted ballots: making, checking and encoding them (spec §6.4).

A ballot holds, for each question, one ciphertext per option with a proof that it
encrypts 0 or 1, and a proof that the question's marks add up to a number in [min, max].
The credential signs the whole body (a Schnorr signature, §4.1), so neither the proofs
nor the ciphertexts can be moved to another ballot, and every proof is bound to the
election fingerprint and the credential, so a ballot cannot be replayed into another
election or under another credential.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vecha.crypto.batch import Batch, check_each
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.elgamal import Ciphertext, add_all, encrypt
from vecha.crypto.encoding import hex_bytes, hex_many, point_from_hex, scalar_from_hex
from vecha.crypto.group import IDENTITY, ORDER, Point, Scalar
from vecha.crypto.proofs import (
    Branch,
    RangeProof,
    SchnorrProof,
    batch_knowledge,
    batch_range,
    prove_knowledge,
    prove_range,
    schnorr_from_json,
    schnorr_to_json,
    verify_knowledge,
    verify_range,
)
from vecha.crypto.transcript import Transcript
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential
from vecha.election.definition import Definition, GradedQuestion, ListQuestion, Question, RankedQuestion
from vecha.errors import InvalidBallot, InvalidEncoding, InvalidProof, InvalidSignature, VechaError

__all__ = [
    "Answer",
    "Ballot",
    "BallotBody",
    "EncryptedBallot",
    "check_audit",
    "audit_data",
    "encrypt_ballot",
    "verify_ballot",
    "verify_ballots",
    "batch_ballot",
    "batch_answers",
    "verify_ballot_proofs",
    "sign_ballot",
    "verify_signature",
    "body_of_canonical",
    "check_ballot_shape",
    "tracker_of_json",
    "tracker_of_body",
    "body_of_json",
    "verify_signature_json",
    "tracker_of_canonical",
    "selections_from_labels",
    "answer_problem",
    "audit_ballot",
    "choice_context",
    "overall_context",
    "encrypt_answers",
    "verify_answers",
    "answer_from_json",
    "check_answers_shape",
    "answers_from_json",
    "ciphertext_from_json",
    "schnorr_from_json",
    "schnorr_to_json",
    "signature_context",
]

Selections = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Answer:
    choices: tuple[Ciphertext, ...]
    proofs: tuple[RangeProof, ...]  #: each choice encrypts 0 or 1
    overall: RangeProof  #: the sum of the choices lies in [min, max]

    def to_json(self) -> dict[str, Any]:
        return {
            "choices": [{"alpha": c.alpha.hex(), "beta": c.beta.hex()} for c in self.choices],
            "proofs": [_proof_json(p) for p in self.proofs],
            "overall": _proof_json(self.overall),
        }


@dataclass(frozen=True, slots=True)
class BallotBody:
    """A ballot less its signature (spec §6.4): what the tracking code names, and what a
    booth shows before the voter chooses to cast (then signs) or audit (never signs) it."""

    fingerprint: bytes  #: the election fingerprint (the JSON member `election`, §6.4)
    credential: Point
    answers: tuple[Answer, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "election": self.fingerprint.hex(),
            "credential": self.credential.hex(),
            "answers": [a.to_json() for a in self.answers],
        }

    def tracker(self) -> str:
        return tracker_of_body(canonical_bytes(self.to_json()))

    @classmethod
    def from_json(cls, obj: object) -> BallotBody:
        o = _obj(obj, {"election", "credential", "answers"}, "ballot body")
        return cls(*_body_fields(o))


def _body_fields(o: dict[str, Any]) -> tuple[bytes, Point, tuple[Answer, ...]]:
    election = hex_bytes(o["election"], 32, "ballot.election")
    credential = point_from_hex(o["credential"], "ballot.credential", nonidentity=True)
    return election, credential, answers_from_json(o["answers"])


def answers_from_json(obj: object) -> tuple[Answer, ...]:
    """A ballot's `answers`: a non-empty list of at most 64, each decoded strictly."""
    if not isinstance(obj, list) or not obj or len(obj) > 64:
        raise InvalidEncoding("ballot.answers: expected a non-empty list")
    return tuple(answer_from_json(a, f"ballot.answers[{i}]") for i, a in enumerate(obj))


def ciphertext_from_json(obj: object, what: str, nonidentity_alpha: bool = False) -> Ciphertext:
    """`{"alpha", "beta"}`, both valid points (α not the identity where asked)."""
    o = _obj(obj, {"alpha", "beta"}, what)
    return Ciphertext(
        point_from_hex(o["alpha"], f"{what}.alpha", nonidentity=nonidentity_alpha),
        point_from_hex(o["beta"], f"{what}.beta"),
    )


@dataclass(frozen=True, slots=True)
class Ballot:
    fingerprint: bytes  #: the election fingerprint (the JSON member `election`, §6.4)
    credential: Point  #: the public credential S that signs the ballot
    answers: tuple[Answer, ...]
    signature: SchnorrProof

    @property
    def body(self) -> BallotBody:
        return BallotBody(self.fingerprint, self.credential, self.answers)

    def body_json(self) -> dict[str, Any]:
        return self.body.to_json()

    def to_json(self) -> dict[str, Any]:
        return {
            **self.body_json(),
            "signature": schnorr_to_json(self.signature),
        }

    def tracker(self) -> str:
        """The tracking code: T("tracker", canonical body), 32 bytes in hex (spec §6.5)."""
        return self.body.tracker()

    @classmethod
    def from_json(cls, obj: object) -> Ballot:
        """Decode strictly: exact keys, lowercase hex, canonical scalars, valid points."""
        o = _obj(obj, {"election", "credential", "answers", "signature"}, "ballot")
        election, credential, answers = _body_fields(o)
        return cls(election, credential, answers, schnorr_from_json(o["signature"], "ballot.signature"))


def body_of_json(ballot_json: dict[str, Any]) -> bytes:
    """The canonical JSON of a ballot's body (everything but its signature)."""
    return canonical_bytes({k: v for k, v in ballot_json.items() if k != "signature"})


def verify_signature_json(ballot_json: dict[str, Any], body: bytes) -> None:
    """The credential's signature on a ballot given as JSON, with its body's canonical bytes,
    decoding nothing else: the ballot box checks it before anything costly, so that only the
    credential's holder can use up the credential's rate (spec §12)."""
    credential = point_from_hex(ballot_json.get("credential"), "ballot.credential", nonidentity=True)
    proof = schnorr_from_json(ballot_json.get("signature"), "ballot.signature")
    try:
        verify_knowledge(proof, credential, signature_context(body), purpose="ballot-signature")
    except InvalidProof:
        raise InvalidSignature("the ballot's credential signature does not verify") from None


def tracker_of_json(ballot_json: dict[str, Any]) -> str:
    """The tracking code of a ballot (or of its body) in its JSON form: equal to
    `Ballot.tracker` for any ballot that decodes; used where the ballot need not be decoded,
    like replaying a trusted board. The signature is not part of it (§6.5)."""
    return tracker_of_body(body_of_json(ballot_json))


def tracker_of_canonical(ballot: bytes) -> str:
    """The tracking code of a ballot given as its canonical JSON (a line of a record)."""
    return tracker_of_body(body_of_canonical(ballot))


def tracker_of_body(body: bytes) -> str:
    """T("tracker", [("body", canonical body)])[0:32] in hex (spec §6.5)."""
    return Transcript("tracker").raw("body", body).digest()[:32].hex()


@dataclass(frozen=True)
class EncryptedBallot:
    """A ballot together with its secrets, which stay on the voter's device (for audits)."""

    ballot: Ballot
    selections: Selections
    randomness: tuple[tuple[Scalar, ...], ...]


def _obj(obj: object, keys: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InvalidEncoding(f"{what}: expected an object")
    if set(obj) != keys:
        raise InvalidEncoding(f"{what}: expected the fields {sorted(keys)}, got {sorted(obj)}")
    return obj


def _proof_json(p: RangeProof) -> list[list[str]]:
    return [[b.a.hex(), b.b.hex(), b.challenge.hex(), b.response.hex()] for b in p.branches]


def _proof_from_json(obj: object, what: str) -> RangeProof:
    """`[[A, B, challenge, response], …]`: 1 to 1025 branches, two valid points and two
    canonical scalars each."""
    if not isinstance(obj, list) or not 1 <= len(obj) <= 1025:
        raise InvalidEncoding(f"{what}: expected a list of [A, B, challenge, response] branches")
    if all(isinstance(item, list) and len(item) == 4 for item in obj):
        fast = _branches_of(hex_many([x for item in obj for x in item]), len(obj))
        if fast is not None:
            return RangeProof(fast)
    # one value at a time: slower, and the error names the value that is wrong
    branches = []
    for i, item in enumerate(obj):
        if not isinstance(item, list) or len(item) != 4:
            raise InvalidEncoding(f"{what}[{i}]: expected [A, B, challenge, response]")
        branches.append(
            Branch(
                point_from_hex(item[0], f"{what}[{i}][0]"),
                point_from_hex(item[1], f"{what}[{i}][1]"),
                scalar_from_hex(item[2], f"{what}[{i}][2]"),
                scalar_from_hex(item[3], f"{what}[{i}][3]"),
            )
        )
    return RangeProof(tuple(branches))


def _branches_of(data: bytes | None, n: int) -> tuple[Branch, ...] | None:
    """`n` branches from their 128 bytes each (A, B, c, r), or None if a point is invalid or a
    scalar not canonical: every point of the proof decoded in one call."""
    if data is None:
        return None
    points = Point.many_from_bytes(b"".join(data[128 * i : 128 * i + 64] for i in range(n)))
    if points is None:
        return None
    out = []
    for i in range(n):
        c = int.from_bytes(data[128 * i + 64 : 128 * i + 96], "little")
        r = int.from_bytes(data[128 * i + 96 : 128 * i + 128], "little")
        if c >= ORDER or r >= ORDER:
            return None
        out.append(Branch(points[2 * i], points[2 * i + 1], Scalar(c), Scalar(r)))
    return tuple(out)


def _choices_of(choices: list[Any]) -> list[Ciphertext] | None:
    """The ciphertexts, every point decoded in one call; None if any is malformed."""
    if not all(isinstance(c, dict) and len(c) == 2 and "alpha" in c and "beta" in c for c in choices):
        return None
    data = hex_many([x for c in choices for x in (c["alpha"], c["beta"])])
    points = None if data is None else Point.many_from_bytes(data)
    if points is None:
        return None
    return [Ciphertext(points[2 * i], points[2 * i + 1]) for i in range(len(choices))]


def answer_from_json(obj: object, what: str) -> Answer:
    o = _obj(obj, {"choices", "proofs", "overall"}, what)
    if not isinstance(o["choices"], list) or not isinstance(o["proofs"], list) or not o["choices"]:
        raise InvalidEncoding(f"{what}: choices and proofs must be lists")
    if len(o["choices"]) > 4096 or len(o["choices"]) != len(o["proofs"]):
        raise InvalidEncoding(f"{what}: one proof per choice")
    choices = _choices_of(o["choices"]) or [
        ciphertext_from_json(c, f"{what}.choices[{i}]") for i, c in enumerate(o["choices"])
    ]
    proofs = tuple(_proof_from_json(p, f"{what}.proofs[{i}]") for i, p in enumerate(o["proofs"]))
    return Answer(tuple(choices), proofs, _proof_from_json(o["overall"], f"{what}.overall"))


def choice_context(fingerprint: bytes, binding: bytes, question: int, option: int) -> bytes:
    """fingerprint ‖ binding ‖ question (4 bytes BE) ‖ option (4 bytes BE); the binding is
    the credential S (§6.4), or the encrypted credential α ‖ β (§6.10)."""
    return fingerprint + binding + question.to_bytes(4, "big") + option.to_bytes(4, "big")


def overall_context(fingerprint: bytes, binding: bytes, question: int) -> bytes:
    """fingerprint ‖ binding ‖ question (4 bytes BE)."""
    return fingerprint + binding + question.to_bytes(4, "big")


def signature_context(body: bytes) -> bytes:
    """What the credential signs: the hash of the body's canonical JSON."""
    return Transcript("ballot-body").raw("body", body).digest()


_SIGNATURE_MEMBER = b',"signature":'


def body_of_canonical(ballot: bytes) -> bytes:
    """The canonical JSON of a ballot's body (the ballot less its signature), cut out of the
    ballot's canonical JSON: keys are sorted, so the signature is the last member, and its
    value holds only hex strings. Spares encoding the body again (most of what checking the
    signature costs besides the curve, in a verifier that reads canonical records)."""
    return ballot[: ballot.rindex(_SIGNATURE_MEMBER)] + b"}"


def check_selections(definition: Definition, selections: Sequence[Sequence[int]]) -> Selections:
    """The values a booth may encrypt (spec §6.2): a mark 0 or 1 per option in [min, max]
    marks; a ranking (ranks 1…r, each once, r in [min, max]); a grade per candidate; marks
    within one list. Only valid ballots are made: a ballot that breaks a rule the proofs
    cannot show is counted invalid after the mix (§9.7.1), never made here."""
    if len(selections) != len(definition.questions):
        raise InvalidBallot(f"expected answers to {len(definition.questions)} questions, got {len(selections)}")
    out = []
    for q, sel in zip(definition.questions, selections, strict=True):
        if len(sel) != len(q.option_list) or any(
            isinstance(m, bool) or not isinstance(m, int) or not 0 <= m <= q.value_max for m in sel
        ):
            raise InvalidBallot(f"question {q.id}: one value (0 to {q.value_max}) per option")
        problem = answer_problem(q, sel)
        if problem is not None:
            raise InvalidBallot(f"question {q.id}: {problem}")
        out.append(tuple(sel))
    return tuple(out)


def answer_problem(q: Question, values: Sequence[int]) -> str | None:
    """Why these values (each within 0…value_max) are no valid answer to `q`, or None:
    the rule a decrypted ballot is held to after the mix (spec §9.7.1)."""
    if isinstance(q, GradedQuestion):
        return None
    if isinstance(q, RankedQuestion):
        ranks = sorted(v for v in values if v)
        if ranks != list(range(1, len(ranks) + 1)):
            return "ranks must be 1, 2, 3, … each given once"
        if not q.min <= len(ranks) <= q.max:
            return f"rank between {q.min} and {q.max} candidates"
        return None
    if not q.min <= sum(values) <= q.max:
        return f"mark between {q.min} and {q.max} options"
    if isinstance(q, ListQuestion) and q.preferences > 1:
        parties = {o.party for o, v in zip(q.option_list, values, strict=True) if v}
        if len(parties) > 1:
            return "marks on more than one list"
        people = sum(1 for o, v in zip(q.option_list, values, strict=True) if v and o.candidate is not None)
        if people > q.preferences:
            return f"at most {q.preferences} candidates of the list"
    return None


def selections_from_labels(definition: Definition, labels: Mapping[str, Sequence[str]]) -> Selections:
    """Turn {question id: [labels]} into values; an omitted question is blank. For a choice
    or list question the labels are the options marked; for a ranked question the candidates
    in the voter's order; for a graded question `candidate=grade` pairs. (A ballot's
    `choices` are its ciphertexts, one per option: the labels are not choices.)"""
    unknown = set(labels) - {q.id for q in definition.questions}
    if unknown:
        raise InvalidBallot(f"no such question: {', '.join(sorted(unknown))}")
    out = []
    for q in definition.questions:
        options = [o.label for o in q.option_list]
        chosen = [c for c in labels.get(q.id, []) if c != ""]
        values = [0] * len(options)
        seen: set[str] = set()
        for position, c in enumerate(chosen, start=1):
            value = position if isinstance(q, RankedQuestion) else 1
            if isinstance(q, GradedQuestion):
                c, _, grade = c.rpartition("=")
                if grade not in q.grades:
                    raise InvalidBallot(f"question {q.id}: write candidate=grade, a grade among {', '.join(q.grades)}")
                value = q.grades.index(grade)
            if c not in options:
                hint = " (for a candidate write 'List / Candidate')" if isinstance(q, ListQuestion) else ""
                raise InvalidBallot(f"question {q.id}: no option {c!r}{hint}")
            if c in seen:
                raise InvalidBallot(f"question {q.id}: option {c!r} chosen twice")
            seen.add(c)
            values[options.index(c)] = value
        out.append(tuple(values))
    return check_selections(definition, out)


def encrypt_ballot(
    ctx: ElectionContext, credential: Credential, selections: Sequence[Sequence[int]]
) -> EncryptedBallot:
    sels = check_selections(ctx.definition, selections)
    answers, randomness = encrypt_answers(ctx, credential.public.encoding, sels)
    ballot = sign_ballot(ctx.fingerprint, credential, answers)
    return EncryptedBallot(ballot, sels, randomness)


def encrypt_answers(
    ctx: ElectionContext, binding: bytes, sels: Selections
) -> tuple[tuple[Answer, ...], tuple[tuple[Scalar, ...], ...]]:
    """The answers to checked selections, every proof bound to `binding` (§6.4, §6.10),
    and the randomness of every ciphertext."""
    key, fp = ctx.public_key, ctx.fingerprint
    answers, randomness = [], []
    for qi, (q, sel) in enumerate(zip(ctx.definition.questions, sels, strict=True)):
        rs = tuple(Scalar.random() for _ in sel)
        cts = tuple(encrypt(key, m, r) for m, r in zip(sel, rs, strict=True))
        proofs = tuple(
            prove_range(key, ct, m, r, 0, q.value_max, choice_context(fp, binding, qi, oi), purpose="ballot-choice")
            for oi, (ct, m, r) in enumerate(zip(cts, sel, rs, strict=True))
        )
        total_r = Scalar(0)
        for r in rs:
            total_r = total_r + r
        lo, hi = q.sum_range
        overall = prove_range(
            key, add_all(cts), sum(sel), total_r, lo, hi, overall_context(fp, binding, qi), purpose="ballot-overall"
        )
        answers.append(Answer(cts, proofs, overall))
        randomness.append(rs)
    return tuple(answers), tuple(randomness)


def sign_ballot(fingerprint: bytes, credential: Credential, answers: tuple[Answer, ...]) -> Ballot:
    """The ballot with these answers, signed with the credential (spec §6.4)."""
    S = credential.public
    unsigned = Ballot(fingerprint, S, answers, SchnorrProof(IDENTITY, Scalar(0)))
    signature = prove_knowledge(
        credential.secret, S, signature_context(canonical_bytes(unsigned.body_json())), purpose="ballot-signature"
    )
    return Ballot(fingerprint, S, answers, signature)


def check_ballot_shape(ballot: Ballot | BallotBody, ctx: ElectionContext) -> None:
    """The cheap checks: right election, right number of questions and options."""
    if ballot.fingerprint != ctx.fingerprint:
        raise InvalidBallot("the ballot is for another election")
    check_answers_shape(ballot.answers, ctx)


def check_answers_shape(answers: Sequence[Answer], ctx: ElectionContext) -> None:
    """The right number of questions and options, and proofs of the right sizes."""
    qs = ctx.definition.questions
    if len(answers) != len(qs):
        raise InvalidBallot(f"the ballot answers {len(answers)} questions; the election has {len(qs)}")
    for q, a in zip(qs, answers, strict=True):
        if len(a.choices) != len(q.option_list):
            raise InvalidBallot(f"question {q.id}: {len(a.choices)} choices for {len(q.option_list)} options")
        lo, hi = q.sum_range
        if any(len(p.branches) != q.value_max + 1 for p in a.proofs) or len(a.overall.branches) != hi - lo + 1:
            raise InvalidBallot(f"question {q.id}: proofs of the wrong shape")


def verify_signature(ballot: Ballot, canonical: bytes | None = None) -> None:
    """`canonical`: the ballot's canonical JSON, when the caller has it (and knows it to be
    canonical, as a line of a checked record): the signed body is then cut out of it."""
    body = canonical_bytes(ballot.body_json()) if canonical is None else body_of_canonical(canonical)
    try:
        verify_knowledge(ballot.signature, ballot.credential, signature_context(body), purpose="ballot-signature")
    except InvalidProof:
        raise InvalidSignature("the ballot's credential signature does not verify") from None


def verify_ballot(ballot: Ballot, ctx: ElectionContext, canonical: bytes | None = None) -> None:
    """Every check on a ballot except whether its credential is listed (that needs the board),
    each proof on its own. `canonical`: as for `verify_signature`."""
    check_ballot_shape(ballot, ctx)
    verify_signature(ballot, canonical)
    verify_ballot_proofs(ballot, ctx)


def verify_ballots(
    ballots: Sequence[tuple[Ballot, bytes | None]], ctx: ElectionContext, batched: bool = True
) -> list[tuple[int, VechaError]]:
    """Check many ballots (each with its canonical JSON or None, as for `verify_ballot`);
    return the position and error of each that fails, in order: the same ballots and the
    same errors as `verify_ballot` one by one.

    Batched (§4.7), the equations of all their proofs are checked as one batch, and a failing
    batch is bisected down to the ballots that fail (`check_each`)."""
    return check_each(
        ballots,
        lambda item: verify_ballot(item[0], ctx, item[1]),
        lambda batch, item: batch_ballot(batch, item[0], ctx, item[1]),
        batched,
    )


def batch_ballot(batch: Batch, ballot: Ballot, ctx: ElectionContext, canonical: bytes | None = None) -> None:
    """Check the ballot's shape and its proofs' hashes, raising the first failure, and add
    the equations of its signature and proofs to `batch`."""
    check_ballot_shape(ballot, ctx)
    body = canonical_bytes(ballot.body_json()) if canonical is None else body_of_canonical(canonical)
    try:
        batch_knowledge(batch, ballot.signature, ballot.credential, signature_context(body), "ballot-signature")
    except InvalidProof:
        raise InvalidSignature("the ballot's credential signature does not verify") from None
    batch_answers(batch, ctx, ballot.credential.encoding, ballot.answers)


def verify_ballot_proofs(ballot: Ballot | BallotBody, ctx: ElectionContext) -> None:
    """The 0-or-1 proof of every option and the [min, max] proof of every question (the costly
    part: run it last, on a ballot whose shape and signature are already checked)."""
    verify_answers(ctx, ballot.credential.encoding, ballot.answers)


def _answer_proofs(
    ctx: ElectionContext, binding: bytes, answers: Sequence[Answer]
) -> Iterator[tuple[RangeProof, Ciphertext, int, int, bytes, str, str]]:
    """Every range proof of `answers`, with what it is checked against: the ciphertext, the
    range, the context, the purpose and what to say when it fails."""
    fp = ctx.fingerprint
    for qi, (q, a) in enumerate(zip(ctx.definition.questions, answers, strict=True)):
        for oi, (ct, proof) in enumerate(zip(a.choices, a.proofs, strict=True)):
            yield (
                proof,
                ct,
                0,
                q.value_max,
                choice_context(fp, binding, qi, oi),
                "ballot-choice",
                f"question {q.id}, option {oi}: the proof that it encrypts 0…{q.value_max} does not verify",
            )
        lo, hi = q.sum_range
        yield (
            a.overall,
            add_all(a.choices),
            lo,
            hi,
            overall_context(fp, binding, qi),
            "ballot-overall",
            f"question {q.id}: the proof that the values add up to {lo}…{hi} fails",
        )


def verify_answers(ctx: ElectionContext, binding: bytes, answers: Sequence[Answer]) -> None:
    """The proofs of `answers`, bound to `binding` (§6.4, §6.10), one by one."""
    for proof, ct, lo, hi, context, purpose, failure in _answer_proofs(ctx, binding, answers):
        try:
            verify_range(proof, ctx.public_key, ct, lo, hi, context, purpose=purpose)
        except InvalidProof:
            raise InvalidProof(failure) from None


def batch_answers(batch: Batch, ctx: ElectionContext, binding: bytes, answers: Sequence[Answer]) -> None:
    """`verify_answers`, with the hashes checked here and the equations added to `batch`."""
    for proof, ct, lo, hi, context, purpose, failure in _answer_proofs(ctx, binding, answers):
        try:
            batch_range(batch, proof, ctx.public_key, ct, lo, hi, context, purpose=purpose)
        except InvalidProof:
            raise InvalidProof(failure) from None


def audit_ballot(
    ctx: ElectionContext, ballot: Ballot | BallotBody, selections: Selections, randomness: Sequence[Sequence[Scalar]]
) -> None:
    """Benaloh audit: re-encrypt the claimed choices with the revealed randomness (spec §6.6)."""
    for qi, (a, sel, rs) in enumerate(zip(ballot.answers, selections, randomness, strict=True)):
        for oi, (ct, m, r) in enumerate(zip(a.choices, sel, rs, strict=True)):
            if encrypt(ctx.public_key, m, r) != ct:
                raise InvalidBallot(f"audit: question {qi}, option {oi} does not encrypt the claimed choice")


def audit_data(ctx: ElectionContext, made: EncryptedBallot) -> dict[str, Any]:
    """What a device reveals when its voter audits a ballot (spec §6.6): the body, never
    signed, the marks and the randomness of every ciphertext."""
    return {
        "version": 3,
        "election": ctx.definition.id,
        "ballot": made.ballot.body_json(),
        "selections": [list(s) for s in made.selections],
        "randomness": [[r.hex() for r in rs] for rs in made.randomness],
    }


def check_audit(ctx: ElectionContext, data: object) -> tuple[BallotBody, Selections]:
    """Check a device's audit data (spec §6.6) independently of the device: the body is for
    this election, has this election's shape and valid proofs, the marks are a valid answer,
    and every ciphertext re-encrypts from its revealed randomness. Returns the body and the
    marks it was shown to hold. Audit data carrying a signed ballot is refused: a ballot whose
    randomness is out must never be castable, and a booth that signed it before the voter
    chose is not to be trusted."""
    o = _obj(data, {"version", "election", "ballot", "selections", "randomness"}, "audit data")
    if o["version"] != 3 or o["election"] != ctx.definition.id:
        raise InvalidBallot(f"the audit data is not for election {ctx.definition.id} (version 3)")
    if isinstance(o["ballot"], dict) and "signature" in o["ballot"]:
        raise InvalidBallot(
            "the audit data holds a signed ballot: anyone who has it could cast it; the device that made it "
            "signed before the voter chose, do not vote with it"
        )
    body = BallotBody.from_json(o["ballot"])
    if body.fingerprint != ctx.fingerprint:
        raise InvalidBallot("the audited ballot is for another election")
    check_ballot_shape(body, ctx)
    verify_ballot_proofs(body, ctx)
    sel_raw, rand_raw = o["selections"], o["randomness"]
    if not isinstance(sel_raw, list) or not all(isinstance(s, list) for s in sel_raw):
        raise InvalidEncoding("audit data: selections must be one list of marks per question")
    if not all(isinstance(m, int) and not isinstance(m, bool) for s in sel_raw for m in s):
        raise InvalidEncoding("audit data: a value is an integer")
    selections = check_selections(ctx.definition, sel_raw)
    if not isinstance(rand_raw, list) or len(rand_raw) != len(body.answers):
        raise InvalidEncoding("audit data: randomness must be one list per question")
    randomness = []
    for qi, (rs, a) in enumerate(zip(rand_raw, body.answers, strict=True)):
        if not isinstance(rs, list) or len(rs) != len(a.choices):
            raise InvalidEncoding(f"audit data: question {qi} needs one randomness per option")
        randomness.append(tuple(scalar_from_hex(r, f"randomness[{qi}]") for r in rs))
    audit_ballot(ctx, body, selections, randomness)
    return body, selections
