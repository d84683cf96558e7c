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
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from vecha.crypto import bulk
from vecha.crypto.batch import Batch, check_each
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import ORDER
from vecha.crypto.proofs.disjunctive import RangeChallenger, range_challenger
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
from vecha.errors import InvalidEncoding, VechaError

__all__ = ["Layout", "layout_of", "read_ballot", "check_ballot_lines", "sum_ballots"]

_VALUE = b"0" * 64  #: a value's place in the template
#: hex digits to "0", every other byte unchanged: a line and the template agree under it iff
#: they have the same bytes except that each place that holds a hex digit in one holds one in
#: the other
_MASK = bytes.maketrans(b"0123456789abcdef", b"0" * 16)


@dataclass(frozen=True)
class _Question:
    options: int
    value_max: int  #: each choice's proof is over 0…value_max
    lo: int  #: the overall proof is over lo…hi
    hi: int

    @property
    def branches(self) -> int:
        """The branches of the question's proofs: the overall one's, then each choice's."""
        return (self.hi - self.lo + 1) + self.options * (self.value_max + 1)


class Layout:
    """The canonical JSON of every ballot of one election (§6.1), its values left as places:
    keys sorted, no spaces, every value 64 lowercase hex digits. In document order the values
    are, per answer, its choices (α, β each), its overall proof's branches, then each choice's
    proof's branches (A, B, c, r each); then the credential, the election, the signature's
    commitment and response. A line has this layout iff it has the template's length, agrees
    with it under `_MASK`, and has the template's bytes wherever the template has a hex digit
    outside a value (the letters of "alpha", "beta", "proofs"…): then every value is at its
    place and is 64 lowercase hex digits, and the line is canonical JSON."""

    def __init__(self, definition: Definition) -> None:
        parts: list[bytes] = []
        places: list[tuple[int, str]] = []  # (offset, "p" point, "s" scalar or "e" election)
        at = 0

        def put(text: bytes, *kinds: str) -> None:
            """`text`, whose values (`_VALUE`, in order) are of these kinds."""
            nonlocal at
            for kind, piece in zip(kinds, text.split(_VALUE)[:-1], strict=True):
                places.append((at + len(piece), kind))  # the piece ends with the value's opening quote
                at += len(piece) + 64
            at += len(text.split(_VALUE)[-1])
            parts.append(text)

        v = b'"' + _VALUE + b'"'
        branch = b"[" + b",".join([v] * 4) + b"]"
        questions = []
        put(b'{"answers":[')
        for qi, q in enumerate(definition.questions):
            question = _Question(len(q.option_list), q.value_max, *q.sum_range)
            questions.append(question)
            put(b"," if qi else b"")
            put(b'{"choices":[')
            for o in range(question.options):
                put((b"," if o else b"") + b'{"alpha":' + v + b',"beta":' + v + b"}", "c", "c")
            put(b'],"overall":[')
            for k in range(question.hi - question.lo + 1):
                put((b"," if k else b"") + branch, "p", "p", "s", "s")
            put(b'],"proofs":[')
            for o in range(question.options):
                put((b"," if o else b"") + b"[")
                for k in range(question.value_max + 1):
                    put((b"," if k else b"") + branch, "p", "p", "s", "s")
                put(b"]")
            put(b"]}")
        put(b'],"credential":' + v + b',"election":' + v, "p", "e")
        put(b',"signature":{"commitment":' + v + b',"response":' + v + b"}}", "p", "s")
        template = b"".join(parts)
        inside: set[int] = set()
        for offset, _ in places:
            inside.update(range(offset, offset + 64))
        letters = [i for i, byte in enumerate(template) if i not in inside and chr(byte) in "0123456789abcdef"]
        self.length = len(template)
        self.masked = template.translate(_MASK)
        self._letters = operator.itemgetter(*letters)
        self.letters = self._letters(template)
        self.point_hex = operator.itemgetter(*[slice(o, o + 64) for o, kind in places if kind in "cp"])
        self.choice_hex = operator.itemgetter(*[slice(o, o + 64) for o, kind in places if kind == "c"])
        self.scalar_hex = operator.itemgetter(*[slice(o, o + 64) for o, kind in places if kind == "s"])
        self.election = next(slice(o, o + 64) for o, kind in places if kind == "e")
        self.credential = slice(self.election.start - 78, self.election.start - 14)  # ',"election":"' between
        self.questions = tuple(questions)
        self.points = sum(1 for _, kind in places if kind in "cp")
        self.equations = 1 + 2 * sum(q.branches for q in questions)

    def fits(self, line: bytes) -> bool:
        return len(line) == self.length and line.translate(_MASK) == self.masked and self._letters(line) == self.letters

    @property
    def spare(self) -> int:
        """Slots after the decoded points, for each question's Σα and Σβ."""
        return 2 * len(self.questions)


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
        held = _LAYOUTS[id(definition)] = (definition, Layout(definition))
    return held[1]


class _Unread(VechaError):
    """The ballot is not read here (the ordinary path says why)."""


def read_ballot(batch: Batch, raw: bytes, ctx: ElectionContext, layout: Layout) -> bulk.PointBlock:
    """Add the equations of a ballot given as its canonical JSON to `batch`, its hashes
    checked here, as `batch_ballot` does; returns the block of its points (its choices
    first in each answer, for the tally). Raises a `VechaError` for any ballot it does not
    read, which the ordinary path must then check."""
    if not layout.fits(raw):
        raise _Unread("not of this election's ballot shape")
    if binascii.unhexlify(raw[layout.election]) != ctx.fingerprint:
        raise _Unread("another election")
    points = binascii.unhexlify(b"".join(layout.point_hex(raw)))
    scalar_bytes = binascii.unhexlify(b"".join(layout.scalar_hex(raw)))
    scalars = [int.from_bytes(scalar_bytes[k : k + 32], "little") for k in range(0, len(scalar_bytes), 32)]
    if max(scalars) >= ORDER:
        raise _Unread("a scalar is not canonical")
    credential = points[-64:-32]
    if not any(credential):
        raise _Unread("the identity as the credential")
    block = bulk.decode(points, layout.spare)
    if block is None:
        raise _Unread("a point is not valid")
    weights = Batch.weights(layout.equations)
    fp, key = ctx.fingerprint, ctx.public_key
    key_bytes, base, size = key.encoding, block.base, bulk.POINT_SIZE
    addresses: list[int] = []
    coefficients: list[int] = []
    on_key = on_base = 0
    w = s = slot = 0  # the next weight, scalar and block slot
    spare = layout.points

    def range_proof(
        lo: int, hi: int, ct: tuple[int, int], ct_bytes: bytes, context: bytes, challenge: RangeChallenger
    ) -> None:
        """As `batch_range`, for the proof whose commitments are at the block's next slots
        and whose scalars are next, over the ciphertext at the slots `ct`, encoded `ct_bytes`."""
        nonlocal on_key, on_base, w, s, slot
        branches = hi - lo + 1
        commitments = points[32 * slot : 32 * (slot + 2 * branches)]
        cs = scalars[s : s + 2 * branches : 2]
        c = challenge(context, ct_bytes[:32], ct_bytes[32:], commitments)
        if c.value != sum(cs) % ORDER:
            raise _Unread("a proof's hash does not verify")
        # the commitments A_k, B_k lie at consecutive slots and take consecutive weights z, z'
        addresses.extend(range(base + size * slot, base + size * (slot + 2 * branches), size))
        zs = weights[w : w + 2 * branches]
        coefficients.extend(zs)
        on_alpha = on_beta = 0
        for k in range(branches):
            ck, rk, z, z2 = cs[k], scalars[s + 2 * k + 1], zs[2 * k], zs[2 * k + 1]
            on_alpha += z * ck
            on_beta += z2 * ck
            on_key -= z2 * rk
            on_base -= z * rk + z2 * ck * (lo + k)
        addresses.append(base + size * ct[0])
        addresses.append(base + size * ct[1])
        coefficients.append(on_alpha)
        coefficients.append(on_beta)
        w += 2 * branches
        s += 2 * branches
        slot += 2 * branches

    for qi, q in enumerate(layout.questions):
        overall = range_challenger("ballot-overall", key_bytes, q.lo, q.hi)
        choice = range_challenger("ballot-choice", key_bytes, 0, q.value_max)
        choices = slot
        slot += 2 * q.options
        block.put_sum(spare, [base + size * (choices + 2 * o) for o in range(q.options)])
        block.put_sum(spare + 1, [base + size * (choices + 2 * o + 1) for o in range(q.options)])
        sum_bytes = block.encoding(spare) + block.encoding(spare + 1)
        range_proof(q.lo, q.hi, (spare, spare + 1), sum_bytes, overall_context(fp, credential, qi), overall)
        spare += 2
        for o in range(q.options):
            at = choices + 2 * o
            ct_bytes = points[32 * at : 32 * (at + 2)]
            range_proof(0, q.value_max, (at, at + 1), ct_bytes, choice_context(fp, credential, qi, o), choice)
    # the credential's signature on the body: z·(A + c·S − r·G) = 0
    c = knowledge_challenge(
        "ballot-signature", signature_context(body_of_canonical(raw)), credential, points[-32:]
    ).value
    z = weights[w]
    addresses += (base + size * (slot + 1), base + size * slot)
    coefficients += (z, z * c)
    on_base -= z * scalars[s]
    batch.terms_at(block, addresses, coefficients)
    batch.merged(key, on_key)
    batch.base(on_base)
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
            obj = json.loads(lines[i])
        except ValueError:  # not JSON, or not UTF-8 (a checked record's lines are both)
            raise InvalidEncoding("the ballot is not JSON") from None
        ballot = Ballot.from_json(obj)
        verify_ballot(ballot, ctx, lines[i])

    failed = check_each(range(len(lines)), alone, into)
    bad = {i for i, _ in failed}
    return failed, _sums(layout, [block for i, block in blocks.items() if i not in bad])


def sum_ballots(ballots: Sequence[bytes], definition: Definition) -> tuple[Aggregate, list[int]] | None:
    """The option-by-option sum of the ciphertexts of ballots given as canonical JSON whose
    proofs are already checked (the tally of a closed board, §7.2), and the positions of
    those it did not read (another shape, an invalid point), which the caller adds the
    ordinary way (`AggregateSum.add_ballot_json`, which says what is wrong). Only the
    choices are decoded, each ballot's in one call. None where ballots cannot be read this
    way here."""
    layout = layout_of(definition)
    if layout is None or not bulk.available():
        return None
    blocks, rest = [], []
    for i, ballot in enumerate(ballots):
        block = bulk.decode(binascii.unhexlify(b"".join(layout.choice_hex(ballot)))) if layout.fits(ballot) else None
        if block is None:
            rest.append(i)
        else:
            blocks.append(block)
    return _sums(layout, blocks, whole=False), rest


def _sums(layout: Layout, blocks: list[bulk.PointBlock], whole: bool = True) -> Aggregate:
    """Option by option, the sum of the ciphertexts in these ballots' blocks: blocks of all
    their points (`whole`, as `read_ballot` makes them), or of their choices alone."""
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
        slot += 2 * q.options + (2 * q.branches if whole else 0)
    return tuple(rows)
