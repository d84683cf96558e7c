"""Helpers shared by the commands: files in and out, the store, progress bars."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vecha.errors import ElectionError, VechaError
from vecha.record.archive import write_json
from vecha.store.board import Board, open_store
from vecha.store.schema import elections

__all__ = [
    "console",
    "err_console",
    "CliError",
    "read_json",
    "read_definition",
    "write_out",
    "load_board",
    "progress_bar",
]

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(VechaError):
    """A problem with what the user asked for (a missing file, a bad argument)."""


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{what}: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"{what}: cannot read {path} ({e})") from None


def read_json(path: Path, what: str) -> Any:
    text = read_text(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CliError(f"{what}: {path} is not valid JSON (line {e.lineno}: {e.msg})") from None


def read_definition(path: Path) -> Any:
    """An election definition in YAML or JSON (YAML is a superset)."""
    text = read_text(path, "definition")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise CliError(f"definition: {path} is not valid YAML or JSON{where}: {problem}") from None


def write_out(path: Path, value: Any) -> None:
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True)
        write_json(path, value)
    except OSError as e:
        raise CliError(f"cannot write {path}: {e}") from None


def load_board(db: str, election: str | None) -> Board:
    if "://" not in db and not Path(db).exists():
        raise CliError(f"no store at {db} (create an election first)")
    engine = open_store(db)
    if election is None:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(elections.select().with_only_columns(elections.c.id))]
        if len(ids) != 1:
            raise CliError(f"the store holds {len(ids)} elections; name one with --id")
        election = ids[0]
    try:
        return Board(engine, election)
    except ElectionError as e:
        raise CliError(str(e)) from None


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A `step(stage, done, total)` callback drawing one rich progress bar per stage."""
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not enabled,
    )
    tasks: dict[str, TaskID] = {}

    def step(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield step
