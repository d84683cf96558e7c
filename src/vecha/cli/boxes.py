"""The ballot box as the organizer's commands see it: a store on this machine (`--db`) or a
server (`--server`, with an admin `--token`). The commands are the same either way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from vecha.cli.common import CliError, load_board, read_json
from vecha.client import Client
from vecha.election.ballot import Ballot
from vecha.election.trustees import TrusteeAnnouncement, TrusteeConfirmation
from vecha.errors import InvalidEncoding
from vecha.record.package import make_package
from vecha.store import organizer as steps
from vecha.store.board import Board
from vecha.workers import default_workers

__all__ = ["Box", "open_box", "Server", "Token", "Db", "ElectionId", "RemoteServer", "RemoteElectionId"]

Db = Annotated[str, typer.Option("--db", help="the ballot box store: a SQLite file or a database URL")]
ElectionId = Annotated[str | None, typer.Option("--id", help="the election id (when the store holds several)")]
Server = Annotated[
    str | None, typer.Option("--server", envvar="VECHA_SERVER", help="a ballot box server's URL, instead of --db")
]
#: for the commands that never use a local store (voters, trustees)
RemoteServer = Annotated[str | None, typer.Option("--server", envvar="VECHA_SERVER", help="a ballot box server's URL")]
RemoteElectionId = Annotated[str | None, typer.Option("--id", help="the election id (when the server holds several)")]
Token = Annotated[str | None, typer.Option("--token", envvar="VECHA_TOKEN", help="an admin token for --server")]

Progress = Callable[[int, int], None]


class Box(Protocol):
    election_id: str

    def package(self) -> dict[str, Any]: ...
    def finish_ceremony(
        self, announcements: Sequence[TrusteeAnnouncement], confirmations: Sequence[TrusteeConfirmation]
    ) -> str: ...
    def publish_credentials(self, credentials: list[str]) -> int: ...
    def open(self) -> None: ...
    def close(self) -> None: ...
    def cast(self, ballot: Any, channel: str, registration: Any = None) -> tuple[dict[str, Any], bool]: ...
    def track(self, tracker: str) -> tuple[int, bool | None]: ...
    def tally(self, progress: Progress) -> dict[str, Any]: ...
    def combine(self, decryptions: list[dict[str, Any]]) -> dict[str, Any]: ...
    def export(self, directory: Path) -> int: ...
    def fingerprint(self) -> str: ...


class LocalBox:
    def __init__(self, board: Board) -> None:
        self.board = board
        self.election_id = board.election_id

    def fingerprint(self) -> str:
        return self.board.ledger.fingerprint.hex()

    def package(self) -> dict[str, Any]:
        return make_package(self.board.entries())

    def finish_ceremony(
        self, announcements: Sequence[TrusteeAnnouncement], confirmations: Sequence[TrusteeConfirmation]
    ) -> str:
        steps.record_ceremony(self.board, announcements, confirmations)
        return self.board.ledger.context().public_key.hex()

    def publish_credentials(self, credentials: list[str]) -> int:
        return steps.publish_credentials(self.board, credentials)

    def open(self) -> None:
        steps.open_voting(self.board)

    def close(self) -> None:
        steps.close_voting(self.board)

    def cast(self, ballot: Any, channel: str, registration: Any = None) -> tuple[dict[str, Any], bool]:
        if registration is not None:
            raise CliError("this ballot carries its registration: cast it through a server (--server URL)")
        parsed = Ballot.from_json(ballot)
        self.board.refresh()
        receipt, new = self.board.cast_parsed(parsed, parsed.tracker(), channel)
        return receipt.to_json(), new

    def track(self, tracker: str) -> tuple[int, bool | None]:
        return self.board.find_tracker(tracker)

    def tally(self, progress: Progress) -> dict[str, Any]:
        return steps.tally(self.board, progress, workers=default_workers())

    def combine(self, decryptions: list[dict[str, Any]]) -> dict[str, Any]:
        return steps.combine(self.board, [(d["trustee"], d["shares"]) for d in decryptions])

    def export(self, directory: Path) -> int:
        return steps.export_record(self.board, directory)


class RemoteBox:
    def __init__(self, client: Client, election_id: str) -> None:
        self.client, self.election_id = client, election_id
        self.base = f"/elections/{election_id}"

    def fingerprint(self) -> str:
        return str(self.client.get(self.base)["fingerprint"])

    def package(self) -> dict[str, Any]:
        data: dict[str, Any] = self.client.get(self.base + "/package")
        return data

    def finish_ceremony(
        self, announcements: Sequence[TrusteeAnnouncement], confirmations: Sequence[TrusteeConfirmation]
    ) -> str:
        if announcements or confirmations:
            raise CliError("with --server, each trustee uploads its own messages; run `vecha ceremony` without files")
        self.client.post(self.base + "/ceremony/finish")
        return str(self.client.get(self.base)["public_key"])

    def publish_credentials(self, credentials: list[str]) -> int:
        from vecha.record.ledger import CREDENTIALS_PER_ENTRY

        ordered, fp, total = sorted(credentials), self.fingerprint(), 0
        for start in range(0, len(ordered), CREDENTIALS_PER_ENTRY):
            batch = ordered[start : start + CREDENTIALS_PER_ENTRY]
            total += int(
                self.client.post(self.base + "/credentials", {"election": fp, "credentials": batch})["published"]
            )
        return total

    def open(self) -> None:
        self.client.post(self.base + "/open")

    def close(self) -> None:
        self.client.post(self.base + "/close")

    def cast(self, ballot: Any, channel: str, registration: Any = None) -> tuple[dict[str, Any], bool]:
        body: dict[str, Any] = {"ballot": ballot, "channel": channel}
        if registration is not None:
            body["registration"] = registration
        status, data = self.client.post_status(self.base + "/ballots", body)
        return data, status == 201

    def track(self, tracker: str) -> tuple[int, bool | None]:
        found = self.client.get(f"{self.base}/trackers/{tracker}")
        return int(found["index"]), None if found["counts"] is None else bool(found["counts"])

    def tally(self, progress: Progress) -> dict[str, Any]:
        data: dict[str, Any] = self.client.post(self.base + "/tally")
        return data

    def combine(self, decryptions: list[dict[str, Any]]) -> dict[str, Any]:
        if decryptions:
            raise CliError("with --server, each trustee uploads its own decryption; run `vecha combine` without files")
        data: dict[str, Any] = self.client.post(self.base + "/result")
        return data

    def export(self, directory: Path) -> int:
        # The public record is the board up to its latest checkpoint: an organizer has one
        # signed at the head first; anyone else gets the board as far as it was signed.
        if self.client.has_token:
            self.client.post(self.base + "/checkpoint")
        self.client.download_record(self.election_id, directory)
        from vecha.record.archive import read_header

        return read_header(directory).entries


def open_box(db: str, election: str | None, server: str | None, token: str | None) -> Box:
    if server is None:
        return LocalBox(load_board(db, election))
    client = Client(server, token)
    return RemoteBox(client, client.election_id(election))


def read_decryption_file(path: Path) -> Any:
    """A trustee's partial decryption file as `{"election", "trustee", "shares"}`. One in
    canonical JSON (a mixed election's, as `vecha trustee decrypt` writes it) is not parsed:
    its `shares` is then the entry payload's bytes (`canonical_decryption`), which the board
    reads packed, so that the mixed ballots of a large election (half a million shares) are
    never held as objects; any other is parsed as JSON."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"partial decryption: no such file {path}") from None
    except OSError as e:
        raise CliError(f"partial decryption: cannot read {path} ({e})") from None
    canonical = steps.canonical_decryption(data)
    if canonical is not None:
        election, trustee, payload = canonical
        return {"election": election, "trustee": trustee, "shares": payload}
    del data
    return read_json(path, "partial decryption")  # checked by `check_decryption_files`


def check_decryption_files(loaded: list[Any], fingerprint: str) -> None:
    for d in loaded:
        if not isinstance(d, dict) or set(d) != {"election", "trustee", "shares"}:
            raise InvalidEncoding("not a partial decryption file")
        if d["election"] != fingerprint:
            raise InvalidEncoding(f"trustee {d['trustee']}'s decryption is for another election")
