"""The `vecha` command: every role's steps, the demo, the verifier and the seat calculator.

Errors never print a traceback: each ends the command with one line on stderr and a
non-zero exit status, and no command writes anything before its inputs have been checked.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import click
import typer

from vecha.cli import organizer, registration, results, serve, trustee, voter
from vecha.cli.common import CliError, console, err_console, progress_bar, read_json
from vecha.cli.observers import CheckpointFiles, ObserverUrls, gather_observed
from vecha.election.seats import ExcessSeats, Lot, Method, QuotaBase, SeatRules, allocate, parse_fraction
from vecha.environment import apply_environment
from vecha.errors import VechaError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="vecha",
    help="Vecha: end-to-end verifiable online elections for communities that cannot vote at home.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
organizer.register(app)
trustee.register(app)
voter.register(app)
registration.register(app)
results.register(app)
serve.register(app)


@app.command()
def demo(
    voters: Annotated[int, typer.Option(min=1, max=1_000_000, help="number of voters on the roll")] = 800,
    record: Annotated[Path, typer.Option(help="where to export the election record")] = Path("demo-record"),
    seed: Annotated[int | None, typer.Option(help="seed for the simulated voters' choices")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bars")] = False,
    roll: Annotated[bool, typer.Option(help="credentials from a voter roll, instead of registration")] = False,
) -> None:
    """Run a complete demo election (Coordination Council shape), export it and verify it.
    Voters register first (two blocs' registrars, reviewers, blind signatures) unless --roll."""
    from vecha.cli.demo import run_demo

    with progress_bar(not quiet) as step:
        outcome = run_demo(voters, record, step, seed=seed, roll=roll)
    results.print_result(outcome.result, outcome.definition)
    if outcome.refused_duplicates is not None:
        console.print(
            f"Registration: {outcome.voters} applicants approved by both registrars' reviewers and signed blindly; "
            f"{outcome.refused_duplicates} second applications refused as duplicates."
        )
    console.print(
        f"{outcome.voters} voters: {outcome.voters - outcome.abstained} voted, {outcome.abstained} abstained, "
        f"{outcome.revoted} voted twice (the last ballot counts); {outcome.ballots} ballots on the board. "
        f"Trustees {', '.join(map(str, outcome.trustees_decrypting))} of 5 decrypted."
    )
    console.print(
        "Decrypted totals equal the simulated voters' final choices: " + ("yes" if outcome.plaintext_matches else "NO")
    )
    console.print(f"Record exported to {record}/ — " + outcome.report.summary())
    t = outcome.timings
    console.print(
        f"Time: {t['total_s']:.1f} s (encrypting {t['encrypt_s']:.1f} s, ballot box {t['cast_s']:.1f} s, "
        f"tally {t['tally_s']:.1f} s, verification {t['verify_s']:.1f} s)"
    )
    if not outcome.report.ok or not outcome.plaintext_matches:
        raise typer.Exit(1)


def _record_election(record: Path) -> str | None:
    from vecha.record.archive import read_header

    try:
        return read_header(record).election
    except VechaError:
        return None  # the verification itself reports a broken header


@app.command()
def verify(
    record: Annotated[Path, typer.Argument(help="an exported election record directory")],
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="processes for ballot proofs and the tally (default: all cores)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    dask: Annotated[
        str | None,
        typer.Option(help="run the proofs and the tally on this Dask scheduler (tcp://host:8786) instead of here"),
    ] = None,
    checkpoint_files: CheckpointFiles = None,
    observers: ObserverUrls = None,
    batch: Annotated[
        bool,
        typer.Option(
            help="check the ballots' proofs in batches (§4.7 of the spec); --no-batch checks each proof alone "
            "(slower, same outcome)"
        ),
    ] = True,
) -> None:
    """Re-check everything in an election record, trusting nothing but its files (and, if
    given, that it is the history whose checkpoints an observer or a mirror kept).

    Given a proof of equivocation (a file a mirror wrote), check it and say what it proves."""
    import json

    from vecha.verify import verify_record
    from vecha.workers.pool import collect_rarely

    collect_rarely()  # this process decodes ballots too (all of them, with one worker)
    if record.is_file():
        _verify_equivocation(record, as_json)
        return

    with contextlib.ExitStack() as stack:
        executor = None
        if dask is not None:
            try:
                from distributed import Client
            except ImportError:
                raise CliError("--dask needs Dask: pip install 'dask[distributed]'") from None
            client = stack.enter_context(Client(dask))  # type: ignore[no-untyped-call]  # Dask is untyped
            executor = client.get_executor()
            workers = workers or sum(client.nthreads().values())
        with progress_bar(not (quiet or as_json)) as step:
            observed = gather_observed(checkpoint_files, observers, _record_election(record) if observers else None)
            report = verify_record(
                record, progress=step, workers=workers, executor=executor, observed=observed, batched=batch
            )
    if as_json:
        console.print_json(json.dumps(report.to_json(), ensure_ascii=False))
        if not report.ok:
            raise typer.Exit(1)
    elif report.ok:
        console.print(report.summary())
    else:
        err_console.print(report.summary())
        raise typer.Exit(1)


def _verify_equivocation(path: Path, as_json: bool) -> None:
    import json

    from vecha.record.entries import entry_hash
    from vecha.record.equivocation import Equivocation, is_equivocation_file

    data = read_json(path, "proof")
    if not is_equivocation_file(data):
        raise CliError(f"{path} is neither a record directory nor a proof of equivocation")
    proof = Equivocation.from_json(data)
    entry = proof.check()
    fingerprint = entry_hash(entry.parent, entry.canonical()).hex()
    what = (
        f"the ballot box of election {entry.election} (fingerprint {fingerprint}) signed two different "
        f"histories at height {proof.height}: heads {proof.first.head.hex()} and {proof.second.head.hex()}"
    )
    if as_json:
        console.print_json(json.dumps({"ok": True, "proves": "equivocation", "election": entry.election,
                                       "fingerprint": fingerprint, "height": proof.height}))  # fmt: skip
    else:
        console.print(f"proof of equivocation verified: {what}")


@app.command()
def seats(
    votes: Annotated[Path, typer.Argument(help="JSON object mapping list names to vote counts")],
    seats: Annotated[int, typer.Option("--seats", help="number of seats")],
    method: Annotated[Method, typer.Option(help="allocation method")],
    threshold: Annotated[str, typer.Option(help="fraction of the valid votes: 0.05, 5% or 1/20")] = "0",
    exempt: Annotated[list[str] | None, typer.Option(help="a list exempt from the threshold (repeatable)")] = None,
    quota_base: Annotated[QuotaBase, typer.Option(help="largest remainder: quota over passed or all votes")] = (
        QuotaBase.PASSED
    ),
    blank: Annotated[int, typer.Option(min=0, help="number of blank votes")] = 0,
    blank_in_threshold: Annotated[bool, typer.Option(help="count blank votes in the threshold base")] = False,
    first_divisor: Annotated[str, typer.Option(help="modified Sainte-Laguë first divisor")] = "1.4",
    divisors: Annotated[str | None, typer.Option(help="highest-averages divisors, e.g. 1,4,7")] = None,
    lot_seed: Annotated[str, typer.Option(help="seed of the tie-breaking lot (hex or text)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON object of seats per list")] = False,
    explain: Annotated[bool, typer.Option(help="print the quotients or remainders and the seat order")] = False,
) -> None:
    """Allocate seats to lists from a file of votes."""
    import json

    data = read_json(votes, "votes")
    if seats < 1:
        raise CliError("--seats must be at least 1")
    rules = SeatRules(
        method=method,
        seats=seats,
        threshold=parse_fraction(threshold, "threshold"),
        exempt=frozenset(exempt or ()),
        quota_base=quota_base,
        blank_in_threshold_base=blank_in_threshold,
        first_divisor=parse_fraction(first_divisor, "first divisor"),
        divisors=tuple(parse_fraction(d, "divisors") for d in divisors.split(",")) if divisors else (),
        excess=ExcessSeats.VACANT,
    )
    result = allocate(data, rules, Lot.from_text(lot_seed), blank=blank)
    if as_json:
        console.print_json(json.dumps(result.seats, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{seats} seats, {method.value}")
    table.add_column("list")
    table.add_column("votes", justify="right")
    table.add_column("seats", justify="right")
    for name, v in result.votes.items():
        table.add_row(name + ("" if name in result.passed else " (below threshold)"), str(v), str(result.seats[name]))
    console.print(table)
    if explain:
        for line in result.explain():
            console.print(line)


@app.command()
def count(
    ballots: Annotated[Path, typer.Argument(help="JSON file of ranked or graded ballots (spec §9.7.6)")],
    method: Annotated[str, typer.Option(help="stv, irv, schulze or majority-judgment")],
    seats: Annotated[int, typer.Option("--seats", help="seats to fill (stv)")] = 1,
    lot_seed: Annotated[str, typer.Option(help="seed of the tie-breaking lot (hex or text)")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="print the result object with every round")] = False,
    explain: Annotated[
        bool, typer.Option(help="print every round: the totals, who was elected or excluded, and why")
    ] = False,
) -> None:
    """Count ranked ballots (STV, instant runoff, Schulze) or graded ones (Majority Judgment)
    from a plain file: the count a mixed election's result holds, on any ballots."""
    import json

    from vecha.election.preferential.ballots_file import METHODS, parse_ballots_file

    if method not in METHODS:
        raise CliError(f"--method is one of {', '.join(METHODS)}, not {method!r}")
    if seats < 1:
        raise CliError("--seats must be at least 1")
    data = read_json(ballots, "ballots")
    with console.status("counting"):
        outcome = parse_ballots_file(data).count(method, seats, Lot.from_text(lot_seed))
    if as_json:
        console.print_json(json.dumps(outcome.to_json(), ensure_ascii=False))
        return
    lines = outcome.explain()
    for line in lines if explain else [lines[0], lines[-1]]:
        console.print(line, markup=False)


def _typer_usage_errors() -> tuple[type[Exception], ...]:
    """typer's own click's UsageError (typer ≥ 0.22 vendors click), found from its public
    BadParameter, whose base it is."""
    return tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError" and c is not click.UsageError)


_USAGE_ERRORS: tuple[type[Exception], ...] = (click.exceptions.UsageError, *_typer_usage_errors())


def _usage_error(e: Exception) -> None:
    """One line: what is wrong, and where the help is."""
    ctx = getattr(e, "ctx", None)
    where = ctx.command_path if ctx is not None else "vecha"
    message = str(getattr(e, "format_message", lambda: str(e))()).replace("Value error, ", "")  # typer's prefix
    if not message and ctx is not None:  # a group named without a command: its help, then the line
        console.print(ctx.get_help())
        message = "missing command"
    err_console.print(f"error: {message} (see {where} --help)", markup=False)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of raising."""
    try:
        apply_environment()  # VECHA_BACKEND
        # Without standalone mode click returns the status of typer.Exit instead of exiting.
        status = app(args=argv, standalone_mode=False, prog_name="vecha")
    except (click.exceptions.Exit, typer.Exit) as e:
        return int(e.exit_code)
    except (click.exceptions.Abort, typer.Abort):
        err_console.print("aborted")
        return 1
    except _USAGE_ERRORS as e:
        # typer ≥ 0.22 raises the exceptions of its own copy of click, not click's
        _usage_error(e)
        return 2
    except (click.ClickException, typer.TyperException) as e:
        err_console.print(f"error: {e.format_message() if hasattr(e, 'format_message') else e}", markup=False)
        return int(getattr(e, "exit_code", 1))
    except VechaError as e:
        err_console.print(f"error: {e}")
        return 1
    except OSError as e:
        err_console.print(f"error: {e.strerror or e}: {e.filename or ''}".rstrip(": "))
        return 1
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    return status if isinstance(status, int) else 0


def run() -> None:
    sys.exit(main())
