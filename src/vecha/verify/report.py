"""What the verifier found: a summary on success, the first failing check otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    failed_check: str | None = None
    failure: str | None = None
    passed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def summary(self) -> str:
        if not self.ok:
            return f"FAILED check '{self.failed_check}': {self.failure}"
        return (
            f"election {self.election}: record verified ({self.phase}). {self.entries} entries, "
            f"{self.checkpoints} signed checkpoints, {self.trustees} trustees, {self.credentials} credentials, "
            f"{self.ballots} ballots, {self.counted} counted, {self.decryptions} trustees decrypted. "
            f"Checks passed: {', '.join(self.passed)}."
        )
