"""RSA blind signatures, RFC 9474, variant RSABSSA-SHA384-PSS-Randomized (spec §6.7).

The applicant's device prepares its message (a random 32-byte prefix, then the message),
blinds it and sends only the blinded message; the registrar signs that blindly; the device
unblinds the result into an ordinary RSASSA-PSS signature (SHA-384, MGF1-SHA-384, 48-byte
salt) over the prepared message, which anyone checks with a standard verifier. The
registrar never sees the message nor the signature it ends up making, so it cannot link
the two.

Written from the RFC over Python integers (no package implements it); the private
operation uses gmpy2's constant-time exponentiation with the Chinese remainder theorem,
and its result is checked before it is released (RFC 9474 §4.3: a faulty CRT result would
leak the key). `verify` is `cryptography`'s RSA-PSS verifier, so a signature this module
finalizes is one that any RSA-PSS implementation accepts. Pure: no I/O, randomness from
`secrets` (tests pass fixed `salt` and `blind` values to reproduce the RFC's vectors).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import gmpy2  # type: ignore[import-untyped]  # gmpy2 ships no type information
from cryptography.exceptions import InvalidSignature as _CryptographyInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vecha.errors import InvalidEncoding, InvalidSignature

__all__ = [
    "BlindPublicKey",
    "BlindSecretKey",
    "Blinded",
    "generate_key",
    "prepare",
    "blind",
    "blind_sign",
    "finalize",
    "verify",
    "MIN_BITS",
    "PREFIX_LENGTH",
]

HASH_LENGTH = 48  #: SHA-384
SALT_LENGTH = 48  #: the PSS variant (not PSSZERO): a salt as long as the hash
PREFIX_LENGTH = 32  #: the Randomized variant's message prefix
MIN_BITS = 2048  #: RFC 9474 §5: at least 2048-bit moduli; Vecha's registrars make 3072
KEY_BITS = 3072


def _i2osp(x: int, length: int) -> bytes:
    return x.to_bytes(length, "big")


def _os2ip(b: bytes) -> int:
    return int.from_bytes(b, "big")


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _pss_encode(message: bytes, em_bits: int, salt: bytes) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384 and MGF1-SHA-384."""
    em_len = (em_bits + 7) // 8
    if em_len < HASH_LENGTH + len(salt) + 2:
        raise InvalidEncoding("the RSA modulus is too short for PSS with SHA-384")
    m_hash = hashlib.sha384(message).digest()
    h = hashlib.sha384(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - HASH_LENGTH - 2) + b"\x01" + salt
    masked = bytearray(a ^ b for a, b in zip(db, _mgf1(h, em_len - HASH_LENGTH - 1), strict=True))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


@dataclass(frozen=True)
class BlindPublicKey:
    """A registrar's public key: the modulus and the public exponent."""

    n: int
    e: int

    def __post_init__(self) -> None:
        if self.n.bit_length() < MIN_BITS or self.n % 2 == 0:
            raise InvalidEncoding(f"a registrar's RSA modulus is odd and at least {MIN_BITS} bits")
        if self.e < 3 or self.e % 2 == 0 or self.e >= self.n:
            raise InvalidEncoding("a registrar's RSA public exponent is odd, at least 3 and below the modulus")

    @property
    def modulus_length(self) -> int:
        return (self.n.bit_length() + 7) // 8

    @cached_property
    def _verifier(self) -> rsa.RSAPublicKey:
        """`cryptography`'s key object, made once per key (every signed credential is verified)."""
        return rsa.RSAPublicNumbers(self.e, self.n).public_key()

    def to_json(self) -> dict[str, str]:
        return {"n": _i2osp(self.n, self.modulus_length).hex(), "e": format(self.e, "x")}

    @classmethod
    def from_json(cls, obj: object) -> BlindPublicKey:
        if not isinstance(obj, dict) or set(obj) != {"n", "e"}:
            raise InvalidEncoding("a registrar key is {n, e} in hex")
        n, e = obj["n"], obj["e"]
        if not isinstance(n, str) or not isinstance(e, str) or not n or not e:
            raise InvalidEncoding("a registrar key is {n, e} in hex")
        try:
            raw_n, value_e = bytes.fromhex(n), int(e, 16)
        except ValueError:
            raise InvalidEncoding("a registrar key is {n, e} in hex") from None
        if raw_n[0] == 0 or n != n.lower() or e != format(value_e, "x"):
            raise InvalidEncoding("a registrar key's hex is lowercase with no leading zeros")
        return cls(_os2ip(raw_n), value_e)


@dataclass(frozen=True, repr=False)
class BlindSecretKey:
    """A registrar's private key (the primes; never leaves the registrar)."""

    p: int
    q: int
    e: int

    def __post_init__(self) -> None:
        if self.p == self.q or math.gcd(self.e, (self.p - 1) * (self.q - 1)) != 1:
            raise InvalidEncoding("not an RSA key: the primes are equal or e is not invertible")
        # The modulus checks of the public key apply too.
        BlindPublicKey(self.p * self.q, self.e)

    def __repr__(self) -> str:  # never the primes in a log or a traceback
        return f"BlindSecretKey({self.public.n.bit_length()} bits)"

    @cached_property
    def public(self) -> BlindPublicKey:
        return BlindPublicKey(self.p * self.q, self.e)

    @cached_property
    def _crt(self) -> tuple[Any, Any, Any, Any, Any]:
        """(p, q, d mod p−1, d mod q−1, q⁻¹ mod p) as gmpy2 integers, made once per key
        rather than once per signature."""
        p, q = gmpy2.mpz(self.p), gmpy2.mpz(self.q)
        d = gmpy2.invert(gmpy2.mpz(self.e), (p - 1) * (q - 1))
        return p, q, d % (p - 1), d % (q - 1), gmpy2.invert(q, p)


def generate_key(bits: int = KEY_BITS) -> BlindSecretKey:
    """A fresh registrar key (e = 65537), from `cryptography`'s key generation."""
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=bits).private_numbers()
    return BlindSecretKey(numbers.p, numbers.q, numbers.public_numbers.e)


def prepare(message: bytes, prefix: bytes | None = None) -> bytes:
    """RFC 9474 §4.1, randomized: a random 32-byte prefix, then the message. The prepared
    message is what is blinded, signed and verified."""
    prefix = secrets.token_bytes(PREFIX_LENGTH) if prefix is None else prefix
    if len(prefix) != PREFIX_LENGTH:
        raise InvalidEncoding(f"the message prefix is {PREFIX_LENGTH} bytes")
    return prefix + message


@dataclass(frozen=True, repr=False)
class Blinded:
    """What blinding gives the device: the blinded message to send, and the inverse of the
    blinding factor to keep (secret: with it, the registrar could link the signature)."""

    message: bytes
    inverse: int


def blind(key: BlindPublicKey, prepared: bytes, salt: bytes | None = None, factor: int | None = None) -> Blinded:
    """RFC 9474 §4.2. `salt` and `factor` (the blinding r) are for reproducing vectors only."""
    salt = secrets.token_bytes(SALT_LENGTH) if salt is None else salt
    if len(salt) != SALT_LENGTH:
        raise InvalidEncoding(f"the PSS salt is {SALT_LENGTH} bytes")
    encoded = _os2ip(_pss_encode(prepared, key.n.bit_length() - 1, salt))
    if math.gcd(encoded, key.n) != 1:
        raise InvalidEncoding("the encoded message shares a factor with the modulus")
    while True:
        r = secrets.randbelow(key.n - 1) + 1 if factor is None else factor
        if math.gcd(r, key.n) == 1:
            break
        if factor is not None:
            raise InvalidEncoding("the blinding factor shares a factor with the modulus")
    z = encoded * pow(r, key.e, key.n) % key.n
    return Blinded(_i2osp(z, key.modulus_length), pow(r, -1, key.n))


def blind_sign(key: BlindSecretKey, blinded_message: bytes) -> bytes:
    """RFC 9474 §4.3: the registrar's signature on a blinded message, in constant time
    (CRT with gmpy2's `powmod_sec`), checked against the public key before it is released."""
    public = key.public
    if len(blinded_message) != public.modulus_length:
        raise InvalidEncoding(f"a blinded message is {public.modulus_length} bytes for this key")
    m = _os2ip(blinded_message)
    if m >= public.n:
        raise InvalidEncoding("the blinded message is not below the modulus")
    p, q, dp, dq, q_inverse = key._crt
    sp = gmpy2.powmod_sec(m % p, dp, p)
    sq = gmpy2.powmod_sec(m % q, dq, q)
    s = int(sq + q_inverse * (sp - sq) % p * q)
    if pow(s, public.e, public.n) != m:  # a fault in the CRT would leak a prime: never release it
        raise InvalidSignature("the blind signature did not check out; nothing is released")
    return _i2osp(s, public.modulus_length)


def finalize(key: BlindPublicKey, prepared: bytes, blind_signature: bytes, blinded: Blinded) -> bytes:
    """RFC 9474 §4.4: unblind the registrar's answer into a signature on `prepared`, and
    verify it (a registrar that answered with anything else is caught here)."""
    if len(blind_signature) != key.modulus_length:
        raise InvalidEncoding(f"a blind signature is {key.modulus_length} bytes for this key")
    z = _os2ip(blind_signature)
    if z >= key.n:
        raise InvalidEncoding("the blind signature is not below the modulus")
    signature = _i2osp(z * blinded.inverse % key.n, key.modulus_length)
    verify(key, prepared, signature)
    return signature


def verify(key: BlindPublicKey, prepared: bytes, signature: bytes) -> None:
    """RSASSA-PSS-VERIFY (SHA-384, MGF1-SHA-384, 48-byte salt) with `cryptography`'s own
    verifier; raises `InvalidSignature`."""
    if len(signature) != key.modulus_length:
        raise InvalidSignature(f"a registrar signature is {key.modulus_length} bytes")
    try:
        key._verifier.verify(
            signature,
            prepared,
            padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=SALT_LENGTH),
            hashes.SHA384(),
        )
    except _CryptographyInvalidSignature:
        raise InvalidSignature("the registrar's signature does not verify") from None
