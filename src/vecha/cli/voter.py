"""The registrar's and the voter's commands."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from vecha.cli.boxes import RemoteElectionId as ElectionId
from vecha.cli.boxes import RemoteServer as Server
from vecha.cli.common import CliError, console, read_json, write_out
from vecha.cli.registration import signed_credential_of
from vecha.client import Client
from vecha.election.ballot import audit_data, check_audit, encrypt_ballot, selections_from_labels
from vecha.election.coercion_ballot import make_coercion_ballot
from vecha.election.credentials import Credential, new_code
from vecha.record.package import load_package, setup_ledger
from vecha.record.receipt import Receipt, check_receipt

__all__ = ["register"]

Package = Annotated[Path, typer.Option("--election", help="the election package from the organizer")]


def register(app: typer.Typer) -> None:
    app.command("issue-credentials")(issue_credentials)
    app.command()(vote)
    app.command("fake-code")(fake_code)
    app.command("check-receipt")(check_receipt_command)
    app.command("audit")(audit_command)
    app.command("check-booth")(check_booth)


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
    credential: Annotated[str | None, typer.Option(help="your credential code")] = None,
    choice: Annotated[
        list[str] | None, typer.Option(help="QUESTION=OPTION (repeatable; omit a question to leave it blank)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="where to write the encrypted ballot")] = None,
    election: Annotated[
        Path | None, typer.Option("--election", help="the election package (default: election.json, or --server's)")
    ] = None,
    server: Server = None,
    election_id: ElectionId = None,
    receipt_out: Annotated[
        Path | None,
        typer.Option(
            "--receipt", help="with --server: where to keep the receipt (default: receipt.json, or the next free)"
        ),
    ] = None,
    audit: Annotated[
        Path | None,
        typer.Option(
            help="audit instead of voting: write the encryption's randomness here (checked with vecha audit); "
            "the ballot is never signed nor cast"
        ),
    ] = None,
    registration: Annotated[
        Path | None,
        typer.Option(help="your registration file (from vecha register), instead of --credential"),
    ] = None,
    rank: Annotated[
        list[str] | None,
        typer.Option(help="QUESTION=FIRST,SECOND,… for a ranked question, most preferred first"),
    ] = None,
    grade: Annotated[
        list[str] | None,
        typer.Option(help="QUESTION=CANDIDATE=GRADE for a graded question (repeatable; ungraded: the lowest grade)"),
    ] = None,
    qr: Annotated[
        Path | None,
        typer.Option(
            help="also write the signed ballot as QR codes (PNG) into this directory: anyone can cast them later, "
            "through any mirror (vecha cast --qr)"
        ),
    ] = None,
    replaces: Annotated[
        str | None,
        typer.Option(
            help="a coercion-resistant election: the tracking code (or the receipt file) of your last ballot with "
            "this code, which this one replaces; without it, the latest of your ballots that name none counts"
        ),
    ] = None,
) -> None:
    """Voter: encrypt and sign a ballot on this machine (the code never leaves it).

    With --server, the ballot is also cast: the receipt is checked against the board's key,
    saved, and the ballot looked up on the board. Voting again later replaces this ballot."""
    if receipt_out is not None and receipt_out.exists():
        raise CliError(f"{receipt_out} exists (the receipt of an earlier vote?); give another --receipt")
    client = None
    if server is not None:
        client = Client(server)
        election_id = client.election_id(election_id)
        package = client.get(f"/elections/{election_id}/package")
    else:
        package = read_json(election or Path("election.json"), "election package")
    ledger = setup_ledger(package)
    ctx = load_package(package)
    choices: dict[str, list[str]] = {}
    for c in choice or []:
        if "=" not in c:
            raise CliError(f"--choice {c!r}: write QUESTION=OPTION")
        q, label = c.split("=", 1)
        choices.setdefault(q.strip(), []).append(label.strip())
    for r in rank or []:
        if "=" not in r:
            raise CliError(f"--rank {r!r}: write QUESTION=FIRST,SECOND,…")
        q, order = r.split("=", 1)
        if q.strip() in choices:
            raise CliError(f"--rank {r!r}: question {q.strip()} is ranked twice")
        choices[q.strip()] = [name.strip() for name in order.split(",")]
    for g in grade or []:
        if g.count("=") < 2:
            raise CliError(f"--grade {g!r}: write QUESTION=CANDIDATE=GRADE")
        q, pair = g.split("=", 1)
        choices.setdefault(q.strip(), []).append(pair.strip())
    selections = selections_from_labels(ctx.definition, choices)
    signed: dict[str, Any] | None = None
    if (credential is None) == (registration is None):
        raise CliError("give your credential code (--credential) or your registration file (--registration)")
    if registration is not None:
        credential, signed = signed_credential_of(registration, ctx.fingerprint, ctx.definition)
        signed = signed or None
    assert credential is not None
    if replaces is not None and not ctx.definition.coercion:
        raise CliError("--replaces is for a coercion-resistant election: here a later ballot replaces the earlier")
    if ctx.definition.coercion:
        made: Any = make_coercion_ballot(ctx, credential, selections, _tracker_of(replaces))
    else:
        made = encrypt_ballot(ctx, Credential.from_code(credential, ctx.fingerprint), selections)
    if audit is not None and ctx.definition.coercion:
        raise CliError("auditing a coercion-resistant election's ballot is not built yet (the booth's audit is)")
    if audit is not None:
        # The audited ballot is spent: its randomness is out, so it is written unsigned and
        # never cast (spec §6.6). Vote again to make a fresh ballot to cast.
        write_out(audit, audit_data(ctx, made))
        console.print(f"audit data in {audit} (tracking code {made.ballot.tracker()}): check it with vecha audit")
        return
    ballot = made.ballot
    tracker = ballot.tracker()
    submission: dict[str, Any] = {"ballot": ballot.to_json(), "channel": "app"}
    if signed is not None:  # register and vote in one request (the box ignores it once registered)
        submission["registration"] = signed
    if qr is not None:
        images = write_qr_codes(qr, submission, tracker)
        console.print(f"{len(images)} QR code(s) in {qr}; tracking code {tracker}")
    if (out is not None or client is None) and not (qr is not None and out is None and client is None):
        out = out or Path("ballot.json")
        write_out(out, ballot.to_json())
        console.print(f"ballot written to {out}; tracking code {tracker}")
    if client is None:
        return
    base = f"/elections/{election_id}"
    status, body = client.post_status(base + "/ballots", submission)
    receipt = Receipt.from_json(body)
    receipt.verify(ledger.defined().board_key)
    if receipt.tracker != tracker or receipt.election != election_id:
        raise CliError("the server's receipt is for another ballot; keep your ballot file and report this")
    receipt_out = receipt_out or _free_receipt_path()
    write_out(receipt_out, receipt.to_json())
    again = " (it was already there)" if status == 200 else ""
    console.print(f"cast{again}: tracking code {tracker}, board entry {receipt.index}; receipt in {receipt_out}")
    found = client.get(f"{base}/trackers/{tracker}")
    if found["index"] != receipt.index:
        raise CliError(f"the board shows this ballot at entry {found['index']}, the receipt says {receipt.index}")
    if ctx.definition.coercion:
        console.print(
            f"election fingerprint {ctx.fingerprint.hex()}: compare it with the one the organizers published. "
            "Your ballot is on the board. To vote again, give --replaces with this receipt: the last ballot of "
            "your real code counts, and no one can see from the board that you voted again."
        )
        return
    console.print(
        f"election fingerprint {ctx.fingerprint.hex()}: compare it with the one the organizers published. "
        "Your ballot is on the board and counts; if you vote again, the later ballot replaces it."
    )


def _tracker_of(replaces: str | None) -> bytes | None:
    """A tracking code given as such or as the receipt file that holds it."""
    if replaces is None:
        return None
    text = replaces.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        path = Path(replaces)
        if not path.exists():
            raise CliError(f"--replaces {replaces!r}: give a tracking code (64 hex digits) or a receipt file")
        text = Receipt.from_json(read_json(path, "receipt")).tracker
    return bytes.fromhex(text)


def fake_code() -> None:
    """A coercion-resistant election: print a fake credential code. It looks and works like
    your real one (the booth, this CLI and the box take it and give receipts), but its
    ballots do not count. Give it to anyone who forces you to vote or to hand over your code;
    vote later, alone, with your real code. Nothing is stored: write it down if you need it again."""
    console.print(new_code())


def _free_receipt_path() -> Path:
    """receipt.json, or receipt-2.json, … when an earlier vote's receipt is there (a re-vote
    must not lose the receipt of the ballot it replaces)."""
    path, k = Path("receipt.json"), 1
    while path.exists():
        k += 1
        path = Path(f"receipt-{k}.json")
    return path


def audit_command(
    data: Annotated[Path, typer.Argument(help="audit data from a booth or from vecha vote --audit")],
    election: Annotated[Path | None, typer.Option("--election", help="the election package (or use --server)")] = None,
    server: Server = None,
    election_id: ElectionId = None,
) -> None:
    """Anyone: check a booth's audited ballot with this implementation, not the booth's own code:
    the ballot re-encrypts from the revealed randomness to the marks shown, and was never signed."""
    if (election is None) == (server is None):
        raise CliError("give the election package (--election) or a server (--server), one of them")
    if server is not None:
        with Client(server) as client:
            package = client.get(f"/elections/{client.election_id(election_id)}/package")
    else:
        assert election is not None
        package = read_json(election, "election package")
    ctx = load_package(package)
    body, selections = check_audit(ctx, read_json(data, "audit data"))
    console.print(f"the audited ballot (tracking code {body.tracker()}) encrypts exactly these choices:")
    for q, marks in zip(ctx.definition.questions, selections, strict=True):
        chosen = [o.label for o, m in zip(q.option_list, marks, strict=True) if m] or ["(blank)"]
        console.print(f"  {q.id}: {', '.join(chosen)}")
    console.print("it was never signed, so no one can cast it; if these are not your choices, do not use that device")


def check_receipt_command(
    receipt: Annotated[Path, typer.Argument(help="the receipt the ballot box returned (JSON)")],
    record: Annotated[Path, typer.Option(help="the published election record")],
) -> None:
    """Voter: is my acknowledged ballot in the published record, and does it count?"""
    counts = check_receipt(record, Receipt.from_json(read_json(receipt, "receipt")))
    if counts:
        console.print("the receipt is genuine and your ballot is in the record; it counts")
    elif counts is None:
        console.print(
            "the receipt is genuine and your ballot is in the record, and so in the count's mix; in this "
            "coercion-resistant election the last ballot of your real code counts, and no single ballot shows it"
        )
    else:
        console.print(
            "the receipt is genuine and your ballot is in the record; a later ballot with the same "
            "credential replaced it"
        )


def write_qr_codes(directory: Path, submission: dict[str, Any], tracker: str) -> list[Path]:
    """The hand-off frames (spec §6.9) as PNG QR codes, `ballot-<tracker prefix>-k-of-n.png`."""
    import segno

    from vecha.election.handoff import frames_of

    frames = frames_of(submission)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for k, frame in enumerate(frames, start=1):
            path = directory / f"ballot-{tracker[:8]}-{k}-of-{len(frames)}.png"
            segno.make(frame, error="m", mode="byte", micro=False).save(str(path), kind="png", scale=6, border=4)
            paths.append(path)
    except OSError as e:
        raise CliError(f"cannot write the QR codes in {directory}: {e}") from None
    return paths


def read_qr_codes(images: list[Path]) -> dict[str, Any]:
    """The submission that these QR images (PNG or JPEG photos) carry (spec §6.9)."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    from vecha.election.handoff import submission_of

    frames: list[bytes] = []
    for path in images:
        try:
            with Image.open(path) as image:
                found = zxingcpp.read_barcodes(image)
        except (OSError, UnidentifiedImageError) as e:
            raise CliError(f"cannot read the image {path}: {e}") from None
        if not found:
            raise CliError(f"no QR code found in {path}")
        frames.extend(bytes(code.bytes) for code in found if code.format == zxingcpp.BarcodeFormat.QRCode)
    return submission_of(frames)


def check_booth(
    server: Annotated[str, typer.Option("--server", help="the entry point whose booth to check (a mirror, the box)")],
    election_id: ElectionId = None,
    election: Annotated[
        Path | None,
        typer.Option(
            "--election", help="the election package from somewhere else than --server (default: --server's own)"
        ),
    ] = None,
    fingerprint: Annotated[
        str | None, typer.Option(help="the election fingerprint as published by the organizer, to hold the package to")
    ] = None,
) -> None:
    """Does this entry point serve the booth the election pins (spec §8.7)? Every file that
    entry 0 pins is fetched from --server and its SHA-256 compared; a changed, missing or
    extra page is named. Take the package (--election) or the fingerprint from another
    source than the entry point you check: a dishonest mirror could serve a package of its
    own, but not one with the election's fingerprint."""
    import hashlib

    import httpx

    client = Client(server)
    election_id = client.election_id(election_id)
    package = (
        read_json(election, "election package")
        if election is not None
        else client.get(f"/elections/{election_id}/package")
    )
    ledger = setup_ledger(package)
    genesis = ledger.defined()
    if fingerprint is not None and fingerprint.strip().lower() != genesis.fingerprint.hex():
        raise CliError(f"the package is of fingerprint {genesis.fingerprint.hex()}, not the one given: do not use it")
    if not genesis.booth:
        raise CliError("this election pins no booth files (it was made without them): nothing to check")
    changed = []
    base = server.rstrip("/")
    with console.status(f"fetching {len(genesis.booth)} booth files from {server}"):
        for path, digest in genesis.booth.items():
            try:
                r = httpx.get(f"{base}/{path}", timeout=30)
            except httpx.HTTPError as e:
                raise CliError(f"{server} did not answer for {path}: {e}") from None
            if r.status_code != 200:
                changed.append(f"{path} (missing: HTTP {r.status_code})")
            elif hashlib.sha256(r.content).hexdigest() != digest:
                changed.append(f"{path} (changed)")
    if changed:
        raise CliError(
            f"{server} serves a booth that is not the election's: {', '.join(changed)}. Do not vote with it."
        )
    console.print(
        f"{server} serves the booth that election {election_id} pins: {len(genesis.booth)} files match "
        f"(fingerprint {genesis.fingerprint.hex()})"
    )
