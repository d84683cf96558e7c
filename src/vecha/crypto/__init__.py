"""The cryptographic core: pure functions and frozen values, no I/O (spec §2–§5)."""

from vecha.crypto.dlog import small_dlog
from vecha.crypto.elgamal import Ciphertext, add_all, decrypt_to_point, encrypt
from vecha.crypto.group import GENERATOR, IDENTITY, ORDER, Point, Scalar
from vecha.crypto.transcript import Transcript

__all__ = [
    "GENERATOR",
    "IDENTITY",
    "ORDER",
    "Point",
    "Scalar",
    "Transcript",
    "Ciphertext",
    "encrypt",
    "decrypt_to_point",
    "add_all",
    "small_dlog",
]
