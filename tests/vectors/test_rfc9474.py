"""RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized): the RFC's own test
vector step by step, finished signatures checked by `cryptography`'s standard RSA-PSS
verifier, and every refusal a dishonest registrar or applicant could need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vecha.crypto import blind_rsa as b
from vecha.errors import InvalidEncoding, InvalidSignature

V = json.loads((Path(__file__).parent / "rfc9474.json").read_text())


def _int(name: str) -> int:
    return int(V[name], 16)


@pytest.fixture(scope="module")
def key() -> b.BlindSecretKey:
    return b.generate_key(2048)


def test_the_rfcs_vector_step_by_step() -> None:
    secret = b.BlindSecretKey(_int("p"), _int("q"), _int("e"))
    public = secret.public
    assert public.n == _int("n")
    prepared = b.prepare(bytes.fromhex(V["msg"]), bytes.fromhex(V["msg_prefix"]))
    factor = pow(_int("inv"), -1, public.n)  # the vector gives r's inverse
    blinded = b.blind(public, prepared, salt=bytes.fromhex(V["salt"]), factor=factor)
    assert blinded.message.hex() == V["blinded_msg"] and blinded.inverse == _int("inv")
    blind_signature = b.blind_sign(secret, blinded.message)
    assert blind_signature.hex() == V["blind_sig"]
    signature = b.finalize(public, prepared, blind_signature, blinded)
    assert signature.hex() == V["sig"]
    b.verify(public, prepared, signature)


def _standard_verify(key: b.BlindPublicKey, message: bytes, signature: bytes) -> None:
    rsa.RSAPublicNumbers(key.e, key.n).public_key().verify(
        signature, message, padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=48), hashes.SHA384()
    )


def test_a_round_trip_is_a_standard_rsa_pss_signature(key: b.BlindSecretKey) -> None:
    prepared = b.prepare(b"public credential")
    blinded = b.blind(key.public, prepared)
    signature = b.finalize(key.public, prepared, b.blind_sign(key, blinded.message), blinded)
    _standard_verify(key.public, prepared, signature)  # any RSA-PSS verifier accepts it
    with pytest.raises(InvalidSignature):
        b.verify(key.public, b.prepare(b"another credential"), signature)


def test_the_registrar_sees_a_different_blinded_message_each_time(key: b.BlindSecretKey) -> None:
    """Blinding the same prepared message twice gives unrelated blinded messages: what the
    registrar signs says nothing about the signature the device ends up with."""
    prepared = b.prepare(b"credential")
    first, second = b.blind(key.public, prepared), b.blind(key.public, prepared)
    assert first.message != second.message
    s1 = b.finalize(key.public, prepared, b.blind_sign(key, first.message), first)
    s2 = b.finalize(key.public, prepared, b.blind_sign(key, second.message), second)
    assert s1 != s2  # fresh salts: two valid signatures, neither equal to what was signed
    assert first.message not in (s1, s2) and second.message not in (s1, s2)


def test_a_registrar_that_answers_with_anything_else_is_caught(key: b.BlindSecretKey) -> None:
    prepared = b.prepare(b"credential")
    blinded = b.blind(key.public, prepared)
    other = b.blind(key.public, b.prepare(b"someone else"))
    wrong = b.blind_sign(key, other.message)  # a valid blind signature, of another message
    with pytest.raises(InvalidSignature):
        b.finalize(key.public, prepared, wrong, blinded)
    # another registrar's signature, on this very prepared message: refused too (as not
    # verifying, or as not even below this key's modulus)
    another_key = b.generate_key(2048)
    theirs = b.blind(another_key.public, prepared)
    foreign = b.finalize(another_key.public, prepared, b.blind_sign(another_key, theirs.message), theirs)
    with pytest.raises((InvalidSignature, InvalidEncoding)):
        b.finalize(key.public, prepared, foreign, blinded)
    with pytest.raises(InvalidSignature):
        b.verify(key.public, prepared, foreign)


def test_malformed_requests_are_refused(key: b.BlindSecretKey) -> None:
    size = key.public.modulus_length
    with pytest.raises(InvalidEncoding, match=f"{size} bytes"):
        b.blind_sign(key, b"\x01" * (size - 1))
    with pytest.raises(InvalidEncoding, match="below the modulus"):
        b.blind_sign(key, b"\xff" * size)
    with pytest.raises(InvalidEncoding, match="32 bytes"):
        b.prepare(b"m", prefix=b"short")
    with pytest.raises(InvalidEncoding):
        b.finalize(key.public, b"m", b"\x00" * 3, b.blind(key.public, b.prepare(b"m")))
    with pytest.raises(InvalidSignature):
        b.verify(key.public, b"m", b"\x00" * 3)


def test_keys_travel_as_json_and_bad_keys_are_refused(key: b.BlindSecretKey) -> None:
    public = key.public
    assert b.BlindPublicKey.from_json(public.to_json()) == public
    assert str(key.p) not in repr(key) and str(key.q) not in repr(key)
    for bad in (
        {"n": public.to_json()["n"]},
        {"n": "00" + public.to_json()["n"], "e": "10001"},
        {"n": public.to_json()["n"].upper(), "e": "10001"},
        {"n": public.to_json()["n"], "e": "010001"},
        {"n": "zz", "e": "3"},
        {"n": format(2**1023 + 1, "x"), "e": "10001"},  # too short
        {"n": public.to_json()["n"], "e": "10000"},  # even exponent
    ):
        with pytest.raises(InvalidEncoding):
            b.BlindPublicKey.from_json(bad)
