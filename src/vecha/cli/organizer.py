"""The organizer's and the ballot box's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vecha.cli.common import CliError, console, load_board, progress_bar, read_definition, read_json, write_out
from vecha.crypto.errors import InvalidEncoding
from vecha.election.manifest import parse_manifest
from vecha.election.trustees import TrusteeAnnouncement, TrusteeConfirmation
from vecha.record.archive import find_tracker
from vecha.record.package import make_package
from vecha.store import organizer as steps
from vecha.store.board import Board, open_store

__all__ = ["register"]

Db = Annotated[str, typer.Option("--db", help="the ballot box store: a SQLite file or a database URL")]
ElectionId = Annotated[str | None, typer.Option("--id", help="the election id (when the store holds several)")]


def register(app: typer.Typer) -> None:
    election = typer.Typer(help="Create an election and hand out its package.", no_args_is_help=True)
    app.add_typer(election, name="election")
    election.command("create")(create)
    election.command("package")(package)
    app.command()(ceremony)
    app.command("publish-credentials")(publish_credentials)
    app.command("open")(open_)
    app.command()(close)
    app.command()(cast)
    app.command()(track)
    app.command()(tally)
    app.command()(combine)
    app.command()(export)


def create(
    definition: Annotated[Path, typer.Argument(help="the election definition, YAML or JSON")],
    db: Db = "vecha.sqlite",
) -> None:
    """Create an election on the ballot box from a definition file."""
    manifest = parse_manifest(read_definition(definition))
    board = Board.create(open_store(db), manifest)
    console.print(f"created election {manifest.id}; fingerprint {board.ledger.fingerprint.hex()}")


def package(
    out: Annotated[Path, typer.Option(help="where to write the election package")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Write the election package (definition, trustees, joint key) for trustees and voters."""
    board = load_board(db, election)
    write_out(out, make_package(board.entries()))
    console.print(f"wrote {out} ({board.ledger.phase.name.lower()})")


def ceremony(
    announcements: Annotated[list[Path], typer.Option("--announcement", help="a trustee's announcement file")],
    confirmations: Annotated[list[Path], typer.Option("--confirmation", help="a trustee's confirmation file")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Check the trustees' key ceremony (naming any cheater) and put the joint key on the board."""
    board = load_board(db, election)
    anns = [TrusteeAnnouncement.from_json(read_json(p, "announcement")) for p in announcements]
    confs = [TrusteeConfirmation.from_json(read_json(p, "confirmation")) for p in confirmations]
    steps.record_ceremony(board, anns, confs)
    console.print(f"joint key {board.ledger.public_key.hex() if board.ledger.public_key else '?'} is on the board")


def publish_credentials(
    credentials: Annotated[Path, typer.Argument(help="the registrar's public credential list (JSON)")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Put the registrar's public credential list on the board."""
    board = load_board(db, election)
    data = read_json(credentials, "credential list")
    if not isinstance(data, dict) or data.get("election") != board.ledger.fingerprint.hex():
        raise InvalidEncoding("this credential list was made for another election")
    if not isinstance(data.get("credentials"), list):
        raise InvalidEncoding("the credential list has no 'credentials' array")
    n = steps.publish_credentials(board, data["credentials"])
    console.print(f"{n} credentials are on the board")


def open_(db: Db = "vecha.sqlite", election: ElectionId = None) -> None:
    """Open the election for voting."""
    steps.open_voting(load_board(db, election))
    console.print("voting is open")


def close(db: Db = "vecha.sqlite", election: ElectionId = None) -> None:
    """Close the election: no ballot is accepted after this."""
    steps.close_voting(load_board(db, election))
    console.print("voting is closed")


def cast(
    ballot: Annotated[Path, typer.Argument(help="a ballot file made by `vecha vote`")],
    channel: Annotated[str, typer.Option(help="web or app")] = "app",
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Check a ballot and put it on the board; prints the signed receipt."""
    import json

    if channel not in ("web", "app"):
        raise CliError("--channel is web or app")
    board = load_board(db, election)
    receipt = board.cast(read_json(ballot, "ballot"), channel=channel)
    console.print_json(json.dumps(receipt.to_json()))


def track(
    tracker: Annotated[str, typer.Argument(help="a tracking code from a receipt")],
    record: Annotated[Path | None, typer.Option(help="look in an exported record instead of a store")] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Is the ballot with this tracking code on the board, and is it the one that counts?"""
    code = tracker.strip().lower()
    if record is not None:
        index, counts = find_tracker(record, code)
    else:
        index, counts = load_board(db, election).find_tracker(code)
    state = "counts" if counts else "was replaced by a later ballot with the same credential"
    console.print(f"on the board at entry {index}; it {state}")


def tally(
    out: Annotated[Path | None, typer.Option(help="also write the tally entry here")] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Add up the counted ballots (the last of each credential) into the encrypted tally."""
    board = load_board(db, election)
    with progress_bar() as step:
        entry = steps.tally(board, lambda done, total: step("adding up the counted ballots", done, total))
    if out is not None:
        write_out(out, entry)
    console.print(f"tally of {entry['payload']['counted']} ballots is on the board; export the record for the trustees")


def combine(
    decryptions: Annotated[list[Path], typer.Argument(help="trustees' partial decryption files")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Check the trustees' partial decryptions and publish the result with seats."""
    from vecha.cli.results import print_result

    board = load_board(db, election)
    loaded = [read_json(p, "partial decryption") for p in decryptions]
    for d in loaded:
        if not isinstance(d, dict) or set(d) != {"election", "trustee", "shares"}:
            raise InvalidEncoding("not a partial decryption file")
        if d["election"] != board.ledger.fingerprint.hex():
            raise InvalidEncoding(f"trustee {d['trustee']}'s decryption is for another election")
    for d in loaded:
        steps.add_decryption(board, d["trustee"], d["shares"])
    print_result(steps.publish_result(board))


def export(
    out: Annotated[Path, typer.Option(help="the record directory to write")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """Export the election record (a directory of JSON files) for anyone to verify."""
    board = load_board(db, election)
    n = steps.export_record(board, out)
    console.print(f"exported {n} entries to {out}/")
