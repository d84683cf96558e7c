"""What the verifier found: a summary on success, the first failing check otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vecha.errors import Check, CheckFailed

__all__ = ["Report"]


@dataclass
class Report:
    election: str = ""
    entries: int = 0
    trustees: int = 0
    credentials: int = 0
    ballots: int = 0
    counted: int = 0
    decryptions: int = 0
    checkpoints: int = 0
    phase: str = ""
    #: the first check that failed, the entry it concerns and the kind of error
    error: CheckFailed | None = None
    passed: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed_check(self) -> Check | None:
        return None if self.error is None else self.error.check

    @property
    def failure(self) -> str | None:
        """The failure's message, for people (programs look at `error`'s fields)."""
        return None if self.error is None else str(self.error)

    def to_json(self) -> dict[str, Any]:
        """The report for programs: the counts, the checks passed, and the failure's check,
        entry (board index or null), kind (the error's class) and message."""
        e = self.error
        return {
            "ok": self.ok,
            "election": self.election,
            "entries": self.entries,
            "trustees": self.trustees,
            "credentials": self.credentials,
            "ballots": self.ballots,
            "counted": self.counted,
            "decryptions": self.decryptions,
            "checkpoints": self.checkpoints,
            "phase": self.phase,
            "passed": [c.value for c in self.passed],
            "failure": None
            if e is None
            else {
                "check": e.check.value,
                "entry": e.entry,
                "kind": e.cause.__name__ if e.cause is not None else type(e).__name__,
                "message": str(e),
            },
        }

    def summary(self) -> str:
        if not self.ok:
            return f"FAILED check '{self.failed_check}': {self.failure}"
        return (
            f"election {self.election}: record verified ({self.phase}). {self.entries} entries, "
            f"{self.checkpoints} signed checkpoints, {self.trustees} trustees, {self.credentials} credentials, "
            f"{self.ballots} ballots, {self.counted} counted, {self.decryptions} trustees decrypted. "
            f"Checks passed: {', '.join(c.value for c in self.passed)}."
        )
