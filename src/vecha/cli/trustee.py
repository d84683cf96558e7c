"""A trustee's commands, run on the trustee's own machine with its secret file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vecha.cli.common import CliError, console, read_json, write_out
from vecha.crypto.errors import InvalidEncoding
from vecha.crypto.group import Point
from vecha.election.trustees import (
    SealedShare,
    TrusteeAnnouncement,
    TrusteeSecret,
    deal_shares,
    new_trustee,
    partial_decrypt,
    receive_shares,
)
from vecha.record.ledger import Phase
from vecha.record.package import setup_ledger

__all__ = ["register"]

Package = Annotated[Path, typer.Option("--election", help="the election package from the organizer")]
Secret = Annotated[Path, typer.Option("--secret", help="this trustee's secret file (keep it offline)")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Trustee steps: key ceremony and partial decryption.", no_args_is_help=True)
    app.add_typer(group, name="trustee")
    group.command("init")(init)
    group.command("deal")(deal)
    group.command("receive")(receive)
    group.command("decrypt")(decrypt)


def _fingerprint(package: Path) -> tuple[bytes, int, int]:
    ledger = setup_ledger(read_json(package, "election package"))
    assert ledger.manifest is not None
    return ledger.fingerprint, ledger.manifest.trustees.count, ledger.manifest.trustees.threshold


def _secret(path: Path) -> TrusteeSecret:
    return TrusteeSecret.from_json(read_json(path, "trustee secret"))


def _own_secret(path: Path, announcements: list[TrusteeAnnouncement]) -> TrusteeSecret:
    """This trustee's secret, checked against its own announcement in this election."""
    s = _secret(path)
    own = next((a for a in announcements if a.index == s.index), None)
    if own is None or own.commitments != s.polynomial.commitments():
        raise CliError(f"{path} is not the secret behind trustee {s.index}'s announcement in this election")
    return s


def _announcements(paths: list[Path], fingerprint: bytes, count: int, threshold: int) -> list[TrusteeAnnouncement]:
    anns = [TrusteeAnnouncement.from_json(read_json(p, "announcement")) for p in paths]
    if sorted(a.index for a in anns) != list(range(1, count + 1)):
        raise CliError(f"need the announcements of all {count} trustees")
    for a in anns:
        a.verify(fingerprint, threshold)  # names a trustee whose proof fails
    return anns


def init(
    index: Annotated[int, typer.Option(min=1, help="this trustee's number, 1..n")],
    secret: Secret,
    out: Annotated[Path, typer.Option(help="the public announcement to send to the organizer")],
    election: Package,
) -> None:
    """Round 1: make this trustee's key material and its public announcement."""
    fp, count, threshold = _fingerprint(election)
    if index > count:
        raise CliError(f"the election has {count} trustees")
    if secret.exists():
        raise CliError(f"{secret} exists; refusing to overwrite a trustee secret")
    s, announcement = new_trustee(fp, index, threshold)
    write_out(secret, s.to_json())
    secret.chmod(0o600)
    write_out(out, announcement.to_json())
    console.print(f"trustee {index}: secret in {secret}, announcement in {out}")


def deal(
    announcements: Annotated[list[Path], typer.Option("--announcement", help="every trustee's announcement")],
    secret: Secret,
    out: Annotated[Path, typer.Option(help="sealed shares, to relay to the other trustees")],
    election: Package,
) -> None:
    """Round 2: seal a share of this trustee's key for every trustee."""
    fp, count, threshold = _fingerprint(election)
    anns = _announcements(announcements, fp, count, threshold)
    s = _own_secret(secret, anns)
    write_out(out, [x.to_json() for x in deal_shares(s, anns)])
    console.print(f"trustee {s.index}: {count} sealed shares in {out}")


def receive(
    announcements: Annotated[list[Path], typer.Option("--announcement", help="every trustee's announcement")],
    shares: Annotated[list[Path], typer.Option("--shares", help="every trustee's sealed shares file")],
    secret: Secret,
    out: Annotated[Path, typer.Option(help="the confirmation to send to the organizer")],
    election: Package,
) -> None:
    """Round 3: open and check the shares sent to this trustee; names any trustee who cheated."""
    fp, count, threshold = _fingerprint(election)
    anns = _announcements(announcements, fp, count, threshold)
    s = _own_secret(secret, anns)
    sealed = []
    for p in shares:
        data = read_json(p, "sealed shares")
        if not isinstance(data, list):
            raise InvalidEncoding(f"{p}: expected a list of sealed shares")
        sealed += [SealedShare.from_json(x) for x in data]
    updated, confirmation = receive_shares(fp, s, anns, sealed)
    write_out(secret, updated.to_json())
    write_out(out, confirmation.to_json())
    console.print(f"trustee {s.index}: all shares check out; confirmation in {out}")


def decrypt(
    record: Annotated[Path, typer.Option(help="the exported record after the tally")],
    secret: Secret,
    out: Annotated[Path, typer.Option(help="this trustee's partial decryption")],
) -> None:
    """Verify the whole record, then decrypt the tally's aggregate (and nothing else)."""
    from vecha.verify.checks import verify_record_ledger

    ledger = verify_record_ledger(record)
    if ledger.phase not in (Phase.TALLIED, Phase.DECRYPTING) or ledger.aggregate is None:
        raise CliError("the record has no tally to decrypt (or the result is already out)")
    s = _secret(secret)
    if s.key_share is None or ledger.confirmations[s.index - 1].verification_key != Point.base_mul(s.key_share):
        raise CliError("this secret does not belong to a trustee of this election")
    shares = partial_decrypt(ledger.fingerprint, s, ledger.aggregate)
    write_out(
        out,
        {
            "election": ledger.fingerprint.hex(),
            "trustee": s.index,
            "shares": [[x.to_json() for x in row] for row in shares],
        },
    )
    console.print(f"trustee {s.index}: partial decryption of {ledger.counted} counted ballots in {out}")
