"""Voter credentials (spec §6.3).

A credential code is 16 characters from Crockford's base-32 alphabet (80 random bits)
followed by one check character (Luhn mod 32), shown in groups of four:
``7QKD-2M9X-G4TB-HN0C-J``. Reading it back is forgiving (case, spaces, hyphens, O→0,
I/L→1) and catches every single mistyped character and most swaps of two neighbours.

The credential's secret is s = H_credential(fingerprint, code) reduced mod ℓ, and its public
part S = s·G goes on the credential list. Only the voter holds the code; the list carries
no name, and it is sorted so that its order tells nothing about the roll.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from vecha.crypto.group import Point, Scalar
from vecha.crypto.transcript import Transcript
from vecha.errors import InvalidEncoding

__all__ = ["ALPHABET", "Credential", "new_code", "normalize_code", "check_character"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALIASES = {"O": "0", "I": "1", "L": "1"}
DATA_CHARS = 16


def check_character(data: str) -> str:
    """Luhn mod 32 over the data characters."""
    factor, total = 2, 0
    for ch in reversed(data):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_CHARS))
    return _group(data + check_character(data))


def _group(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_code(text: str) -> str:
    """The canonical form of a typed code; raises `InvalidEncoding` with what is wrong."""
    raw = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    raw = "".join(_ALIASES.get(ch, ch) for ch in raw)
    bad = sorted({ch for ch in raw if ch not in _VALUE})
    if bad:
        shown = " ".join(ch if ch.isprintable() and not ch.isspace() else ascii(ch)[1:-1] for ch in bad)
        raise InvalidEncoding(f"the credential code has characters that cannot be in it: {shown}")
    if len(raw) != DATA_CHARS + 1:
        raise InvalidEncoding(f"a credential code has {DATA_CHARS + 1} characters; this one has {len(raw)}")
    if check_character(raw[:-1]) != raw[-1]:
        raise InvalidEncoding("the credential code has a typo (its check character does not match)")
    return _group(raw)


@dataclass(frozen=True, slots=True)
class Credential:
    """A voter's credential for one election: the secret s and the public S = s·G."""

    secret: Scalar
    public: Point

    @classmethod
    def from_code(cls, code: str, fingerprint: bytes) -> Credential:
        canonical = normalize_code(code)
        s = Transcript("credential").raw("election", fingerprint).text("code", canonical).challenge()
        return cls(s, Point.base_mul(s))
