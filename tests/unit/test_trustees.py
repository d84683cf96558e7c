"""The key ceremony names a cheating trustee; decryption needs t honest shares."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from vecha.crypto import Point, Scalar, _sodium, encrypt
from vecha.crypto.proofs import SchnorrProof
from vecha.election.counting import combine_shares
from vecha.election.identity import TrusteeIdentity
from vecha.election.trustees import (
    SealedShare,
    TrusteeAnnouncement,
    TrusteeConfirmation,
    TrusteeSecret,
    announcements_digest,
    check_ceremony,
    deal_shares,
    local_ceremony,
    new_trustee,
    partial_decrypt,
    partial_decrypt_canonical,
    receive_shares,
    verify_partial,
)
from vecha.errors import ElectionError, InvalidProof
from vecha.testing.records import fixed_identities

FP = os.urandom(32)
IDS = fixed_identities(3)
KEYS = [i.public for i in IDS]


def ceremony() -> tuple[list[TrusteeSecret], list[TrusteeAnnouncement], list[TrusteeConfirmation]]:
    return local_ceremony(FP, 2, IDS)


def dealt() -> tuple[list[TrusteeSecret], list[TrusteeAnnouncement], list[SealedShare]]:
    pairs = [new_trustee(FP, i, 2, IDS[i - 1]) for i in (1, 2, 3)]
    anns = [a for _, a in pairs]
    return [s for s, _ in pairs], anns, [s for secret, _ in pairs for s in deal_shares(FP, secret, anns)]


def signed_share(sender: int, recipient: int, digest: bytes, sealed: bytes) -> SealedShare:
    unsigned = SealedShare(sender, recipient, digest, sealed, bytes(64))
    return replace(unsigned, signature=IDS[sender - 1].sign("trustee-share", FP, unsigned.body_json()))


def test_honest_ceremony_and_any_two_of_three_decrypt() -> None:
    secrets, anns, confs = ceremony()
    key = check_ceremony(FP, 2, KEYS, anns, confs)
    agg = ((encrypt(key, 5, Scalar.random()), encrypt(key, 0, Scalar.random())),)
    shares = {s.index: partial_decrypt(FP, s, agg) for s in secrets}
    for j, sh in shares.items():
        verify_partial(FP, j, confs[j - 1].verification_key, agg, sh)
    for pair in [(1, 2), (1, 3), (2, 3), (1, 2, 3)]:
        assert combine_shares(agg, {j: shares[j] for j in pair}, 10) == [[5, 0]]


def test_bad_share_names_its_dealer() -> None:
    secrets, anns, sealed = dealt()
    digest = announcements_digest(anns)
    # Trustee 2 sends trustee 1 (signed, so it is trustee 2's doing) a value not on its polynomial.
    forged = signed_share(2, 1, digest, _sodium.box_seal(bytes(Scalar.random()), anns[0].transport_key))
    sealed = [forged if (s.sender, s.recipient) == (2, 1) else s for s in sealed]
    with pytest.raises(ElectionError, match="trustee 2 sent an invalid share"):
        receive_shares(FP, secrets[0], anns, sealed, KEYS)
    with pytest.raises(ElectionError, match="trustee 2 sent an invalid share.*; trustee 3 sent no share"):
        receive_shares(FP, secrets[0], anns, [s for s in sealed if s.sender != 3], KEYS)
    garbled = signed_share(3, 1, digest, bytes(80))
    with pytest.raises(ElectionError, match="trustee 3 sent a share that does not open"):
        receive_shares(
            FP, secrets[0], anns, [garbled if (s.sender, s.recipient) == (3, 1) else s for s in sealed], KEYS
        )


def test_a_relay_that_swaps_transport_keys_is_caught() -> None:
    """Finding 1: whoever carries the messages puts its own transport key in every
    announcement (to open the shares and seal them again): the announcements' signatures
    and the transport key inside the proof expose it; re-made announcements fail too."""
    secrets, anns, _ = dealt()
    relay_public, _relay_secret = _sodium.box_seed_keypair(os.urandom(32))
    swapped = [replace(a, transport_key=relay_public) for a in anns]
    for a in swapped:
        with pytest.raises(InvalidProof, match=f"trustee {a.index}: the proof"):
            a.verify(FP, 2, KEYS)
    # A relay that makes the whole announcement anew (its own polynomial and proof) cannot sign it.
    _, fake = new_trustee(FP, 2, 2, TrusteeIdentity.new())
    with pytest.raises(InvalidProof, match="not signed by trustee 2's identity key"):
        fake.verify(FP, 2, KEYS)
    with pytest.raises(InvalidProof, match="trustee 2"):
        check_ceremony(FP, 2, KEYS, [anns[0], fake, anns[2]], ceremony()[2])


def test_a_relay_that_shows_trustees_different_announcements_is_caught() -> None:
    """A relay shows trustee 1 a different (validly signed, but older or other) announcement
    of trustee 3: trustee 1 sees that the dealers dealt to other announcements, and the
    organizer's check sees confirmations under two digests."""
    secrets, anns, sealed = dealt()
    _, other3 = new_trustee(FP, 3, 2, IDS[2])  # trustee 3 really signed this one too (say, a retry)
    view1 = [anns[0], anns[1], other3]
    with pytest.raises(ElectionError, match="trustee 2 dealt its shares to other announcements"):
        receive_shares(FP, secrets[0], view1, sealed, KEYS)
    # Unsigned or re-signed shares are refused before they are opened.
    resealed = [replace(s, sealed=_sodium.box_seal(bytes(32), anns[0].transport_key)) for s in sealed]
    with pytest.raises(InvalidProof, match="not signed by trustee 1's identity key"):
        receive_shares(FP, secrets[0], anns, resealed, KEYS)
    _, _, confs = ceremony()
    with pytest.raises(ElectionError):
        check_ceremony(FP, 2, KEYS, anns, confs)  # these confirmations name another ceremony's digest


def test_confirmation_signature_and_digest_are_checked() -> None:
    _, anns, confs = ceremony()
    forged = replace(confs[1], announcements=bytes(32))
    with pytest.raises(InvalidProof, match="trustee 2"):
        check_ceremony(FP, 2, KEYS, anns, [confs[0], forged, confs[2]])
    with pytest.raises(InvalidProof, match="identity key"):
        forged_sig = replace(confs[0], signature=bytes(64))
        check_ceremony(FP, 2, KEYS, anns, [forged_sig, confs[1], confs[2]])


def test_forged_key_proof_or_verification_key_is_named() -> None:
    _, anns, confs = ceremony()
    bad = replace(anns[2], proof=SchnorrProof(anns[2].proof.commitment, anns[2].proof.response + Scalar(1)))
    with pytest.raises(InvalidProof, match="trustee 3"):
        check_ceremony(FP, 2, KEYS, [anns[0], anns[1], bad], confs)
    wrong = replace(confs[1], verification_key=Point.base_mul(Scalar.random()))
    with pytest.raises((ElectionError, InvalidProof), match="trustee 2"):
        check_ceremony(FP, 2, KEYS, anns, [confs[0], wrong, confs[2]])
    with pytest.raises(ElectionError, match="expected announcements"):
        check_ceremony(FP, 2, KEYS, anns[:2], confs)


def test_forged_decryption_share_is_rejected() -> None:
    secrets, anns, confs = ceremony()
    key = check_ceremony(FP, 2, KEYS, anns, confs)
    agg = ((encrypt(key, 1, Scalar.random()),),)
    shares = partial_decrypt(FP, secrets[0], agg)
    forged = [[replace(shares[0][0], share=shares[0][0].share + Point.base_mul(Scalar(1)))]]
    with pytest.raises(InvalidProof, match="trustee 1"):
        verify_partial(FP, 1, confs[0].verification_key, agg, forged)
    with pytest.raises(InvalidProof):  # another trustee's key does not fit these shares
        verify_partial(FP, 2, confs[1].verification_key, agg, shares)


def test_shares_written_as_canonical_json_are_the_shares() -> None:
    """`partial_decrypt_canonical` writes what `partial_decrypt` gives, as canonical JSON:
    the same share points, proofs that verify for the same rows and purpose, canonical bytes."""
    import json

    from vecha.crypto.canonical import canonical_bytes
    from vecha.election.trustees import DecryptionShare

    secrets, anns, confs = ceremony()
    key = check_ceremony(FP, 2, KEYS, anns, confs)
    rows = [tuple(encrypt(key, m, Scalar.random()) for m in (0, 1, 2)) for _ in range(3)]
    text = partial_decrypt_canonical(FP, secrets[0], rows, "mix-decryption")
    parsed = json.loads(text)
    assert canonical_bytes(parsed) == text
    shares = [[DecryptionShare.from_json(x, "share") for x in row] for row in parsed]
    objects = partial_decrypt(FP, secrets[0], rows, purpose="mix-decryption")
    assert [[x.share for x in row] for row in shares] == [[x.share for x in row] for row in objects]
    verify_partial(FP, 1, confs[0].verification_key, rows, shares, purpose="mix-decryption")
    with pytest.raises(InvalidProof):  # bound to its purpose, as the shares of objects are
        verify_partial(FP, 1, confs[0].verification_key, rows, shares)
