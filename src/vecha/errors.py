"""Every error Vecha raises on purpose. Each says where it happened; the ones a verifier or
the ballot box reports carry that as fields, so that callers (and tests) act on the kind of
failure and the entry it concerns, never on the wording of a message.

    VechaError
     ├── BackendUnavailable      the C library a group backend needs is missing
     ├── InvalidEncoding         bytes or JSON that do not decode to a valid value
     ├── InvalidProof            a zero-knowledge proof that does not verify
     │    └── InvalidSignature   a signature that does not verify (a ballot's credential
     │                           signature, a checkpoint, a receipt, a ceremony message)
     ├── InvalidBallot           a ballot that breaks an election rule (its shape, its
     │                           election, an unlisted credential, a replay)
     ├── ElectionError           a step taken out of order, or on the wrong election
     ├── SeatError               an allocation that cannot be computed (bad input)
     ├── CountError              ranked or graded ballots that cannot be counted as given
     └── RecordError             a board or record that breaks the rules (spec §8.4, §10):
          │                      `entry` is the board index it concerns, `cause` the kind
          │                      of the failure underneath (e.g. InvalidSignature)
          └── CheckFailed        a verifier check that failed (`check` names it, spec §10)

This module imports nothing from Vecha: every layer, the crypto core included, raises these.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "VechaError",
    "BackendUnavailable",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidSignature",
    "InvalidBallot",
    "ElectionError",
    "SeatError",
    "CountError",
    "RegistrationRefused",
    "RecordError",
    "Check",
    "CheckFailed",
]


class VechaError(Exception):
    """Base of every error Vecha raises on purpose."""


class BackendUnavailable(VechaError):
    pass


class InvalidEncoding(VechaError):
    pass


class InvalidProof(VechaError):
    pass


class InvalidSignature(InvalidProof):
    pass


class InvalidBallot(VechaError):
    pass


class ElectionError(VechaError):
    pass


class SeatError(VechaError):
    pass


class CountError(VechaError):
    """Ranked or graded ballots that cannot be counted as given (spec §9.7): an unknown
    candidate, a candidate ranked twice, a grade off the scale, more seats than candidates."""


class RegistrationRefused(VechaError):
    """The registrar refuses a request: `code` names why (`registration-closed`,
    `not-approved`, `duplicate`, …) and `status` is the HTTP status it answers with."""

    def __init__(self, message: str, code: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class RecordError(VechaError):
    """`entry`: the board index the failure concerns (None: the record as a whole, or a
    file); `cause`: the class of the error that the board's rules raised underneath (None
    when the record's own consistency failed, e.g. a tally that is not the sum)."""

    def __init__(self, message: str, entry: int | None = None, cause: type[VechaError] | None = None) -> None:
        super().__init__(message)
        self.entry = entry
        self.cause = cause

    def __reduce__(self) -> tuple[object, ...]:  # keeps the fields across processes
        return (type(self), (str(self), self.entry, self.cause))


class Check(StrEnum):
    """The verifier's checks (spec §10), in the order it runs them; the value is the name
    the report prints."""

    FILES = "files"
    BOARD = "board: hash chain, phases, trustee proofs, credentials, ballots, decryption shares, result"
    HEADER = "header"
    CHECKPOINTS = "checkpoints"
    OBSERVED = "checkpoints seen by others (the same history)"
    AGGREGATE = "aggregate (counting rule: last ballot per credential)"
    RESULT_FILE = "result.json"


class CheckFailed(RecordError):
    def __init__(
        self, check: Check, message: str, entry: int | None = None, cause: type[VechaError] | None = None
    ) -> None:
        super().__init__(message, entry, cause)
        self.check = check

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.check, str(self), self.entry, self.cause))
