"""The registrar's and the voter's commands."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from vecha.cli.common import CliError, console, read_json, write_out
from vecha.election.ballot import encrypt_ballot, selections_from_choices
from vecha.election.credentials import Credential, new_code
from vecha.record.package import load_package, setup_ledger
from vecha.record.receipt import Receipt, check_receipt

__all__ = ["register"]

Package = Annotated[Path, typer.Option("--election", help="the election package from the organizer")]


def register(app: typer.Typer) -> None:
    app.command("issue-credentials")(issue_credentials)
    app.command()(vote)
    app.command("check-receipt")(check_receipt_command)


def issue_credentials(
    roll: Annotated[Path, typer.Option(help="the voter roll: CSV with a 'voter' column")],
    codes: Annotated[Path, typer.Option(help="where to write voter → code, for delivery (keep private)")],
    public: Annotated[Path, typer.Option(help="where to write the public credential list (no names)")],
    election: Package,
) -> None:
    """Registrar: one credential code per voter on the roll, and the public list without names."""
    ledger = setup_ledger(read_json(election, "election package"))
    try:
        with open(roll, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise CliError(f"roll: no such file {roll}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CliError(f"roll: cannot read {roll} ({e})") from None
    if not rows or "voter" not in rows[0]:
        raise CliError("roll: expected a CSV file with a header row naming a 'voter' column")
    voters = [r["voter"].strip() for r in rows]
    if any(not v for v in voters) or len(set(voters)) != len(voters):
        raise CliError("roll: every voter needs a non-empty, unique identifier")
    if codes.exists():
        raise CliError(f"{codes} exists; refusing to overwrite issued codes")
    issued = [(v, new_code()) for v in voters]
    publics = sorted(Credential.from_code(c, ledger.fingerprint).public.hex() for _, c in issued)
    codes.parent.mkdir(parents=True, exist_ok=True)
    with open(codes, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["voter", "code"])
        w.writerows(issued)
    codes.chmod(0o600)
    write_out(public, {"election": ledger.fingerprint.hex(), "credentials": publics})
    console.print(f"{len(issued)} codes in {codes} (deliver, then destroy the mapping); public list in {public}")


def vote(
    credential: Annotated[str, typer.Option(help="your credential code")],
    choice: Annotated[
        list[str] | None, typer.Option(help="QUESTION=OPTION (repeatable; omit a question to leave it blank)")
    ] = None,
    out: Annotated[Path, typer.Option(help="where to write the encrypted ballot")] = Path("ballot.json"),
    election: Package = Path("election.json"),
) -> None:
    """Voter: encrypt and sign a ballot on this machine (the code never leaves it)."""
    ctx = load_package(read_json(election, "election package"))
    choices: dict[str, list[str]] = {}
    for c in choice or []:
        if "=" not in c:
            raise CliError(f"--choice {c!r}: write QUESTION=OPTION")
        q, label = c.split("=", 1)
        choices.setdefault(q.strip(), []).append(label.strip())
    selections = selections_from_choices(ctx.manifest, choices)
    cred = Credential.from_code(credential, ctx.fingerprint)
    ballot = encrypt_ballot(ctx, cred, selections).ballot
    write_out(out, ballot.to_json())
    console.print(f"ballot written to {out}; tracking code {ballot.tracker()}")


def check_receipt_command(
    receipt: Annotated[Path, typer.Argument(help="the receipt the ballot box returned (JSON)")],
    record: Annotated[Path, typer.Option(help="the published election record")],
) -> None:
    """Voter: is my acknowledged ballot in the published record, and does it count?"""
    counts = check_receipt(record, Receipt.from_json(read_json(receipt, "receipt")))
    if counts:
        console.print("the receipt is genuine and your ballot is in the record; it counts")
    else:
        console.print(
            "the receipt is genuine and your ballot is in the record; a later ballot with the same "
            "credential replaced it"
        )
