"""The organizer's and the ballot box's commands, on a local store (`--db`) or a server (`--server`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from vecha.cli.boxes import Db, ElectionId, Server, Token, check_decryption_files, open_box, read_decryption_file
from vecha.cli.common import CliError, console, err_console, progress_bar, read_definition, read_json, write_out
from vecha.client import Client
from vecha.election.definition import parse_definition
from vecha.election.trustees import TrusteeAnnouncement, TrusteeConfirmation
from vecha.errors import InvalidEncoding
from vecha.record.archive import find_tracker
from vecha.record.ledger import Phase
from vecha.store.board import Board, open_store

__all__ = ["register"]


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
    app.command("mix")(mix_)
    app.command()(combine)
    app.command()(export)


def create(
    definition: Annotated[Path, typer.Argument(help="the election definition, YAML or JSON")],
    db: Db = "vecha.sqlite",
    server: Server = None,
    token: Token = None,
) -> None:
    """Create an election on the ballot box from a definition file."""
    parsed = parse_definition(read_definition(definition))
    if server is not None:
        with Client(server, token) as client:
            created = client.post("/elections", parsed.model_dump(mode="json"))
        fingerprint = created["fingerprint"]
    else:
        from vecha.server.pins import booth_pins

        fingerprint = Board.create(open_store(db), parsed, booth=booth_pins()).ledger.fingerprint.hex()
    console.print(f"created election {parsed.id}; fingerprint {fingerprint}")


def package(
    out: Annotated[Path, typer.Option(help="where to write the election package")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Write the election package (definition, trustees, joint key) for trustees and voters."""
    box = open_box(db, election, server, token)
    write_out(out, box.package())
    console.print(f"wrote {out}")


def ceremony(
    announcements: Annotated[
        list[Path] | None, typer.Option("--announcement", help="a trustee's announcement file")
    ] = None,
    confirmations: Annotated[
        list[Path] | None, typer.Option("--confirmation", help="a trustee's confirmation file")
    ] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Check the trustees' key ceremony (naming any cheater) and put the joint key on the board.

    With --server, the trustees have uploaded their messages themselves: give no files."""
    anns = [TrusteeAnnouncement.from_json(read_json(p, "announcement")) for p in announcements or []]
    confs = [TrusteeConfirmation.from_json(read_json(p, "confirmation")) for p in confirmations or []]
    if server is None and not (anns and confs):
        raise CliError("give every trustee's --announcement and --confirmation files")
    key = open_box(db, election, server, token).finish_ceremony(anns, confs)
    console.print(f"joint key {key} is on the board")


def publish_credentials(
    credentials: Annotated[Path, typer.Argument(help="the registrar's public credential list (JSON)")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Put the registrar's public credential list on the board."""
    data = read_json(credentials, "credential list")
    if (
        not isinstance(data, dict)
        or set(data) != {"election", "credentials"}
        or not isinstance(data["credentials"], list)
    ):
        raise InvalidEncoding(f"{credentials} is not a public credential list (the --public file of issue-credentials)")
    box = open_box(db, election, server, token)
    if data["election"] != box.fingerprint():
        raise InvalidEncoding("this credential list was made for another election")
    n = box.publish_credentials(data["credentials"])
    console.print(f"{n} credentials are on the board")


def open_(db: Db = "vecha.sqlite", election: ElectionId = None, server: Server = None, token: Token = None) -> None:
    """Open the election for voting."""
    open_box(db, election, server, token).open()
    console.print("voting is open")


def close(db: Db = "vecha.sqlite", election: ElectionId = None, server: Server = None, token: Token = None) -> None:
    """Close the election: no ballot is accepted after this."""
    open_box(db, election, server, token).close()
    console.print("voting is closed")


def cast(
    ballot: Annotated[Path | None, typer.Argument(help="a ballot file made by `vecha vote`")] = None,
    qr: Annotated[
        list[Path] | None,
        typer.Option(
            help="the ballot's QR codes instead (images, repeatable, in any order), from vecha vote --qr or the booth"
        ),
    ] = None,
    channel: Annotated[str, typer.Option(help="web or app")] = "app",
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    receipt_out: Annotated[
        Path | None, typer.Option("--receipt", help="also keep the signed receipt in this file")
    ] = None,
) -> None:
    """Check a ballot and put it on the board; prints the signed receipt."""
    if channel not in ("web", "app"):
        raise CliError("--channel is web or app")
    if receipt_out is not None and receipt_out.exists():
        raise CliError(f"{receipt_out} exists; give another --receipt")
    registration = None
    if (ballot is None) == (not qr):
        raise CliError("give a ballot file, or its QR codes (--qr), one of them")
    if qr:
        from vecha.cli.voter import read_qr_codes

        submission = read_qr_codes(qr)
        ballot_json, channel, registration = submission["ballot"], submission["channel"], submission.get("registration")
    else:
        assert ballot is not None
        ballot_json = read_json(ballot, "ballot")
    receipt, new = open_box(db, election, server, None).cast(ballot_json, channel, registration)
    if receipt_out is not None:
        write_out(receipt_out, receipt)
    console.print_json(json.dumps(receipt))
    if not new:
        err_console.print("this exact ballot was already on the board: the same receipt again, nothing added")


def track(
    tracker: Annotated[str, typer.Argument(help="a tracking code from a receipt")],
    record: Annotated[Path | None, typer.Option(help="look in an exported record instead of a store")] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
) -> None:
    """Is the ballot with this tracking code on the board, and is it the one that counts?"""
    code = tracker.strip().lower().replace(" ", "")
    if not re.fullmatch(r"[0-9a-f]{64}", code):
        raise CliError("a tracking code is 64 hexadecimal digits (as on the receipt)")
    if record is not None:
        index, counts = find_tracker(record, code)
    else:
        index, counts = open_box(db, election, server, None).track(code)
    state = (
        "counts"
        if counts
        else "was replaced by a later ballot with the same credential"
        if counts is not None
        else "is in the count's mix (a coercion-resistant election shows whether a ballot counts for no ballot)"
    )
    console.print(f"on the board at entry {index}; it {state}")


def tally(
    out: Annotated[Path | None, typer.Option(help="also write the tally entry here")] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Add up the counted ballots (the last of each credential) into the encrypted tally."""
    box = open_box(db, election, server, token)
    with progress_bar() as step:
        entry = box.tally(lambda done, total: step("adding up the counted ballots", done, total))
    if out is not None:
        write_out(out, entry)
    console.print(f"tally of {entry['payload']['counted']} ballots is on the board; the trustees can decrypt it now")


def mix_(
    mixes: Annotated[list[Path], typer.Argument(help="the trustees' mix files, in trustee order")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
) -> None:
    """A mixed election on a local board: put the trustees' mixes on it, each checked (its
    signature, its turn, its proof) before it goes on. (On a server, each trustee uploads
    its own: vecha trustee mix --server.)"""
    from vecha.cli.common import load_board
    from vecha.store.organizer import add_mix

    board = load_board(db, election)
    for path in mixes:
        add_mix(board, read_json(path, "mix"))
        console.print(f"{path}: mix {board.ledger.mixes} is on the board")
    if board.ledger.phase is Phase.MIXED:
        console.print("every trustee has mixed: the trustees can decrypt the mixed ballots now")


def combine(
    decryptions: Annotated[list[Path] | None, typer.Argument(help="trustees' partial decryption files")] = None,
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
    token: Token = None,
) -> None:
    """Check the trustees' partial decryptions and publish the result with seats.

    With --server, the trustees have uploaded their decryptions themselves: give no files."""
    from vecha.cli.results import print_result
    from vecha.record.package import setup_ledger

    box = open_box(db, election, server, token)
    loaded = [read_decryption_file(p) for p in decryptions or []]
    check_decryption_files(loaded, box.fingerprint())
    result = box.combine(loaded)
    definition = setup_ledger(box.package()).defined().definition
    assert definition is not None
    print_result(result, definition)


def export(
    out: Annotated[Path, typer.Option(help="the record directory to write")],
    db: Db = "vecha.sqlite",
    election: ElectionId = None,
    server: Server = None,
) -> None:
    """Export the election record (a directory of JSON files) for anyone to verify."""
    n = open_box(db, election, server, None).export(out)
    console.print(f"exported {n} entries to {out}/")
