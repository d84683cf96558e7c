"""Running the ballot box server, making its admin tokens, backing up and restoring its store."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from vecha.cli.boxes import Db
from vecha.cli.common import CliError, console
from vecha.store.board import election_ids
from vecha.store.db import open_store
from vecha.store.tokens import Role, create_token, list_tokens, revoke_token

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command()(serve)
    tokens = typer.Typer(help="Admin tokens for the server's organizer and trustee API.", no_args_is_help=True)
    app.add_typer(tokens, name="token")
    tokens.command("create")(create)
    tokens.command("list")(list_command)
    tokens.command("revoke")(revoke)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("mirror")(mirror)


def serve(
    db: Db = "vecha.sqlite",
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port to listen on")] = 8080,
    max_body: Annotated[int, typer.Option(min=1024, help="the largest request body, in bytes")] = 1 << 20,
    workers: Annotated[
        int | None, typer.Option(min=0, help="processes that check ballot proofs (default: one per core)")
    ] = None,
    ballots_per_second: Annotated[
        float, typer.Option(min=0.01, help="ballots this process starts to check per second, all voters together")
    ] = 1000.0,
    credential_per_minute: Annotated[
        float, typer.Option(min=0.01, help="steady ballots per minute from one credential (after a burst of 5)")
    ] = 6.0,
    onion: Annotated[
        Path | None,
        typer.Option(
            help="also publish this server as a Tor onion service (needs Debian's tor); the folder keeps"
            " its keys, so the onion address stays the same from one run to the next"
        ),
    ] = None,
    onion_single_hop: Annotated[
        bool,
        typer.Option(help="a single onion service: faster, hides the voters but not where this server runs"),
    ] = False,
    batch: Annotated[
        bool,
        typer.Option(help="check the ballots that wait for a worker as one batch (--no-batch: one ballot per task)"),
    ] = True,
) -> None:
    """Run the ballot box and bulletin board over HTTP (every election in the store).

    No access log is written, and nothing about a client (address, user agent) is kept."""
    import uvicorn

    from vecha.server import ServerSettings, create_app
    from vecha.server.limits import LimitSettings
    from vecha.server.protocol import uvicorn_config

    engine = open_store(db)
    from vecha.workers import default_workers

    verify_workers = default_workers() if workers is None else workers
    limits = LimitSettings(ballots_per_second=ballots_per_second, credential_per_minute=credential_per_minute)
    settings = ServerSettings(max_body=max_body, verify_workers=verify_workers, verify_batch=batch, limits=limits)
    app = create_app(engine, settings)
    _more_descriptors()
    config = uvicorn_config(app, settings, host=host, port=port, log_level="warning")
    logging.getLogger("uvicorn.access").disabled = True  # after Config, which sets logging up
    console.print(
        f"serving {len(election_ids(engine))} election(s) from {db} on http://{host}:{port}/ (API under /api/v1)"
    )
    with _onion_service(onion, port, onion_single_hop):
        uvicorn.Server(config).run()


def mirror(
    source: Annotated[str, typer.Option(help="the ballot box to follow, e.g. https://box.example.org")],
    election_id: Annotated[str, typer.Option("--id", help="the election to mirror")],
    db: Db = "mirror.sqlite",
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port to listen on")] = 8081,
    peer: Annotated[
        list[str] | None,
        typer.Option(help="another mirror (or an observer) whose checkpoints to compare with this copy's (repeatable)"),
    ] = None,
    onion: Annotated[
        Path | None,
        typer.Option(
            help="also publish this server as a Tor onion service (needs Debian's tor); the folder keeps"
            " its keys, so the onion address stays the same from one run to the next"
        ),
    ] = None,
    onion_single_hop: Annotated[
        bool,
        typer.Option(help="a single onion service: faster, hides the voters but not where this server runs"),
    ] = False,
    batch: Annotated[
        bool,
        typer.Option(help="check the ballots that wait for a worker as one batch (--no-batch: one ballot per task)"),
    ] = True,
) -> None:
    """Follow a ballot box's board, check every entry and checkpoint as it arrives, and serve
    the public pages, the booth and the read-only API from here; ballots cast here are relayed
    to the box, and the box's receipt is checked before it is handed to the voter.

    The store keeps the copy: run it again to go on where it stopped. The mirror holds no
    key and signs nothing; it stops following (and says so at /api/v1/elections/ID/mirror)
    if the box sends anything its copy refuses. With --peer, it compares the box's signed
    checkpoints with those the peers got: two heads at one height are kept as a proof of
    equivocation (/api/v1/elections/ID/equivocation) that `vecha verify FILE` checks."""
    import httpx
    import uvicorn

    from vecha.crypto.canonical import canonical_bytes
    from vecha.server import ServerSettings
    from vecha.server.app import create_mirror_app
    from vecha.server.protocol import uvicorn_config
    from vecha.store.replica import Replica, is_replica

    engine = open_store(db)
    if election_id in election_ids(engine) and not is_replica(engine, election_id):
        raise CliError(f"{db} holds election {election_id!r} as a ballot box, not as a mirror")
    if election_id not in election_ids(engine):
        try:
            page = httpx.get(
                f"{source.rstrip('/')}/api/v1/elections/{election_id}/board",
                params={"start": 0, "limit": 1},
                timeout=30,
            )
            page.raise_for_status()
            genesis = canonical_bytes(page.json()["entries"][0])
        except (httpx.HTTPError, ValueError, KeyError, IndexError) as e:
            raise CliError(f"cannot read election {election_id!r} from {source}: {e}") from None
        Replica.start(engine, source, genesis)
    settings = ServerSettings()
    app = create_mirror_app(engine, source, settings, peers=tuple(peer or ()))
    config = uvicorn_config(app, settings, host=host, port=port, log_level="warning")
    logging.getLogger("uvicorn.access").disabled = True
    console.print(
        f"mirroring {election_id} from {source} on http://{host}:{port}/"
        f" (how far behind: /api/v1/elections/{election_id}/mirror)"
    )
    with _onion_service(onion, port, onion_single_hop):
        uvicorn.Server(config).run()


@contextlib.contextmanager
def _onion_service(folder: Path | None, port: int, single_hop: bool) -> Iterator[None]:
    """With a folder: Tor publishes the server on loopback `port` as an onion service while
    the block runs (threat model §2.1), with Tor's proof-of-work defence on."""
    if folder is None:
        yield
        return
    from vecha.server.onion import OnionError, OnionService, running_onion

    try:
        with running_onion(OnionService(folder, port, single_hop=single_hop)) as onion:
            console.print(
                f"onion service: http://{onion.address}/ (Tor's proof-of-work defence"
                f" {'on' if onion.pow_defense_on() else 'OFF'}; keys in {folder})"
            )
            yield
    except OnionError as e:
        raise CliError(str(e)) from None


def _more_descriptors() -> None:
    """Raise this process's open-file limit to what the system allows (connections are files)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        with contextlib.suppress(ValueError, OSError):  # else keep it: max_connections stays below it
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def create(
    role: Annotated[Role, typer.Option(help="admin (every election), organizer or trustee (of one election)")],
    label: Annotated[str, typer.Option(help="who holds it, for the audit log (e.g. 'trustee 2, Vilnius')")],
    db: Db = "vecha.sqlite",
    election: Annotated[str | None, typer.Option("--id", help="the election (organizer and trustee tokens)")] = None,
    trustee: Annotated[int | None, typer.Option(min=1, help="the trustee's number (trustee tokens)")] = None,
) -> None:
    """Make an admin token. It is printed once; the store keeps only its hash."""
    engine = open_store(db)
    if election is not None and election not in election_ids(engine):
        raise CliError(f"no election {election!r} in {db}")
    token = create_token(engine, role, label, election, trustee)
    console.print(token)


def list_command(db: Db = "vecha.sqlite") -> None:
    """The store's admin tokens: id, role, election, trustee, label, when made (never the tokens)."""
    engine = _existing_store(db)
    rows = list_tokens(engine)
    for t in rows:
        who = (
            t["role"]
            + (f" of {t['election']}" if t["election"] else "")
            + (f", trustee {t['trustee']}" if t["trustee"] else "")
        )
        console.print(f"{t['id']}  {who}  {t['label']!r}  made {t['created']}", markup=False)
    if not rows:
        console.print("no tokens")


def revoke(
    token_id: Annotated[str, typer.Argument(help="the token's id, as vecha token list shows it")],
    db: Db = "vecha.sqlite",
) -> None:
    """Revoke an admin token: it stops working at once (the audit log keeps what it did)."""
    gone = revoke_token(_existing_store(db), token_id)
    console.print(f"revoked {gone['role']} token {gone['label']!r} ({gone['id']})", markup=False)


def _existing_store(db: str) -> Any:
    if "://" not in db and not Path(db).exists():
        raise CliError(f"no store at {db}")
    return open_store(db)


def backup_command(
    election: Annotated[str, typer.Option("--id", help="the election")],
    out: Annotated[Path, typer.Option(help="the backup file to write (JSON lines)")],
    db: Db = "vecha.sqlite",
) -> None:
    """Back up one election's store while it runs (a consistent snapshot). The file holds the
    board's signing key: keep it as safe as the server."""
    from vecha.store.backup import backup

    engine = open_store(db)
    partial = out.with_name(out.name + ".partial")
    with open(partial, "w", encoding="utf-8") as f:
        summary = backup(engine, election, f.write)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(out)  # a backup file is either whole or absent
    console.print(f"backed up {summary.election}: {summary.entries} entries, head {summary.head[:16]}… to {out}")


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="a file written by `vecha backup`")],
    db: Db = "vecha.sqlite",
) -> None:
    """Restore an election into a store that does not hold it, after replaying every entry
    through the board's rules and checking every checkpoint's signature."""
    from vecha.store.backup import restore

    engine = open_store(db)
    with open(backup_file, encoding="utf-8") as f:
        summary = restore(engine, f)
    console.print(f"restored {summary.election}: {summary.entries} entries, head {summary.head[:16]}…")
