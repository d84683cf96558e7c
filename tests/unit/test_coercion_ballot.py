"""Ballots of a coercion-resistant election (spec §6.10), and the attacks on them that the
proofs of randomness exist to stop: reusing another ballot's encrypted credential (as it
is, re-randomized, or combined homomorphically with public ciphertexts into a predecessor
that would replace someone else's ballot), moving its answers, changing any part, or
replaying it into another election."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.elgamal import Ciphertext
from vecha.crypto.group import IDENTITY, Point, Scalar
from vecha.crypto.proofs import prove_knowledge
from vecha.election.ballot import check_selections, encrypt_answers, signature_context
from vecha.election.coercion import credential_point, link_point
from vecha.election.coercion_ballot import CoercionBallot, make_coercion_ballot, verify_coercion_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import new_code
from vecha.election.definition import parse_definition
from vecha.errors import InvalidBallot, InvalidEncoding, InvalidProof, InvalidSignature
from vecha.testing.records import SMALL_DEFINITION

SECRET = Scalar.random_nonzero()
CTX = ElectionContext(os.urandom(32), parse_definition(SMALL_DEFINITION), Point.base_mul(SECRET))
CHOICE = ((0, 1, 0, 0, 0), (1, 0))


def plaintext(ct: Ciphertext) -> Point:
    return ct.beta - ct.alpha * SECRET


def resigned(ballot: CoercionBallot, r_credential: Scalar, r_predecessor: Scalar) -> CoercionBallot:
    """The ballot signed with the given randomness, as an attacker who knows it would."""
    signed = signature_context(canonical_bytes(ballot.body_json()))
    return replace(
        ballot,
        signature=(
            prove_knowledge(r_credential, ballot.credential.alpha, signed, purpose="ballot-credential"),
            prove_knowledge(r_predecessor, ballot.predecessor.alpha, signed, purpose="ballot-predecessor"),
        ),
    )


def test_a_ballot_encrypts_its_code_and_predecessor_verifies_and_round_trips() -> None:
    code, earlier = new_code(), os.urandom(32)
    made = make_coercion_ballot(CTX, code, CHOICE, replaces=earlier)
    ballot = made.ballot
    verify_coercion_ballot(ballot, CTX)
    assert plaintext(ballot.credential) == credential_point(CTX.fingerprint, code)
    assert plaintext(ballot.predecessor) == link_point(CTX.fingerprint, earlier)
    again = CoercionBallot.from_json(json.loads(json.dumps(ballot.to_json())))
    assert again == ballot and again.tracker() == ballot.tracker()
    # a fake code makes a ballot just like it: nothing in it says which code is registered
    fake = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    verify_coercion_ballot(fake, CTX)
    assert set(fake.to_json()) == set(ballot.to_json())


def test_another_ballots_encrypted_credential_cannot_be_reused() -> None:
    victim = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    mine = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    r = Scalar.random_nonzero()
    copied = Ciphertext(victim.credential.alpha + Point.base_mul(r), victim.credential.beta + CTX.public_key * r)
    for credential in (victim.credential, copied):
        forged = replace(mine, credential=credential)
        # the attacker knows only r (the re-randomization), not the victim's randomness
        with pytest.raises((InvalidSignature, InvalidProof)):
            verify_coercion_ballot(resigned(forged, r, Scalar.random_nonzero()), CTX)
    # nor can the victim's answers be moved onto a ballot of the attacker's own code
    with pytest.raises(InvalidProof, match="does not verify|fails"):
        verify_coercion_ballot(replace(mine, answers=victim.answers), CTX)


def test_a_predecessor_built_from_public_ciphertexts_cannot_replace_someone_elses_ballot() -> None:
    """To replace the victim's ballot b, the attacker's predecessor would have to encrypt
    S_victim + L_b − S_attacker: computable homomorphically from the board, but then the
    attacker does not know its randomness and the ballot is refused."""
    victim = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    r_c = Scalar.random_nonzero()  # the attacker's own credential, whose randomness it knows
    mine = Ciphertext(Point.base_mul(r_c), credential_point(CTX.fingerprint, new_code()) + CTX.public_key * r_c)
    own_link = Ciphertext(IDENTITY, link_point(CTX.fingerprint, bytes.fromhex(victim.tracker())))
    built = victim.credential + own_link - mine
    assert plaintext(mine) + plaintext(built) == plaintext(victim.credential) + plaintext(own_link)
    answers, _ = encrypt_answers(
        CTX, mine.alpha.encoding + mine.beta.encoding, check_selections(CTX.definition, CHOICE)
    )
    forged = CoercionBallot(CTX.fingerprint, mine, built, answers, victim.signature)
    with pytest.raises(InvalidSignature, match="predecessor"):
        verify_coercion_ballot(resigned(forged, r_c, Scalar.random_nonzero()), CTX)
    # the same ballot with a predecessor it made itself (and so knows the randomness of) verifies
    r_p = Scalar.random_nonzero()
    honest = replace(forged, predecessor=Ciphertext(Point.base_mul(r_p), own_link.beta + CTX.public_key * r_p))
    verify_coercion_ballot(resigned(honest, r_c, r_p), CTX)


def test_any_change_or_another_election_is_refused() -> None:
    ballot = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    other = make_coercion_ballot(CTX, new_code(), CHOICE).ballot
    for changed in (replace(ballot, predecessor=other.predecessor), replace(ballot, credential=other.credential)):
        with pytest.raises((InvalidSignature, InvalidProof)):
            verify_coercion_ballot(changed, CTX)
    with pytest.raises(InvalidBallot, match="another election"):
        verify_coercion_ballot(ballot, replace(CTX, fingerprint=os.urandom(32)))
    good = ballot.to_json()
    for broken in (
        {k: v for k, v in good.items() if k != "predecessor"},
        {**good, "credential": {"alpha": IDENTITY.hex(), "beta": good["credential"]["beta"]}},
        {**good, "signature": {"credential": good["signature"]["credential"]}},
        {**good, "extra": 1},
    ):
        with pytest.raises(InvalidEncoding):
            CoercionBallot.from_json(broken)


def test_chaff_is_a_valid_ballot_of_a_fresh_code_for_every_kind_of_question() -> None:
    from vecha.election.coercion_ballot import make_chaff
    from vecha.testing.records import WHOLE_BALLOT_DEFINITION

    for definition in (WHOLE_BALLOT_DEFINITION, SMALL_DEFINITION):
        ctx = ElectionContext(CTX.fingerprint, parse_definition({**definition, "mix": True}), CTX.public_key)
        first, second = make_chaff(ctx), make_chaff(ctx)
        verify_coercion_ballot(first, ctx)
        assert first.credential != second.credential and first.tracker() != second.tracker()
