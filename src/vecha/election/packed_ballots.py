"""Checking ballots straight from their canonical JSON, in a batch (spec §4.7, §6.4).

A verifier checks a million ballots. Decoded into a `Ballot`, each is some 500 Python
objects, and making them costs about as much as checking the ballot's proofs in a batch.
But in canonical JSON every ballot of an election has the same shape: the same bytes
everywhere except its values, each 64 hex digits at a fixed place (`Layout`, one per
definition). A ballot that has exactly that shape is read here: its values unhexlified at
once, its points decoded in one call into one block (`vecha.crypto.bulk`), each question's
sum of ciphertexts computed in place, every challenge hashed from the encodings as they
stand, and every equation added to the batch by address.

This is the same check as `batch_ballot` on the decoded ballot: the same hashes, the same
equations with the same weights' law; the tests hold the two to each other, on honest and on
tampered ballots. A ballot that does not have the shape, or in which anything at all is
wrong (a point or a scalar, the election, a hash), is handed to the ordinary path, which
decodes it and names what is wrong: this is a faster reading of the same bytes, never a
different one.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vecha.crypto import bulk
from vecha.crypto.batch import Batch, check_each
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import ORDER
from vecha.crypto.proofs.disjunctive import range_challenge
from vecha.crypto.proofs.schnorr import knowledge_challenge
from vecha.election.ballot import (
    Ballot,
    body_of_canonical,
    choice_context,
    overall_context,
    signature_context,
    verify_ballot,
)
from vecha.election.context import ElectionContext
from vecha.election.counting import Aggregate
from vecha.election.definition import Definition
from vecha.errors import InvalidBallot, VechaError

__all__ = ["Layout", "layout_of", "check_ballot_lines"]

_HEX = rb'"[0-9a-f]{64}"'
_VALUE = re.compile(rb'"([0-9a-f]{64})"')  #: in a ballot of the layout, exactly its values


@dataclass(frozen=True)
class _Question:
    options: int
    value_max: int  #: each choice's proof is over 0…value_max
    lo: int  #: the overall proof is over lo…hi
    hi: int


@dataclass(frozen=True)
class Layout:
    """The canonical JSON of every ballot of one election, but for its values (§6.1): keys
    sorted, no spaces, every value 64 lowercase hex digits. In document order the values are,
    per answer, its choices (α, β each), its overall proof's branches, then each choice's
    proof's branches (A, B, c, r each); then the credential, the election, the signature's
    commitment and response."""

    pattern: re.Pattern[bytes]
    questions: tuple[_Question, ...]
    points: tuple[int, ...]  #: the values that are points, in document order: a block's slots
    values: int
    equations: int  #: how many equations a ballot adds to a batch (one weight each)

    @property
    def spare(self) -> int:
        """Slots after the decoded points, for each question's Σα and Σβ."""
        return 2 * len(self.questions)


def _layout(definition: Definition) -> Layout:
    branch = b"\\[" + b",".join([_HEX] * 4) + b"\\]"

    def proof(branches: int) -> bytes:
        return b"\\[" + b",".join([branch] * branches) + b"\\]"

    answers: list[bytes] = []
    questions: list[_Question] = []
    points: list[int] = []
    v, equations = 0, 1
    for q in definition.questions:
        n, (lo, hi) = len(q.option_list), q.sum_range
        questions.append(_Question(n, q.value_max, lo, hi))
        choice = b'\\{"alpha":' + _HEX + b',"beta":' + _HEX + b"\\}"
        answers.append(
            b'\\{"choices":\\['
            + b",".join([choice] * n)
            + b'\\],"overall":'
            + proof(hi - lo + 1)
            + b',"proofs":\\['
            + b",".join([proof(q.value_max + 1)] * n)
            + b"\\]\\}"
        )
        points += range(v, v + 2 * n)  # α, β of each choice
        v += 2 * n
        for _ in range((hi - lo + 1) + n * (q.value_max + 1)):  # A, B, c, r of each branch
            points += (v, v + 1)
            v += 4
        equations += 2 * ((hi - lo + 1) + n * (q.value_max + 1))
    points += (v, v + 2)  # the credential, then (after the election) the signature's commitment
    pattern = re.compile(
        b'\\{"answers":\\['
        + b",".join(answers)
        + b'\\],"credential":'
        + _HEX
        + b',"election":'
        + _HEX
        + b',"signature":\\{"commitment":'
        + _HEX
        + b',"response":'
        + _HEX
        + b"\\}\\}"
    )
    return Layout(pattern, tuple(questions), tuple(points), v + 4, equations)


_LAYOUTS: dict[int, tuple[Definition, Layout]] = {}


def layout_of(definition: Definition) -> Layout | None:
    """The layout of the definition's ballots; None where ballots are of another kind (a
    coercion-resistant election's, §6.10), which are read the ordinary way."""
    if definition.coercion:
        return None
    held = _LAYOUTS.get(id(definition))
    if held is None or held[0] is not definition:
        if len(_LAYOUTS) > 64:
            _LAYOUTS.clear()
        held = _LAYOUTS[id(definition)] = (definition, _layout(definition))
    return held[1]


class _Unread(VechaError):
    """The ballot is not read here (the ordinary path says why)."""


def _scalar(data: bytes, i: int) -> int:
    s = int.from_bytes(data[32 * i : 32 * i + 32], "little")
    if s >= ORDER:
        raise _Unread("a scalar is not canonical")
    return s


def read_ballot(batch: Batch, raw: bytes, ctx: ElectionContext, layout: Layout) -> bulk.PointBlock:
    """Add the equations of a ballot given as its canonical JSON to `batch`, its hashes
    checked here, as `batch_ballot` does; returns the block of its points (its choices
    first in each answer, for the tally). Raises a `VechaError` for any ballot it does not
    read, which the ordinary path must then check."""
    if layout.pattern.fullmatch(raw) is None:
        raise _Unread("not of this election's ballot shape")
    data = binascii.unhexlify(b"".join(_VALUE.findall(raw)))
    values = layout.values
    credential = data[32 * (values - 4) : 32 * (values - 3)]
    if data[32 * (values - 3) : 32 * (values - 2)] != ctx.fingerprint or not any(credential):
        raise _Unread("another election, or the identity as the credential")
    block = bulk.decode(b"".join([data[32 * i : 32 * i + 32] for i in layout.points]), layout.spare)
    if block is None:
        raise _Unread("a point is not valid")
    weights = Batch.weights(layout.equations)
    fp, key = ctx.fingerprint, ctx.public_key
    key_bytes = key.encoding
    on_key = on_base = 0
    w = v = slot = 0  # the next weight, value and block slot
    spare = len(layout.points)

    def range_proof(
        first: int,
        first_slot: int,
        lo: int,
        hi: int,
        ct: tuple[int, int],
        ct_bytes: bytes,
        context: bytes,
        purpose: str,
    ) -> None:
        """As `batch_range`: the proof whose branches are the values from `first` on (their
        commitments the block's slots from `first_slot` on), for the ciphertext at the
        addresses `ct`, encoded `ct_bytes`."""
        nonlocal on_key, on_base, w
        branches = hi - lo + 1
        commitments = b"".join([data[32 * (first + 4 * k) : 32 * (first + 4 * k + 2)] for k in range(branches)])
        cs = [_scalar(data, first + 4 * k + 2) for k in range(branches)]
        c = range_challenge(purpose, context, key_bytes, ct_bytes[:32], ct_bytes[32:], lo, hi, commitments)
        if c.value != sum(cs) % ORDER:
            raise _Unread("a proof's hash does not verify")
        on_alpha = on_beta = 0
        for k in range(branches):
            ck, rk = cs[k], _scalar(data, first + 4 * k + 3)
            z, z2 = weights[w], weights[w + 1]
            w += 2
            batch.term_at(block.address(first_slot + 2 * k), z)
            batch.term_at(block.address(first_slot + 2 * k + 1), z2)
            on_alpha += z * ck
            on_beta += z2 * ck
            on_key -= z2 * rk
            on_base -= z * rk + z2 * ck * (lo + k)
        batch.term_at(ct[0], on_alpha)
        batch.term_at(ct[1], on_beta)

    for qi, q in enumerate(layout.questions):
        choices, choice_slot = v, slot
        v += 2 * q.options
        slot += 2 * q.options
        block.put_sum(spare, [block.address(choice_slot + 2 * o) for o in range(q.options)])
        block.put_sum(spare + 1, [block.address(choice_slot + 2 * o + 1) for o in range(q.options)])
        range_proof(
            v,
            slot,
            q.lo,
            q.hi,
            (block.address(spare), block.address(spare + 1)),
            block.encoding(spare) + block.encoding(spare + 1),
            overall_context(fp, credential, qi),
            "ballot-overall",
        )
        v += 4 * (q.hi - q.lo + 1)
        slot += 2 * (q.hi - q.lo + 1)
        spare += 2
        for o in range(q.options):
            range_proof(
                v,
                slot,
                0,
                q.value_max,
                (block.address(choice_slot + 2 * o), block.address(choice_slot + 2 * o + 1)),
                data[32 * (choices + 2 * o) : 32 * (choices + 2 * o + 2)],
                choice_context(fp, credential, qi, o),
                "ballot-choice",
            )
            v += 4 * (q.value_max + 1)
            slot += 2 * (q.value_max + 1)
    # the credential's signature on the body: z·(A + c·S − r·G) = 0
    commitment = data[32 * (values - 2) : 32 * (values - 1)]
    c = knowledge_challenge("ballot-signature", signature_context(body_of_canonical(raw)), credential, commitment)
    r = _scalar(data, values - 1)
    z = weights[w]
    batch.term_at(block.address(slot + 1), z)
    batch.term_at(block.address(slot), z * c.value)
    on_base -= z * r
    batch.merged(key, on_key)
    batch.base(on_base)
    batch.keep(block)
    batch.equations += layout.equations
    return block


def check_ballot_lines(
    lines: Sequence[bytes], ctx: ElectionContext
) -> tuple[list[tuple[int, VechaError]], Aggregate] | None:
    """Check ballots given as canonical JSON (lines of a checked record), in one batch with
    bisection (`check_each`): the position and error of each that fails, in order (the
    errors of `verify_ballot` on each), and the option-by-option sum of the ciphertexts of
    those that pass. None where ballots cannot be read this way here (another kind of
    ballot; points not held in bulk): the caller decodes them instead."""
    layout = layout_of(ctx.definition)
    if layout is None or not bulk.available():
        return None
    blocks: dict[int, bulk.PointBlock] = {}

    def into(batch: Batch, i: int) -> None:
        blocks[i] = read_ballot(batch, lines[i], ctx, layout)

    def alone(i: int) -> None:
        try:
            ballot = Ballot.from_json(json.loads(lines[i]))
        except json.JSONDecodeError:
            raise InvalidBallot("the ballot is not JSON") from None
        verify_ballot(ballot, ctx, lines[i])

    failed = check_each(range(len(lines)), alone, into)
    bad = {i for i, _ in failed}
    return failed, _sums(layout, [block for i, block in blocks.items() if i not in bad])


def _sums(layout: Layout, blocks: list[bulk.PointBlock]) -> Aggregate:
    """Option by option, the sum of the ciphertexts in these ballots' blocks."""
    rows, slot = [], 0
    out = bulk.decode(b"", 2 * sum(q.options for q in layout.questions))
    assert out is not None  # checked available by the caller
    k = 0
    for q in layout.questions:
        row = []
        for o in range(q.options):
            for part in (0, 1):
                out.put_sum(k + part, [b.address(slot + 2 * o + part) for b in blocks])
            row.append(Ciphertext(out.point(k), out.point(k + 1)))
            k += 2
        rows.append(tuple(row))
        slot += 2 * q.options + 2 * ((q.hi - q.lo + 1) + q.options * (q.value_max + 1))
    return tuple(rows)
