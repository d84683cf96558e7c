"""The booth's files as a new election pins them (spec §8.7)."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["booth_pins", "STATIC"]

#: The booth and the public pages, built from booth/ (see booth/build.mjs).
STATIC = Path(__file__).parent / "static"


def booth_pins(directory: Path = STATIC) -> dict[str, str]:
    """Every file of the booth and the public pages, by its path under the site's root, with
    its SHA-256: what a new election's entry 0 pins, so that a changed booth can be told
    from the one the organizer meant voters to get."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
