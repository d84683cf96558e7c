"""Checkpoints that others saw the board sign: files an observer kept, or mirrors' URLs.

A record that verifies may still be a fork (the organizer holds the board's key and can
sign any history); compared with what independent observers saw, a fork shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vecha.cli.common import CliError
from vecha.client import Client, ServerError
from vecha.errors import InvalidEncoding, RecordError
from vecha.record.archive import read_checkpoint_file
from vecha.record.checkpoint import Checkpoint
from vecha.verify.checks import Observed

__all__ = ["CheckpointFiles", "ObserverUrls", "gather_observed"]

CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option("--checkpoints", help="checkpoints an observer kept (a JSON list, as in checkpoints.json)"),
]
ObserverUrls = Annotated[
    list[str] | None,
    typer.Option("--observer", help="a mirror or observer's server URL whose checkpoints to compare with"),
]


def gather_observed(files: list[Path] | None, urls: list[str] | None, election_id: str | None) -> Observed:
    observed: list[tuple[str, Checkpoint]] = []
    for path in files or []:
        try:
            observed += [(str(path), c) for c in read_checkpoint_file(path)]
        except RecordError as e:
            raise CliError(f"--checkpoints: {e}") from None
    for url in urls or []:
        try:
            with Client(url) as client:
                eid = client.election_id(election_id)
                raw = client.get(f"/elections/{eid}/checkpoints")
            if not isinstance(raw, list):
                raise InvalidEncoding("expected a list of checkpoints")
            observed += [(url, Checkpoint.from_json(c)) for c in raw]
        except (ServerError, InvalidEncoding) as e:
            raise CliError(f"observer {url}: {e}") from None
    return observed
