"""The exceptions of Vecha. Every failed check raises one of these.

    VechaError
     ├── BackendUnavailable      the C library is missing
     ├── InvalidEncoding         bytes or JSON that do not decode to a valid value
     ├── InvalidProof            a proof or signature that does not verify
     ├── InvalidBallot           a ballot that breaks an election rule
     ├── RecordError             an election record that is inconsistent
     ├── ElectionError           a step taken out of order, or on the wrong election
     └── SeatError               an allocation that cannot be computed (bad input)

Each error says where it happened: the entry, ballot or check it concerns.
"""

from __future__ import annotations

__all__ = [
    "VechaError",
    "BackendUnavailable",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidBallot",
    "RecordError",
    "ElectionError",
    "SeatError",
]


class VechaError(Exception):
    """Base of every error Vecha raises on purpose."""


class BackendUnavailable(VechaError):
    pass


class InvalidEncoding(VechaError):
    pass


class InvalidProof(VechaError):
    pass


class InvalidBallot(VechaError):
    pass


class RecordError(VechaError):
    pass


class ElectionError(VechaError):
    pass


class SeatError(VechaError):
    pass
