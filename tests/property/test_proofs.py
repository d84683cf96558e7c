"""Honest proofs verify; any perturbation of the proof or the statement is rejected."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import GENERATOR, Point, Scalar, encrypt
from vecha.crypto.batch import Batch
from vecha.crypto.proofs import (
    Branch,
    EqualityProof,
    RangeProof,
    SchnorrProof,
    batch_equality,
    batch_knowledge,
    batch_range,
    prove_equality,
    prove_knowledge,
    prove_range,
    verify_equality,
    verify_knowledge,
    verify_range,
)
from vecha.errors import InvalidProof
from vecha.testing.strategies import nonzero_scalars

CONTEXT = b"election-fingerprint"


@given(nonzero_scalars(), nonzero_scalars())
def test_schnorr(x: Scalar, delta: Scalar) -> None:
    public = Point.base_mul(x)
    proof = prove_knowledge(x, public, CONTEXT)
    verify_knowledge(proof, public, CONTEXT)
    for bad, pub, ctx in [
        (SchnorrProof(proof.commitment + Point.base_mul(delta), proof.response), public, CONTEXT),
        (SchnorrProof(proof.commitment, proof.response + delta), public, CONTEXT),
        (proof, public + Point.base_mul(delta), CONTEXT),
        (proof, public, CONTEXT + b"!"),
    ]:
        with pytest.raises(InvalidProof):
            verify_knowledge(bad, pub, ctx)
    with pytest.raises(InvalidProof):  # the purpose tag is part of the statement
        verify_knowledge(proof, public, CONTEXT, purpose="other")


@given(nonzero_scalars(), nonzero_scalars(), nonzero_scalars())
def test_chaum_pedersen(x: Scalar, h: Scalar, delta: Scalar) -> None:
    base = Point.base_mul(h)
    pub, y = Point.base_mul(x), base * x
    proof = prove_equality(x, base, pub, y, CONTEXT)
    verify_equality(proof, base, pub, y, CONTEXT)
    shift = Point.base_mul(delta)
    for bad, b, p, yy in [
        (EqualityProof(proof.a + Point.base_mul(delta), proof.b, proof.response), base, pub, y),
        (EqualityProof(proof.a, proof.b + Point.base_mul(delta), proof.response), base, pub, y),
        (EqualityProof(proof.a, proof.b, proof.response + delta), base, pub, y),
        (proof, base + shift, pub, y),
        (proof, base, pub + shift, y),
        (proof, base, pub, y + shift),
    ]:
        with pytest.raises(InvalidProof):
            verify_equality(bad, b, p, yy, CONTEXT)


@given(nonzero_scalars(), nonzero_scalars(), st.data())
def test_range_proofs(x: Scalar, r: Scalar, data: st.DataObject) -> None:
    key = Point.base_mul(x)
    lo = data.draw(st.integers(0, 2))
    hi = data.draw(st.integers(lo, lo + 3))
    m = data.draw(st.integers(lo, hi))
    ct = encrypt(key, m, r)
    proof = prove_range(key, ct, m, r, lo, hi, CONTEXT)
    verify_range(proof, key, ct, lo, hi, CONTEXT)
    i = data.draw(st.integers(0, len(proof.branches) - 1))
    tweaked = list(proof.branches)
    tweaked[i] = _tweaked(tweaked[i], data.draw(st.sampled_from(["a", "b", "challenge", "response"])))
    with pytest.raises(InvalidProof):
        verify_range(RangeProof(tuple(tweaked)), key, ct, lo, hi, CONTEXT)
    batch = Batch()  # the hash holds for a changed response: only the equations catch it
    try:
        batch_range(batch, RangeProof(tuple(tweaked)), key, ct, lo, hi, CONTEXT)
    except InvalidProof:
        pass
    else:
        assert not batch.holds()
    with pytest.raises(InvalidProof):
        verify_range(proof, key, encrypt(key, m, r + Scalar(1)), lo, hi, CONTEXT)
    with pytest.raises(InvalidProof):
        verify_range(proof, key, ct, lo, hi + 1, CONTEXT)


def _tweaked(branch: Branch, part: str) -> Branch:
    if part in ("a", "b"):
        return replace(branch, **{part: getattr(branch, part) + GENERATOR})
    return replace(branch, **{part: getattr(branch, part) + Scalar(1)})


@settings(max_examples=25, deadline=None)
@given(nonzero_scalars(), st.data())
def test_a_batch_accepts_exactly_what_the_proofs_one_by_one_accept(x: Scalar, data: st.DataObject) -> None:
    """Schnorr and range proofs, some tampered in any part, in one batch: it holds iff every
    proof in it verifies alone; and bisection over single-proof batches finds the same
    failing proofs."""
    key = Point.base_mul(x)
    items = []
    for _ in range(data.draw(st.integers(1, 6))):
        m = data.draw(st.integers(0, 2))
        r = Scalar.random()
        ct = encrypt(key, m, r)
        proof = prove_range(key, ct, m, r, 0, 2, CONTEXT)
        if data.draw(st.booleans()):
            s = Scalar.random()
            items.append(("schnorr", prove_knowledge(s, Point.base_mul(s), CONTEXT), Point.base_mul(s)))
        if data.draw(st.integers(0, 3)) == 0:  # tamper with one proof in four
            i = data.draw(st.integers(0, 2))
            tweaked = list(proof.branches)
            tweaked[i] = _tweaked(tweaked[i], data.draw(st.sampled_from(["a", "b", "challenge", "response"])))
            proof = RangeProof(tuple(tweaked))
        items.append(("range", proof, ct))

    def alone(item: tuple) -> bool:
        kind, proof, what = item
        try:
            if kind == "schnorr":
                verify_knowledge(proof, what, CONTEXT)
            else:
                verify_range(proof, key, what, 0, 2, CONTEXT)
        except InvalidProof:
            return False
        return True

    def batched(item: tuple, batch: Batch) -> bool:
        kind, proof, what = item
        try:
            if kind == "schnorr":
                batch_knowledge(batch, proof, what, CONTEXT)
            else:
                batch_range(batch, proof, key, what, 0, 2, CONTEXT)
        except InvalidProof:  # its hash fails: refused before the batch
            return False
        return True

    batches = [Batch() for _ in items]
    hashed = [batched(item, batch) for item, batch in zip(items, batches, strict=True)]
    together = all(hashed) and Batch.all_hold(batches)
    assert together == all(alone(item) for item in items)
    for item, ok, batch in zip(items, hashed, batches, strict=True):
        assert (ok and batch.holds()) == alone(item)


def test_a_batch_of_nothing_holds_and_a_false_equation_fails_whatever_its_weight() -> None:
    assert Batch().holds()
    for _ in range(20):
        batch = Batch()
        batch.term(GENERATOR, batch.weight())  # z·G ≠ 0 for every weight 0 < z < 2^128 < ℓ
        assert not batch.holds()


def test_range_proof_cannot_be_made_for_a_value_outside_the_range() -> None:
    x, r = Scalar.random_nonzero(), Scalar.random()
    key = Point.base_mul(x)
    ct = encrypt(key, 2, r)
    with pytest.raises(ValueError):
        prove_range(key, ct, 2, r, 0, 1, CONTEXT)
    # A cheating prover who claims 1 for an encryption of 2 produces a proof that fails.
    forged = prove_range(key, encrypt(key, 1, r), 1, r, 0, 1, CONTEXT)
    with pytest.raises(InvalidProof):
        verify_range(forged, key, ct, 0, 1, CONTEXT)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=3), min_size=1, max_size=6).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    nonzero_scalars(),
    st.data(),
)
def test_shuffle(messages: list[list[int]], secret: Scalar, data: st.DataObject) -> None:
    """Any shape: an honest mix verifies and decrypts to the same ballots, permuted; a mix
    in which one output ciphertext is shifted by a multiple of G (a changed vote) fails."""
    from vecha.crypto.elgamal import Ciphertext, decrypt_to_point
    from vecha.crypto.shuffle import prove_shuffle, shuffle, verify_shuffle

    key = Point.base_mul(secret)
    inputs = [tuple(encrypt(key, m, Scalar.random()) for m in row) for row in messages]
    outputs, psi, r = shuffle(key, inputs)
    proof = prove_shuffle(CONTEXT, key, b"mix", inputs, outputs, psi, r)
    verify_shuffle(CONTEXT, key, b"mix", inputs, outputs, proof)
    assert [[decrypt_to_point(secret, ct) for ct in row] for row in outputs] == [
        [decrypt_to_point(secret, ct) for ct in inputs[j]] for j in psi
    ]
    i = data.draw(st.integers(0, len(outputs) - 1))
    k = data.draw(st.integers(0, len(outputs[0]) - 1))
    shift = data.draw(nonzero_scalars())
    row = list(outputs[i])
    row[k] = Ciphertext(row[k].alpha, row[k].beta + Point.base_mul(shift))
    changed = [*outputs[:i], tuple(row), *outputs[i + 1 :]]
    with pytest.raises(InvalidProof):
        verify_shuffle(CONTEXT, key, b"mix", inputs, changed, proof)


class _Unweighted(Batch):
    """A batch that adds its equations as they are: what a batch without weights would do."""

    @staticmethod
    def weight() -> int:
        return 1


def test_errors_that_cancel_out_do_not_pass_a_batch() -> None:
    """The attack on a batch: two proofs whose hashes hold and whose equations are off by
    opposite amounts (a response moved up by δ in one, down by δ in the other). Added with
    equal weights the errors cancel and the forged pair would pass; with the batch's random
    weights it does not."""
    key = Point.base_mul(Scalar.random_nonzero())
    delta = Scalar.random_nonzero()
    forged = []
    for shift in (delta, -delta):
        r = Scalar.random()
        ct = encrypt(key, 1, r)
        proof = prove_range(key, ct, 1, r, 0, 1, CONTEXT)
        first = proof.branches[0]
        forged.append((RangeProof((replace(first, response=first.response + shift), proof.branches[1])), ct))

    naive = _Unweighted()
    for proof, ct in forged:
        batch_range(naive, proof, key, ct, 0, 1, CONTEXT)
    assert naive.holds()  # the attack works against equal weights
    for _ in range(10):
        batch = Batch()
        for proof, ct in forged:
            batch_range(batch, proof, key, ct, 0, 1, CONTEXT)
        assert not batch.holds()


@settings(max_examples=25, deadline=None)
@given(nonzero_scalars(), nonzero_scalars(), st.sampled_from(["none", "a", "b", "response", "statement"]))
def test_a_chaum_pedersen_batch_agrees_with_the_proof_alone(x: Scalar, h: Scalar, part: str) -> None:
    base = Point.base_mul(h)
    pub, y = Point.base_mul(x), base * x
    proof = prove_equality(x, base, pub, y, CONTEXT)
    if part in ("a", "b"):
        proof = replace(proof, **{part: getattr(proof, part) + GENERATOR})
    elif part == "response":
        proof = replace(proof, response=proof.response + Scalar(1))
    elif part == "statement":
        y = y + GENERATOR
    try:
        verify_equality(proof, base, pub, y, CONTEXT)
        alone = True
    except InvalidProof:
        alone = False
    batch = Batch()
    batch_equality(batch, proof, base, pub, y, CONTEXT)
    other = Batch()  # beside an honest proof of another statement
    z = Scalar.random_nonzero()
    batch_equality(
        other, prove_equality(z, base, Point.base_mul(z), base * z, CONTEXT), base, Point.base_mul(z), base * z, CONTEXT
    )
    assert batch.holds() == alone == (part == "none")
    assert Batch.all_hold([batch, other]) == alone
