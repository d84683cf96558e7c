"""A trustee's commands, run on the trustee's own machine with its secret file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vecha.cli.boxes import RemoteElectionId as ElectionId
from vecha.cli.boxes import RemoteServer as Server
from vecha.cli.common import CliError, console, read_json, write_out
from vecha.cli.observers import CheckpointFiles, ObserverUrls, gather_observed
from vecha.client import Client, ServerError
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.group import Point
from vecha.election.identity import TrusteeIdentity
from vecha.election.mixing import decrypt_rows_canonical, rows_digest
from vecha.election.trustees import (
    SealedShare,
    TrusteeAnnouncement,
    TrusteeSecret,
    deal_shares,
    new_trustee,
    partial_decrypt,
    receive_shares,
    tally_digest,
)
from vecha.errors import InvalidEncoding
from vecha.record.entries import RECORD_VERSION
from vecha.record.ledger import Phase
from vecha.record.package import setup_ledger

if TYPE_CHECKING:
    from vecha.verify.checks import Observed

__all__ = ["register"]

Package = Annotated[
    Path | None, typer.Option("--election", help="the election package from the organizer (or use --server)")
]
Secret = Annotated[Path, typer.Option("--secret", help="this trustee's secret file (keep it offline)")]
Token = Annotated[str | None, typer.Option("--token", envvar="VECHA_TOKEN", help="this trustee's token for --server")]


class _Election:
    """The election a trustee works on: from a package file, or from a server."""

    def __init__(self, package: Path | None, server: str | None, election_id: str | None, token: str | None) -> None:
        self.client: Client | None = None
        if server is not None:
            self.client = Client(server, token)
            self.base = f"/elections/{self.client.election_id(election_id)}"
            first = self.client.get(self.base + "/board", start=0, limit=1)["entries"]
            ledger = setup_ledger({"version": RECORD_VERSION, "entries": first})
        elif package is not None:
            ledger = setup_ledger(read_json(package, "election package"))
        else:
            raise CliError("give the election package (--election) or a server (--server)")
        self.fingerprint = ledger.fingerprint
        trustees = ledger.defined().definition.trustees
        self.count, self.threshold = trustees.count, trustees.threshold
        self.identities = trustees.identity_keys()

    def require_destination(self, out: Path | None, what: str) -> None:
        """Refuse (before any work) a step whose result would go nowhere."""
        if out is None and self.client is None:
            raise CliError(f"give --out (where to write the {what}) or --server (to upload it)")

    def deliver(self, out: Path | None, path: str, body: Any) -> str:
        """Write the result to `out` and/or upload it to the server; says where it went."""
        if out is not None:
            write_out(out, body)
        if self.client is not None:
            self.client.post(self.base + path, body)
        return f"in {out}" if out is not None else "uploaded"

    def announcements(self, paths: list[Path] | None) -> list[TrusteeAnnouncement]:
        if self.client is not None:
            raw = self.client.get(self.base + "/ceremony")["announcements"]
            anns = [TrusteeAnnouncement.from_json(x) for x in raw]
        else:
            anns = [TrusteeAnnouncement.from_json(read_json(p, "announcement")) for p in paths or []]
        if sorted(a.index for a in anns) != list(range(1, self.count + 1)):
            raise CliError(f"need the announcements of all {self.count} trustees")
        for a in anns:  # names a trustee whose proof or identity signature fails
            a.verify(self.fingerprint, self.threshold, self.identities)
        return anns


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Trustee steps: key ceremony and partial decryption.", no_args_is_help=True)
    app.add_typer(group, name="trustee")
    group.command("identity")(identity)
    group.command("init")(init)
    group.command("deal")(deal)
    group.command("receive")(receive)
    group.command("mix")(mix)
    group.command("filter")(filter_step)
    group.command("chaff")(chaff)
    group.command("decrypt")(decrypt)


def _secret(path: Path) -> TrusteeSecret:
    return TrusteeSecret.from_json(read_json(path, "trustee secret"))


def _own_secret(path: Path, announcements: list[TrusteeAnnouncement]) -> TrusteeSecret:
    """This trustee's secret, checked against its own announcement in this election."""
    s = _secret(path)
    own = next((a for a in announcements if a.index == s.index), None)
    if own is None or own.commitments != s.polynomial.commitments():
        raise CliError(f"{path} is not the secret behind trustee {s.index}'s announcement in this election")
    return s


def identity(
    out: Annotated[Path, typer.Option(help="where to keep the identity key (keep it offline, reuse it)")],
) -> None:
    """Make this trustee's long-term identity key, once; give the organizer its public key.

    The organizer writes the public key into the election definition (`trustees.identities`);
    read the printed fingerprint aloud to the organizer, or publish it, so that anyone can
    check that the definition holds your key and not someone else's."""
    if out.exists():
        raise CliError(f"{out} exists; refusing to overwrite a trustee identity")
    ident = TrusteeIdentity.new()
    _write_private(out, ident.to_json())
    console.print(f"identity key in {out}")
    console.print(f"public key (for the definition's trustees.identities): {ident.public.hex()}")
    console.print(f"fingerprint (read it to the organizer): {ident.fingerprint}")


def _write_private(path: Path, value: Any) -> None:
    """Write a secret file readable by its owner alone, from the moment it exists."""
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{path} exists; refusing to overwrite it") from None
    except OSError as e:
        raise CliError(f"cannot write {path}: {e}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")


def _replace_private(path: Path, value: Any) -> None:
    """Replace a secret file whole (a crash leaves the old or the new one, never half)."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    _write_private(tmp, value)
    os.replace(tmp, path)


def init(
    secret: Secret,
    identity_file: Annotated[Path, typer.Option("--identity", help="this trustee's identity key (trustee identity)")],
    index: Annotated[
        int | None, typer.Option(min=1, help="this trustee's number, 1..n (found from the identity if left out)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="where to write the public announcement")] = None,
    election: Package = None,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """Round 1: make this trustee's key material for one election and its signed announcement."""
    e = _Election(election, server, election_id, token)
    ident = TrusteeIdentity.from_json(read_json(identity_file, "trustee identity"))
    if ident.public not in e.identities:
        raise CliError(
            f"the election definition does not name this identity key ({ident.fingerprint}) as a trustee's: "
            "give the organizer your public key, or check the election you were sent"
        )
    mine = e.identities.index(ident.public) + 1
    if index is not None and index != mine:
        raise CliError(f"this identity key is trustee {mine}'s in the definition, not trustee {index}'s")
    e.require_destination(out, "announcement")
    if secret.exists():
        raise CliError(f"{secret} exists; refusing to overwrite a trustee secret")
    s, announcement = new_trustee(e.fingerprint, mine, e.threshold, ident)
    # The secret is kept only once the announcement is delivered: a refused upload leaves nothing.
    pending = secret.with_name(secret.name + ".new")
    pending.unlink(missing_ok=True)
    _write_private(pending, s.to_json())
    try:
        where = e.deliver(out, "/ceremony/announcement", announcement.to_json())
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, secret)
    console.print(f"trustee {mine} of election {e.fingerprint.hex()}: secret in {secret}, announcement {where}")
    console.print(f"your identity fingerprint, as the definition holds it: {ident.fingerprint}")


def deal(
    secret: Secret,
    announcements: Annotated[
        list[Path] | None, typer.Option("--announcement", help="every trustee's announcement")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="sealed shares, to relay to the other trustees")] = None,
    election: Package = None,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """Round 2: seal a share of this trustee's key for every trustee."""
    e = _Election(election, server, election_id, token)
    e.require_destination(out, "sealed shares")
    anns = e.announcements(announcements)
    s = _own_secret(secret, anns)
    where = e.deliver(out, "/ceremony/shares", [x.to_json() for x in deal_shares(e.fingerprint, s, anns)])
    console.print(f"trustee {s.index}: {e.count} sealed shares {where}")


def receive(
    secret: Secret,
    announcements: Annotated[
        list[Path] | None, typer.Option("--announcement", help="every trustee's announcement")
    ] = None,
    shares: Annotated[list[Path] | None, typer.Option("--shares", help="every trustee's sealed shares file")] = None,
    out: Annotated[Path | None, typer.Option(help="the confirmation to send to the organizer")] = None,
    election: Package = None,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """Round 3: open and check the shares sent to this trustee; names any trustee who cheated."""
    e = _Election(election, server, election_id, token)
    e.require_destination(out, "confirmation")
    anns = e.announcements(announcements)
    s = _own_secret(secret, anns)
    sealed = []
    if e.client is not None:
        sealed = [SealedShare.from_json(x) for x in e.client.get(e.base + "/ceremony/shares")]
    for p in shares or []:
        data = read_json(p, "sealed shares")
        if not isinstance(data, list):
            raise InvalidEncoding(f"{p}: expected a list of sealed shares")
        sealed += [SealedShare.from_json(x) for x in data]
    updated, confirmation = receive_shares(e.fingerprint, s, anns, sealed, e.identities)
    _replace_private(secret, updated.to_json())
    where = e.deliver(out, "/ceremony/confirmation", confirmation.to_json())
    console.print(f"trustee {s.index}: all shares check out; confirmation {where}")


def _verified(
    record: Path | None, server: str | None, election_id: str | None, token: str | None, observed: Observed
) -> tuple[Any, Client | None, str | None]:
    """The record, downloaded if need be, verified here: its ledger, the client, the election id."""
    from vecha.verify.checks import verify_record_ledger

    if (record is None) == (server is None):
        raise CliError("give the record (--record) or a server (--server), one of them")
    with tempfile.TemporaryDirectory(prefix="vecha-record-") as tmp:
        client = None
        if server is not None:
            client = Client(server, token)
            election_id = client.election_id(election_id)
            record = Path(tmp) / "record"
            client.download_record(election_id, record)
        assert record is not None
        return verify_record_ledger(record, observed=observed), client, election_id


def mix(
    identity_file: Annotated[Path, typer.Option("--identity", help="this trustee's identity key file")],
    record: Annotated[Path | None, typer.Option(help="the exported record after the close (or the last mix)")] = None,
    out: Annotated[Path | None, typer.Option(help="this trustee's mix")] = None,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """A mixed election (spec §7.5): verify the record, then shuffle the ballots that the
    previous mix left (the first mixer: the counted ballots), prove it and sign it with this
    trustee's identity key. The permutation is forgotten as soon as the proof is made.

    With --server, the record is downloaded and verified here, and the mix uploaded."""
    from vecha.election.mixing import make_mix

    if out is None and server is None:
        raise CliError("give --out (where to write the mix) or --server (to upload it)")
    ident = TrusteeIdentity.from_json(read_json(identity_file, "trustee identity"))
    ledger, client, election_id = _verified(record, server, election_id, token, ())
    definition = ledger.defined().definition
    if not definition.mix:
        raise CliError("this election adds its ballots up: its trustees do not mix")
    if definition.coercion:
        raise CliError("a coercion-resistant election's count has more steps: use `vecha trustee filter`")
    identities = definition.trustees.identity_keys()
    if ident.public not in identities:
        raise CliError(f"{identity_file} is not the identity of a trustee of this election")
    index = identities.index(ident.public) + 1
    if ledger.phase not in (Phase.CLOSED, Phase.MIXING):
        raise CliError(f"there is nothing to mix now (phase {ledger.phase.name.lower()})")
    if ledger.mixes + 1 != index:
        raise CliError(f"trustee {ledger.mixes + 1} mixes next; you are trustee {index}")
    inputs = ledger.mix_inputs()
    if not inputs:
        raise CliError("no ballot was counted: there is nothing to mix")
    with console.status(f"mixing {len(inputs)} ballots and proving it"):
        made = make_mix(ledger.fingerprint, ledger.context().public_key, ident, index, inputs).canonical_json()
    if out is not None:
        write_out(out, made)
    if client is not None:
        client.post_canonical(f"/elections/{election_id}/mixes", made)
    where = f"in {out}" if out is not None else "uploaded"
    console.print(f"trustee {index}: mix of {len(inputs)} ballots {where}")


def decrypt(
    secret: Secret,
    record: Annotated[Path | None, typer.Option(help="the exported record after the tally")] = None,
    out: Annotated[Path | None, typer.Option(help="this trustee's partial decryption")] = None,
    checkpoint_files: CheckpointFiles = None,
    observers: ObserverUrls = None,
    no_observers: Annotated[
        bool,
        typer.Option(
            "--no-observers",
            help="decrypt without comparing the board with anyone else's checkpoints (only if you watched it yourself)",
        ),
    ] = False,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """Verify the whole record, check that it is the history observers saw, then decrypt the
    tally's aggregate (and nothing else), or in a mixed election the last mix's ballots. A
    trustee decrypts one tally (or mix) per election, never a second.

    With --server, the record is downloaded and verified here, and the decryption uploaded."""

    if (record is None) == (server is None):
        raise CliError("give the record (--record) or a server (--server), one of them")
    if out is None and server is None:
        raise CliError("give --out (where to write the decryption)")
    if not (checkpoint_files or observers or no_observers):
        raise CliError(
            "compare the board with checkpoints others saw before decrypting: give --observer URL (a mirror) "
            "or --checkpoints FILE (an observer's), or --no-observers if you watched the board yourself"
        )
    s = _secret(secret)
    observed = gather_observed(checkpoint_files, observers, election_id)
    ledger, client, election_id = _verified(record, server, election_id, token, observed)
    mixed = ledger.defined().definition.mix
    if mixed and ledger.phase not in (Phase.MIXED, Phase.DECRYPTING):
        raise CliError("the ballots are not mixed by every trustee yet (or the result is already out)")
    if not mixed and (ledger.phase not in (Phase.TALLIED, Phase.DECRYPTING) or ledger.tally is None):
        raise CliError("the record has no tally to decrypt (or the result is already out)")
    confirmations = ledger.voting().confirmations
    if s.key_share is None or confirmations[s.index - 1].verification_key != Point.base_mul(s.key_share):
        raise CliError("this secret does not belong to a trustee of this election")
    if mixed:
        digest = rows_digest(ledger.mixed)
    else:
        assert ledger.tally is not None
        digest = tally_digest(ledger.tally.counted, ledger.tally.aggregate)
    if s.decrypted is not None and s.decrypted != digest:
        raise CliError(
            "this trustee already decrypted another tally (or mix) of this election; decrypting a second one "
            "could reveal single ballots (two boards of one election: the box forked its history)"
        )
    if s.decrypted is None:  # kept before the decryption leaves this machine
        _replace_private(secret, s.with_decrypted(digest).to_json())
    if mixed:
        # written as canonical JSON share by share, and sent as those bytes: the mixed ballots
        # of a large election are half a million shares, some 1 GB as objects (spec §7.5)
        shares = decrypt_rows_canonical(ledger.fingerprint, s, ledger.mixed)
        body = b'{"election":"%b","shares":%b,"trustee":%d}' % (ledger.fingerprint.hex().encode(), shares, s.index)
        del shares
        what = f"{len(ledger.mixed)} mixed ballots"
        if out is not None:
            write_out(out, body)
        if client is not None:
            client.post_canonical(f"/elections/{election_id}/decryptions", body)
    else:
        assert ledger.tally is not None
        tally_shares = partial_decrypt(ledger.fingerprint, s, ledger.tally.aggregate)
        what = f"{ledger.tally.counted} counted ballots"
        decryption = {
            "election": ledger.fingerprint.hex(),
            "trustee": s.index,
            "shares": [[x.to_json() for x in row] for row in tally_shares],
        }
        if out is not None:
            write_out(out, decryption)
        if client is not None:
            client.post(f"/elections/{election_id}/decryptions", decryption)
    where = f"in {out}" if out is not None else "uploaded"
    console.print(f"trustee {s.index}: partial decryption of {what} {where}")


#: where each kind of the count's entries goes on the box
_COUNT_PATHS = {"mix": "mixes", "raising": "raisings", "tag-decryption": "tag-decryptions"}


def filter_step(
    identity_file: Annotated[Path, typer.Option("--identity", help="this trustee's identity key file")],
    secret: Secret,
    record: Annotated[Path | None, typer.Option(help="the exported record after the close")] = None,
    out: Annotated[Path | None, typer.Option(help="this trustee's entry")] = None,
    checkpoint_files: CheckpointFiles = None,
    observers: ObserverUrls = None,
    no_observers: Annotated[
        bool,
        typer.Option(
            "--no-observers",
            help="go on without comparing the board with anyone else's checkpoints (only if you watched it yourself)",
        ),
    ] = False,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="with --server: stay, checking every new entry, and make each of this trustee's parts as its "
            "turn comes, until the rows that count are known (the record is verified once, not at every step)",
        ),
    ] = False,
    server: Server = None,
    election_id: ElectionId = None,
    token: Token = None,
) -> None:
    """A coercion-resistant election (spec §7.6): verify the record, check that it is the
    history observers saw, then make this trustee's next part of the count — a mix, the
    raising of a tag column (to a fresh secret exponent, forgotten once proven), or its
    decryption shares of a raised column — whichever the count is at. Run it again until it
    says the rows that count are known (or once, with --follow); then `vecha trustee decrypt`.

    With --server, the record is downloaded and verified here, and the entry uploaded."""
    import time

    from vecha.record.coercion_count import Step

    if out is None and server is None:
        raise CliError("give --out (where to write the entry) or --server (to upload it)")
    if follow and server is None:
        raise CliError("--follow works with --server: it watches the board for the other trustees' entries")
    if not (checkpoint_files or observers or no_observers):
        raise CliError(
            "compare the board with checkpoints others saw before working on its ballots: give --observer URL "
            "or --checkpoints FILE, or --no-observers if you watched the board yourself"
        )
    ident = TrusteeIdentity.from_json(read_json(identity_file, "trustee identity"))
    s = _secret(secret)
    observed = gather_observed(checkpoint_files, observers, election_id)
    ledger, client, election_id = _verified(record, server, election_id, token, observed)
    definition = ledger.defined().definition
    if not definition.coercion:
        raise CliError("this election is not coercion-resistant: use `vecha trustee mix` and `decrypt`")
    if ledger.coercion is None:
        raise CliError(f"the count starts after the close (phase {ledger.phase.name.lower()})")
    identities = definition.trustees.identity_keys()
    if ident.public not in identities or identities.index(ident.public) + 1 != s.index:
        raise CliError(f"{identity_file} and {secret} are not the identity and secret of one trustee of this election")
    confirmations = ledger.voting().confirmations
    if s.key_share is None or confirmations[s.index - 1].verification_key != Point.base_mul(s.key_share):
        raise CliError("this secret does not belong to a trustee of this election")
    while True:
        count = ledger.coercion
        if count.step is Step.COUNTED:
            if follow:
                console.print(
                    f"trustee {s.index}: the rows that count are known; decrypt them with `vecha trustee decrypt`"
                )
                return
            raise CliError("the rows that count are known: decrypt them with `vecha trustee decrypt`")
        made = _count_part(count, s, ident, secret)
        if made is None and not follow:
            raise CliError(f"the count waits for {count.step.describe()} by another trustee, not by trustee {s.index}")
        if made is not None:
            kind, payload = made
            if out is not None:
                write_out(out, payload)
            where = f"in {out}" if out is not None else "uploaded"
            if client is not None:
                try:
                    client.post_canonical(
                        f"/elections/{election_id}/{_COUNT_PATHS[kind.value]}", canonical_bytes(payload)
                    )
                except ServerError as e:
                    # following, another trustee may have completed this step first (t of n
                    # decrypt): the board then refuses this entry, and the count goes on
                    step = count.step
                    if not (
                        follow
                        and e.status == 409
                        and _catch_up(client, election_id or "", ledger)
                        and ledger.coercion.step is not step
                    ):
                        raise
                    where = "not needed (the step was complete)"
            console.print(f"trustee {s.index}: {count.step.describe()} of {len(count.current)} rows {where}")
            s = _secret(secret)  # a tag decryption's digest was kept in it
        if not follow:
            return
        assert client is not None and election_id is not None
        if not _catch_up(client, election_id, ledger):
            time.sleep(2)


def _catch_up(client: Client, election_id: str, ledger: Any) -> int:
    """The board's new entries (this trustee's own among them), each checked as the verifier
    checks it, applied to the verified ledger; returns how many."""
    from vecha.record.entries import Entry

    page = client.get(f"/elections/{election_id}/board", start=ledger.height, limit=20)
    for raw in page["entries"]:
        ledger.apply(Entry.from_json(raw))
    return len(page["entries"])


def _count_part(count: Any, s: TrusteeSecret, ident: TrusteeIdentity, secret: Path) -> Any:
    """This trustee's entry for the step the count is at, or None if it is not its turn."""
    from vecha.record.coercion_count import trustee_entry

    if count.step.entry_type == "tag-decryption" and s.index not in count.shares:
        # one raised column per kind, ever: a second one would come from a forked board
        kind, digest = count.step.kind, rows_digest(count.current)
        if dict(s.tag_decrypted).get(kind, digest) != digest:
            raise CliError(
                f"this trustee already decrypted another {kind} column of this election; decrypting a second one "
                "could link ballots (two boards of one election: the box forked its history)"
            )
        _replace_private(secret, s.with_tag_decrypted(kind, digest).to_json())  # kept before the shares leave
    assert s.key_share is not None
    with console.status(f"{count.step.describe()}: {len(count.current)} rows"):
        return trustee_entry(count, s.index, ident, s.key_share)


def chaff(
    up_to: Annotated[
        int, typer.Option("--up-to", min=1, max=100_000, help="cast a random number of chaff ballots, 0 to this")
    ],
    server: Annotated[str, typer.Option("--server", help="the ballot box (or a mirror) to cast them through")],
    election_id: ElectionId = None,
) -> None:
    """A coercion-resistant election (docs/coercion.md §5.3): cast chaff ballots, each with a
    fresh random code, while voting is open. They are never counted; they hide how many fake
    codes voters used. The number is drawn here and shown only here: run it at random times
    during the vote, from several trustees, so that nobody can tell chaff from fake codes."""
    import secrets as random

    from vecha.election.coercion_ballot import make_chaff
    from vecha.record.package import load_package

    client = Client(server)
    eid = client.election_id(election_id)
    ctx = load_package(client.get(f"/elections/{eid}/package"))
    if not ctx.definition.coercion:
        raise CliError("chaff is for a coercion-resistant election")
    count = random.randbelow(up_to + 1)
    with console.status(f"casting {count} chaff ballots"):
        for _ in range(count):
            client.post(f"/elections/{eid}/ballots", {"ballot": make_chaff(ctx).to_json(), "channel": "app"})
    console.print(f"cast {count} chaff ballots (keep the number to yourself)")
