"""The key ceremony names a cheating trustee; decryption needs t honest shares."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from vecha.crypto import ElectionError, InvalidProof, Point, Scalar, _sodium, encrypt
from vecha.crypto.proofs import SchnorrProof
from vecha.election.counting import combine_shares
from vecha.election.trustees import (
    SealedShare,
    TrusteeAnnouncement,
    TrusteeConfirmation,
    TrusteeSecret,
    check_ceremony,
    deal_shares,
    local_ceremony,
    new_trustee,
    partial_decrypt,
    receive_shares,
    verify_partial,
)

FP = os.urandom(32)


def ceremony() -> tuple[list[TrusteeSecret], list[TrusteeAnnouncement], list[TrusteeConfirmation]]:
    return local_ceremony(FP, 3, 2)


def test_honest_ceremony_and_any_two_of_three_decrypt() -> None:
    secrets, anns, confs = ceremony()
    key = check_ceremony(FP, 3, 2, anns, confs)
    agg = ((encrypt(key, 5, Scalar.random()), encrypt(key, 0, Scalar.random())),)
    shares = {s.index: partial_decrypt(FP, s, agg) for s in secrets}
    for j, sh in shares.items():
        verify_partial(FP, j, confs[j - 1].verification_key, agg, sh)
    for pair in [(1, 2), (1, 3), (2, 3), (1, 2, 3)]:
        assert combine_shares(agg, {j: shares[j] for j in pair}, 10) == [[5, 0]]


def test_bad_share_names_its_dealer() -> None:
    pairs = [new_trustee(FP, i, 2) for i in (1, 2, 3)]
    anns = [a for _, a in pairs]
    sealed = [s for secret, _ in pairs for s in deal_shares(secret, anns)]
    # Trustee 2 sends trustee 1 a value that is not on its polynomial.
    forged = SealedShare(2, 1, _sodium.box_seal(bytes(Scalar.random()), anns[0].transport_key))
    sealed = [forged if (s.sender, s.recipient) == (2, 1) else s for s in sealed]
    with pytest.raises(ElectionError, match="trustee 2 sent an invalid share"):
        receive_shares(FP, pairs[0][0], anns, sealed)
    with pytest.raises(ElectionError, match="trustee 2 sent an invalid share.*; trustee 3 sent no share"):
        receive_shares(FP, pairs[0][0], anns, [s for s in sealed if s.sender != 3])
    garbled = SealedShare(3, 1, bytes(80))
    with pytest.raises(ElectionError, match="trustee 3 sent a share that does not open"):
        receive_shares(FP, pairs[0][0], anns, [garbled if (s.sender, s.recipient) == (3, 1) else s for s in sealed])


def test_forged_key_proof_or_verification_key_is_named() -> None:
    _, anns, confs = ceremony()
    bad = replace(anns[2], proof=SchnorrProof(anns[2].proof.challenge, anns[2].proof.response + Scalar(1)))
    with pytest.raises(InvalidProof, match="trustee 3"):
        check_ceremony(FP, 3, 2, [anns[0], anns[1], bad], confs)
    wrong = replace(confs[1], verification_key=Point.base_mul(Scalar.random()))
    with pytest.raises(ElectionError, match="trustee 2"):
        check_ceremony(FP, 3, 2, anns, [confs[0], wrong, confs[2]])
    with pytest.raises(ElectionError, match="expected announcements"):
        check_ceremony(FP, 3, 2, anns[:2], confs)


def test_forged_decryption_share_is_rejected() -> None:
    secrets, anns, confs = ceremony()
    key = check_ceremony(FP, 3, 2, anns, confs)
    agg = ((encrypt(key, 1, Scalar.random()),),)
    shares = partial_decrypt(FP, secrets[0], agg)
    forged = [[replace(shares[0][0], share=shares[0][0].share + Point.base_mul(Scalar(1)))]]
    with pytest.raises(InvalidProof, match="trustee 1"):
        verify_partial(FP, 1, confs[0].verification_key, agg, forged)
    with pytest.raises(InvalidProof):  # another trustee's key does not fit these shares
        verify_partial(FP, 2, confs[1].verification_key, agg, shares)
