"""The only module that calls libsodium (DESIGN §2).

A thin cffi binding in ABI mode: bytes in, bytes out, lengths checked, return codes
checked. Nothing here knows about elections; `group.py` builds the typed values on top.
"""

from __future__ import annotations

import ctypes.util

from cffi import FFI

from vecha.errors import BackendUnavailable

__all__ = [
    "POINT_BYTES",
    "SCALAR_BYTES",
    "HASH_BYTES",
    "SIGN_PUBLIC_BYTES",
    "SIGN_SECRET_BYTES",
    "SIGNATURE_BYTES",
    "BOX_PUBLIC_BYTES",
    "BOX_SECRET_BYTES",
    "BOX_SEAL_OVERHEAD",
    "is_valid_point",
    "point_add",
    "point_sub",
    "scalarmult",
    "scalarmult_base",
    "point_from_hash",
    "sign_seed_keypair",
    "sign_detached",
    "verify_detached",
    "box_seed_keypair",
    "box_seal",
    "box_seal_open",
    "AEAD_KEY_BYTES",
    "AEAD_NONCE_BYTES",
    "AEAD_TAG_BYTES",
    "aead_encrypt",
    "aead_decrypt",
]

POINT_BYTES = 32
SCALAR_BYTES = 32
HASH_BYTES = 64
SIGN_PUBLIC_BYTES = 32
SIGN_SECRET_BYTES = 64
SIGNATURE_BYTES = 64
BOX_PUBLIC_BYTES = 32
BOX_SECRET_BYTES = 32
BOX_SEAL_OVERHEAD = 48
AEAD_KEY_BYTES = 32
AEAD_NONCE_BYTES = 24
AEAD_TAG_BYTES = 16

_ffi = FFI()
_ffi.cdef(
    """
    int sodium_init(void);
    int crypto_core_ristretto255_is_valid_point(const unsigned char *p);
    int crypto_core_ristretto255_add(unsigned char *r, const unsigned char *p, const unsigned char *q);
    int crypto_core_ristretto255_sub(unsigned char *r, const unsigned char *p, const unsigned char *q);
    int crypto_core_ristretto255_from_hash(unsigned char *p, const unsigned char *r);
    int crypto_scalarmult_ristretto255(unsigned char *q, const unsigned char *n, const unsigned char *p);
    int crypto_scalarmult_ristretto255_base(unsigned char *q, const unsigned char *n);
    int crypto_sign_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed);
    int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen_p,
                             const unsigned char *m, unsigned long long mlen, const unsigned char *sk);
    int crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m,
                                    unsigned long long mlen, const unsigned char *pk);
    int crypto_box_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed);
    int crypto_box_seal(unsigned char *c, const unsigned char *m, unsigned long long mlen,
                        const unsigned char *pk);
    int crypto_box_seal_open(unsigned char *m, const unsigned char *c, unsigned long long clen,
                             const unsigned char *pk, const unsigned char *sk);
    int crypto_aead_xchacha20poly1305_ietf_encrypt(unsigned char *c, unsigned long long *clen_p,
        const unsigned char *m, unsigned long long mlen, const unsigned char *ad, unsigned long long adlen,
        const unsigned char *nsec, const unsigned char *npub, const unsigned char *k);
    int crypto_aead_xchacha20poly1305_ietf_decrypt(unsigned char *m, unsigned long long *mlen_p,
        unsigned char *nsec, const unsigned char *c, unsigned long long clen,
        const unsigned char *ad, unsigned long long adlen, const unsigned char *npub, const unsigned char *k);
    """
)


def _load() -> object:
    candidates = [ctypes.util.find_library("sodium"), "libsodium.so.23", "libsodium.so.26", "libsodium.dylib"]
    for name in candidates:
        if not name:
            continue
        try:
            lib = _ffi.dlopen(name)
        except OSError:
            continue
        if lib.sodium_init() < 0:  # 1 means "already initialised", which is fine
            raise BackendUnavailable("libsodium failed to initialise")
        return lib
    raise BackendUnavailable(
        "libsodium (1.0.18 or newer) was not found; install it, e.g. `apt-get install libsodium23`"
    )


_lib: object = _load()
_L = _lib  # typed as object above; attribute access below is checked at run time


def _need(data: bytes, size: int, what: str) -> None:
    if not isinstance(data, bytes) or len(data) != size:
        raise ValueError(f"{what} must be {size} bytes")


def is_valid_point(p: bytes) -> bool:
    """True if `p` is the canonical encoding of a ristretto255 element (identity included)."""
    _need(p, POINT_BYTES, "point")
    if p[31] & 0x80:
        # RFC 9496 §4.3.1: as a 256-bit integer this is ≥ 2^255 > p, so it is not canonical.
        # libsodium 1.0.18 masks that bit off and accepts the string (libdecaf rejects it;
        # the conformance tests found the difference).
        return False
    return bool(_L.crypto_core_ristretto255_is_valid_point(p) == 1)  # type: ignore[attr-defined]


def _binary(fn_name: str, p: bytes, q: bytes) -> bytes:
    _need(p, POINT_BYTES, "point")
    _need(q, POINT_BYTES, "point")
    out = _ffi.new("unsigned char[32]")
    if getattr(_L, fn_name)(out, p, q) != 0:
        raise ValueError("invalid point encoding")
    return bytes(_ffi.buffer(out, POINT_BYTES))


def point_add(p: bytes, q: bytes) -> bytes:
    return _binary("crypto_core_ristretto255_add", p, q)


def point_sub(p: bytes, q: bytes) -> bytes:
    return _binary("crypto_core_ristretto255_sub", p, q)


_IDENTITY = bytes(POINT_BYTES)


def scalarmult(n: bytes, p: bytes) -> bytes:
    """n·p for a reduced scalar n and a valid point p.

    libsodium returns -1 when the product is the identity; for a valid input point
    that is the only failure, so it maps to the identity encoding here.
    """
    _need(n, SCALAR_BYTES, "scalar")
    _need(p, POINT_BYTES, "point")
    out = _ffi.new("unsigned char[32]")
    if _L.crypto_scalarmult_ristretto255(out, n, p) != 0:  # type: ignore[attr-defined]
        return _IDENTITY
    return bytes(_ffi.buffer(out, POINT_BYTES))


def scalarmult_base(n: bytes) -> bytes:
    _need(n, SCALAR_BYTES, "scalar")
    out = _ffi.new("unsigned char[32]")
    if _L.crypto_scalarmult_ristretto255_base(out, n) != 0:  # type: ignore[attr-defined]
        return _IDENTITY
    return bytes(_ffi.buffer(out, POINT_BYTES))


def point_from_hash(h: bytes) -> bytes:
    """The RFC 9496 one-way map from 64 uniform bytes to a group element."""
    _need(h, HASH_BYTES, "hash")
    out = _ffi.new("unsigned char[32]")
    _L.crypto_core_ristretto255_from_hash(out, h)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(out, POINT_BYTES))


def sign_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """Ed25519 key pair (public 32 bytes, secret 64 bytes) from a 32-byte seed."""
    _need(seed, 32, "seed")
    pk = _ffi.new("unsigned char[32]")
    sk = _ffi.new("unsigned char[64]")
    _L.crypto_sign_seed_keypair(pk, sk, seed)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(pk, 32)), bytes(_ffi.buffer(sk, 64))


def sign_detached(message: bytes | bytearray, secret: bytes) -> bytes:
    _need(secret, SIGN_SECRET_BYTES, "signing key")
    sig = _ffi.new("unsigned char[64]")
    data = _ffi.from_buffer("unsigned char[]", message)  # bytes, or a large message built in a bytearray
    _L.crypto_sign_detached(sig, _ffi.NULL, data, len(message), secret)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(sig, SIGNATURE_BYTES))


def verify_detached(signature: bytes, message: bytes | bytearray, public: bytes) -> bool:
    _need(signature, SIGNATURE_BYTES, "signature")
    _need(public, SIGN_PUBLIC_BYTES, "verification key")
    data = _ffi.from_buffer("unsigned char[]", message)  # bytes, or a large message built in a bytearray
    rc = _L.crypto_sign_verify_detached(signature, data, len(message), public)  # type: ignore[attr-defined]
    return bool(rc == 0)


def box_seed_keypair(seed: bytes) -> tuple[bytes, bytes]:
    """X25519 key pair for sealed boxes (share transport in the key ceremony)."""
    _need(seed, 32, "seed")
    pk = _ffi.new("unsigned char[32]")
    sk = _ffi.new("unsigned char[32]")
    _L.crypto_box_seed_keypair(pk, sk, seed)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(pk, 32)), bytes(_ffi.buffer(sk, 32))


def box_seal(message: bytes, public: bytes) -> bytes:
    _need(public, BOX_PUBLIC_BYTES, "box public key")
    out = _ffi.new("unsigned char[]", len(message) + BOX_SEAL_OVERHEAD)
    _L.crypto_box_seal(out, message, len(message), public)  # type: ignore[attr-defined]
    return bytes(_ffi.buffer(out, len(message) + BOX_SEAL_OVERHEAD))


def box_seal_open(sealed: bytes, public: bytes, secret: bytes) -> bytes:
    _need(public, BOX_PUBLIC_BYTES, "box public key")
    _need(secret, BOX_SECRET_BYTES, "box secret key")
    if len(sealed) < BOX_SEAL_OVERHEAD:
        raise ValueError("sealed box too short")
    size = len(sealed) - BOX_SEAL_OVERHEAD
    out = _ffi.new("unsigned char[]", max(size, 1))
    if _L.crypto_box_seal_open(out, sealed, len(sealed), public, secret) != 0:  # type: ignore[attr-defined]
        raise ValueError("sealed box does not open with this key")
    return bytes(_ffi.buffer(out, size))


def aead_encrypt(message: bytes, ad: bytes, nonce: bytes, key: bytes) -> bytes:
    """XChaCha20-Poly1305 (IETF): the ciphertext with its 16-byte tag (registration evidence)."""
    _need(nonce, AEAD_NONCE_BYTES, "nonce")
    _need(key, AEAD_KEY_BYTES, "key")
    out = _ffi.new("unsigned char[]", len(message) + AEAD_TAG_BYTES)
    size = _ffi.new("unsigned long long *")
    _L.crypto_aead_xchacha20poly1305_ietf_encrypt(  # type: ignore[attr-defined]
        out, size, message, len(message), ad, len(ad), _ffi.NULL, nonce, key
    )
    return bytes(_ffi.buffer(out, size[0]))


def aead_decrypt(ciphertext: bytes, ad: bytes, nonce: bytes, key: bytes) -> bytes:
    _need(nonce, AEAD_NONCE_BYTES, "nonce")
    _need(key, AEAD_KEY_BYTES, "key")
    if len(ciphertext) < AEAD_TAG_BYTES:
        raise ValueError("ciphertext too short")
    out = _ffi.new("unsigned char[]", max(len(ciphertext) - AEAD_TAG_BYTES, 1))
    size = _ffi.new("unsigned long long *")
    rc = _L.crypto_aead_xchacha20poly1305_ietf_decrypt(  # type: ignore[attr-defined]
        out, size, _ffi.NULL, ciphertext, len(ciphertext), ad, len(ad), nonce, key
    )
    if rc != 0:
        raise ValueError("the ciphertext does not open with this key")
    return bytes(_ffi.buffer(out, size[0]))
