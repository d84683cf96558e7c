"""The settings Vecha takes from the environment, read here at the edge (the CLI, the test
suite and the benchmarks call this once at start) and never inside the core.

`VECHA_BACKEND=libdecaf|libsodium` chooses the group backend (default: libdecaf where it
is installed, else libsodium).
"""

from __future__ import annotations

import os

from vecha.crypto.group import use_backend

__all__ = ["apply_environment"]


def apply_environment(environ: dict[str, str] | None = None) -> None:
    """Apply the environment's settings; raises `BackendUnavailable` for a backend that
    cannot be used, naming it."""
    env = os.environ if environ is None else environ
    wanted = env.get("VECHA_BACKEND", "")
    if wanted:
        use_backend(wanted)
