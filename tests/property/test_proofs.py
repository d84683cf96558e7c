"""Honest proofs verify; any perturbation of the proof or the statement is rejected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecha.crypto import Point, Scalar, encrypt
from vecha.crypto.proofs import (
    EqualityProof,
    RangeProof,
    SchnorrProof,
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
        (SchnorrProof(proof.challenge + delta, proof.response), public, CONTEXT),
        (SchnorrProof(proof.challenge, proof.response + delta), public, CONTEXT),
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
        (EqualityProof(proof.challenge + delta, proof.response), base, pub, y),
        (EqualityProof(proof.challenge, proof.response + delta), base, pub, y),
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
    c_i, r_i = proof.branches[i]
    tweaked = list(proof.branches)
    tweaked[i] = (c_i, r_i + Scalar(1)) if data.draw(st.booleans()) else (c_i + Scalar(1), r_i)
    with pytest.raises(InvalidProof):
        verify_range(RangeProof(tuple(tweaked)), key, ct, lo, hi, CONTEXT)
    with pytest.raises(InvalidProof):
        verify_range(proof, key, encrypt(key, m, r + Scalar(1)), lo, hi, CONTEXT)
    with pytest.raises(InvalidProof):
        verify_range(proof, key, ct, lo, hi + 1, CONTEXT)


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
