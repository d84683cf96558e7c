"""Registration without a roll: the registrar's, the reviewers' and the applicant's commands.

vecha reviewer keygen                    a reviewer's sealing key (the public half goes in the definition)
vecha registrar init                     a registrar's keys (the public part goes in the definition)
vecha registrar setup | token | serve    take the election in, make reviewer tokens, run the service
vecha reviewer pending | decide          decrypt on this machine, decide
vecha registrar close                    no more applications; the signed count, to the ballot box
vecha register apply | status            the applicant's device: apply, then unblind the signatures
vecha check-credential                   did anyone but me vote with my credential?
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from vecha.cli.common import CliError, console, read_json, write_out
from vecha.client import Client
from vecha.election.application import Application, Evidence, PendingCredential, ReviewerKey, SealedEvidence
from vecha.election.credentials import Credential
from vecha.election.definition import Definition
from vecha.election.eligibility import RegistrarSignature
from vecha.errors import VechaError
from vecha.record.package import setup_ledger
from vecha.record.receipt import Receipt

__all__ = ["register", "RegistrationFile"]

RegistrarDb = Annotated[str, typer.Option("--db", help="the registrar's own store: a SQLite file or a database URL")]
KeyFile = Annotated[Path, typer.Option("--key", help="the registrar's key file (from vecha registrar init)")]
Eid = Annotated[str, typer.Option("--id", help="the election id")]
RegistrarUrl = Annotated[str, typer.Option("--registrar", help="the registrar service's URL")]
ReviewerToken = Annotated[str, typer.Option("--token", envvar="VECHA_REVIEWER_TOKEN", help="your reviewer token")]
ReviewerKeyFile = Annotated[Path, typer.Option("--key", help="your reviewer key file (from vecha reviewer keygen)")]


def register(app: typer.Typer) -> None:
    registrar = typer.Typer(help="The registrar: keys, its own service and store, the close.", no_args_is_help=True)
    app.add_typer(registrar, name="registrar")
    registrar.command("init")(registrar_init)
    registrar.command("setup")(registrar_setup)
    registrar.command("token")(registrar_token)
    registrar.command("serve")(registrar_serve)
    registrar.command("close")(registrar_close)
    registrar.command("approvals")(registrar_approvals)
    registrar.command("audit")(registrar_audit)
    reviewer = typer.Typer(help="A reviewer: a sealing key, and deciding applications.", no_args_is_help=True)
    app.add_typer(reviewer, name="reviewer")
    reviewer.command("keygen")(reviewer_keygen)
    reviewer.command("pending")(reviewer_pending)
    reviewer.command("decide")(reviewer_decide)
    applicant = typer.Typer(help="An applicant: apply for a credential, then collect it.", no_args_is_help=True)
    app.add_typer(applicant, name="register")
    applicant.command("apply")(register_apply)
    applicant.command("status")(register_status)
    app.command("check-credential")(check_credential)


def _private_out(path: Path, value: Any) -> None:
    """Write a secret file readable by its owner alone; never over an existing one."""
    if path.exists():
        raise CliError(f"{path} exists; refusing to overwrite a key or registration file")
    write_out(path, value)
    path.chmod(0o600)


# ---- reviewers ---------------------------------------------------------------------------


def reviewer_keygen(out: Annotated[Path, typer.Option(help="where to write the key file (keep it private)")]) -> None:
    """A reviewer: make the key that opens applicants' evidence (on your own machine). Give the
    public key it prints to the registrar, for the election definition."""
    key = ReviewerKey.new()
    _private_out(out, key.to_json())
    console.print(f"reviewer key in {out}; public key (for the definition): {key.public.hex()}")


def _review(url: str, election: str, token: str) -> tuple[Client, dict[str, Any]]:
    client = Client(url, token=token)
    return client, client.get(f"/registrar/{election}/review", limit=500)


def _definition_of(client: Client, election: str, package: Path | None) -> tuple[Definition, bytes]:
    info = client.get(f"/registrar/{election}")
    if package is None:
        raise CliError("give the election package (--election) to check the registrar's keys against it")
    ledger = setup_ledger(read_json(package, "election package"))
    if ledger.fingerprint.hex() != info["fingerprint"]:
        raise CliError("the registrar registers for another election than this package's (fingerprints differ)")
    return ledger.defined().definition, ledger.fingerprint


def _open_all(
    definition: Definition, fp: bytes, registrar: str, reviewer: int, key: ReviewerKey, items: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], Evidence]]:
    rules = definition.registration
    assert rules is not None
    spec = rules.registrar(registrar)
    if spec.reviewers[reviewer - 1] != key.public.hex():
        raise CliError(f"this key is not reviewer {reviewer}'s of registrar {registrar} in the definition")
    out = []
    for item in items:
        sealed = SealedEvidence.from_json(item["evidence"], len(spec.reviewers), 1 << 40)
        out.append((item, sealed.open(fp, registrar, reviewer, key, rules)))
    return out


def reviewer_pending(
    registrar: RegistrarUrl,
    election: Eid,
    token: ReviewerToken,
    key: ReviewerKeyFile,
    package: Annotated[Path | None, typer.Option("--election", help="the election package")] = None,
    files: Annotated[Path | None, typer.Option(help="a directory to save the attachments in")] = None,
) -> None:
    """A reviewer: the applications waiting for you, decrypted on this machine (the key never
    leaves it), with duplicates flagged."""
    reviewer_key = ReviewerKey.from_json(read_json(key, "reviewer key"))
    client, page = _review(registrar, election, token)
    definition, fp = _definition_of(client, election, package)
    info = client.get(f"/registrar/{election}")
    opened = _open_all(definition, fp, info["registrar"], page["reviewer"], reviewer_key, page["applications"])
    if not opened:
        console.print("no application is waiting for you")
    for item, evidence in opened:
        console.print(f"[bold]{item['code']}[/bold] applied {item['applied']}")
        for name, value in evidence.fields.items():
            console.print(f"  {name}: {value}", markup=False)
        for name, (media, filename, data) in evidence.files.items():
            where = ""
            if files is not None:
                files.mkdir(parents=True, exist_ok=True)
                target = files / f"{item['code']}-{name}{mimetypes.guess_extension(media) or ''}"
                target.write_bytes(data)
                where = f", saved as {target}"
            console.print(f"  {name}: {filename} ({media}, {len(data)} bytes{where})", markup=False)
        for d in item["duplicates"]:
            console.print(f"  [red]same duplicate key as {d['code']} ({d['status']})[/red]")


def reviewer_decide(
    code: Annotated[str, typer.Argument(help="the application code")],
    registrar: RegistrarUrl,
    election: Eid,
    token: ReviewerToken,
    key: ReviewerKeyFile,
    approve: Annotated[bool, typer.Option("--approve/--reject", help="approve or reject")],
    reason: Annotated[str, typer.Option(help="why (a rejection's reason is shown to the applicant)")] = "",
    package: Annotated[Path | None, typer.Option("--election", help="the election package")] = None,
) -> None:
    """A reviewer: approve or reject an application (an approval sends the duplicate key as
    you decrypted it, so that an applicant who declared another one is caught)."""
    reviewer_key = ReviewerKey.from_json(read_json(key, "reviewer key"))
    client, page = _review(registrar, election, token)
    wanted = code.strip().upper()
    items = [i for i in page["applications"] if i["code"] == wanted]
    if not items:
        raise CliError(f"application {wanted} is not waiting for you (decided already, or unknown)")
    body: dict[str, Any] = {"decision": "approve" if approve else "reject", "reason": reason}
    if approve:
        definition, fp = _definition_of(client, election, package)
        info = client.get(f"/registrar/{election}")
        [(_, evidence)] = _open_all(definition, fp, info["registrar"], page["reviewer"], reviewer_key, items)
        assert definition.registration is not None
        body["duplicate_key"] = evidence.duplicate_values(definition.registration)
    outcome = client.post(f"/registrar/{election}/applications/{wanted}/decision", body)
    console.print(f"{wanted}: {outcome['status']}")


# ---- the registrar -------------------------------------------------------------------------


def registrar_init(
    registrar: Annotated[str, typer.Option("--id", help="the registrar's id (a-z, 0-9, -), e.g. bloc-a")],
    name: Annotated[str, typer.Option(help="its name, as pages show it")],
    reviewer: Annotated[list[str], typer.Option(help="a reviewer's public key (repeat, in reviewer order)")],
    key_out: Annotated[Path, typer.Option("--key-out", help="where to write the secret key file")],
    public: Annotated[Path, typer.Option(help="where to write its entry for the definition's registrars")],
    bits: Annotated[int, typer.Option(min=2048, max=8192, help="the RSA modulus size")] = 3072,
) -> None:
    """A registrar: make its keys (blind signatures, its count's signature, duplicate hashes,
    puzzles). The public part goes in the election definition's `registration.registrars`."""
    from vecha.election.eligibility import RegistrarSpec
    from vecha.registrar.keys import RegistrarKey

    key = RegistrarKey.new(registrar, bits)
    spec = key.public_spec(name, reviewer)
    try:
        RegistrarSpec.model_validate(spec)
    except ValueError as e:
        raise CliError(f"registrar: {str(e).splitlines()[-1].strip()}") from None
    _private_out(key_out, key.to_json())
    write_out(public, spec)
    console.print(f"registrar {registrar}: secret keys in {key_out}; its definition entry in {public}")


def _registrar_key(path: Path) -> Any:
    from vecha.registrar.keys import RegistrarKey

    return RegistrarKey.from_json(read_json(path, "registrar key"))


def _registrar_store(db: str) -> Any:
    from vecha.registrar.schema import tables
    from vecha.store.db import open_store

    return open_store(db, tables, secure_delete=True)


def registrar_setup(
    key: KeyFile,
    db: RegistrarDb = "registrar.sqlite",
    package: Annotated[Path | None, typer.Option("--election", help="the election package")] = None,
    server: Annotated[str | None, typer.Option("--server", help="or: the ballot box's URL (and --id)")] = None,
    election: Annotated[str | None, typer.Option("--id", help="the election id, with --server")] = None,
) -> None:
    """The registrar: take an election into its store (from the package or the ballot box)."""
    from vecha.registrar.service import setup_election

    if (package is None) == (server is None):
        raise CliError("give the election package (--election) or the ballot box (--server), one of them")
    if server is not None:
        with Client(server) as client:
            body = client.get(f"/elections/{client.election_id(election)}/package")
    else:
        assert package is not None
        body = read_json(package, "election package")
    registrar_key = _registrar_key(key)
    eid = setup_election(_registrar_store(db), body, registrar_key)
    console.print(f"registrar {registrar_key.registrar} registers for {eid} in {db}")


def registrar_token(
    election: Eid,
    reviewer: Annotated[int, typer.Option(min=1, help="the reviewer's number, as in the definition")],
    label: Annotated[str, typer.Option(help="who holds it, for the audit log")],
    db: RegistrarDb = "registrar.sqlite",
) -> None:
    """The registrar: a reviewer's token (printed once; the store keeps only its hash)."""
    from vecha.registrar.service import Registrar, create_reviewer_token

    engine = _registrar_store(db)
    reviewers = len(Registrar(engine, election).spec.reviewers)
    if reviewer > reviewers:
        raise CliError(f"the definition names {reviewers} reviewers for this registrar")
    console.print(create_reviewer_token(engine, election, reviewer, label))


def registrar_serve(
    key: Annotated[list[Path], typer.Option("--key", help="a registrar key file (repeat for several elections)")],
    db: RegistrarDb = "registrar.sqlite",
    host: Annotated[str, typer.Option(help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port to listen on")] = 8090,
    applications_per_second: Annotated[float, typer.Option(min=0.01, help="applications taken per second")] = 20.0,
) -> None:
    """Run the registrar's service: the registration page, applications, reviews, signatures.
    No access log; nothing about a client (address, user agent) is kept."""
    import logging

    import uvicorn

    from vecha.registrar.app import RegistrarSettings, create_registrar_app

    app = create_registrar_app(
        _registrar_store(db),
        [_registrar_key(k) for k in key],
        RegistrarSettings(applications_per_second=applications_per_second),
    )
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    logging.getLogger("uvicorn.access").disabled = True
    console.print(f"registrar service on http://{host}:{port}/register.html (API under /api/v1/registrar)")
    uvicorn.Server(config).run()


def registrar_close(
    key: KeyFile,
    election: Eid,
    db: RegistrarDb = "registrar.sqlite",
    server: Annotated[str | None, typer.Option("--server", help="the ballot box: post the count there")] = None,
    out: Annotated[Path | None, typer.Option(help="where to write the signed count")] = None,
) -> None:
    """The registrar: close registration (no more applications or decisions; undecided
    evidence destroyed) and sign the count of signatures issued; post it to the ballot box."""
    from vecha.registrar.service import Registrar

    count = Registrar(_registrar_store(db), election, _registrar_key(key)).close()
    if out is not None:
        write_out(out, count.to_json())
    console.print(f"registration closed: {count.issued} signatures issued (count signed by {count.registrar})")
    if server is not None:
        with Client(server) as client:
            client.post(f"/elections/{election}/registrar-counts", count.to_json())
        console.print("the count is on the ballot box's board")


def registrar_approvals(election: Eid, db: RegistrarDb = "registrar.sqlite") -> None:
    """The approved applications' codes and when each was signed (for sample audits)."""
    from vecha.registrar.service import Registrar

    for a in Registrar(_registrar_store(db), election).approvals():
        console.print(f"{a['code']}  applied {a['applied']}  signed {a['signed']}")


def registrar_audit(election: Eid, db: RegistrarDb = "registrar.sqlite") -> None:
    """The audit log: every application, decision and reason, signature and deletion."""
    from vecha.registrar.service import Registrar

    for a in Registrar(_registrar_store(db), election).audit_log():
        console.print(
            f"{a['time']}  {a['actor']}  {a['action']}  {a['code'] or ''}  {a['detail'] or ''}".rstrip(), markup=False
        )


# ---- the applicant -------------------------------------------------------------------------


class RegistrationFile:
    """The applicant's file: the credential code, the blinding secrets, the applications and
    the signatures. Secret: whoever holds it can vote in the applicant's name."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj

    @classmethod
    def read(cls, path: Path) -> RegistrationFile:
        obj = read_json(path, "registration file")
        if not isinstance(obj, dict) or obj.get("version") != 2 or "pending" not in obj:
            raise CliError(f"{path} is not a registration file")
        return cls(obj)

    @property
    def pending(self) -> PendingCredential:
        return PendingCredential.from_json(self.obj["pending"])

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".partial")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        write_out(tmp, self.obj)
        tmp.chmod(0o600)
        os.replace(tmp, path)


def _parse_pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise CliError(f"--{what} {item!r}: write NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = value
    return out


def register_apply(
    box: Annotated[str, typer.Option("--server", help="the ballot box's URL (for the election package)")],
    registrar: Annotated[list[str], typer.Option(help="REGISTRAR=URL: a registrar's id and service (repeat)")],
    out: Annotated[Path, typer.Option(help="where to keep your registration file (secret)")],
    election: Annotated[str | None, typer.Option("--id", help="the election id")] = None,
    field: Annotated[list[str] | None, typer.Option(help="FIELD=VALUE (repeat)")] = None,
    attach: Annotated[list[str] | None, typer.Option(help="FIELD=PATH: a file to attach (repeat)")] = None,
) -> None:
    """An applicant: apply for a credential. Your device makes the credential and sends each
    registrar only a blinded message and your evidence sealed to its reviewers."""
    if out.exists():
        raise CliError(f"{out} exists (an earlier application?); give another --out")
    with Client(box) as client:
        eid = client.election_id(election)
        package = client.get(f"/elections/{eid}/package")
    ledger = setup_ledger(package)
    rules = ledger.defined().definition.registration
    if rules is None:
        raise CliError(f"election {eid} has a roll: its registrar issues credentials, no one applies")
    urls = _parse_pairs(registrar, "registrar")
    for rid in urls:
        rules.registrar(rid)
    if len(urls) < rules.required:
        raise CliError(f"a credential needs the signatures of {rules.required} registrars; name that many")
    files: dict[str, tuple[str, str, bytes]] = {}
    for name, path in _parse_pairs(attach, "attach").items():
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise CliError(f"--attach {name}: cannot read {p} ({e})") from None
        files[name] = (mimetypes.guess_type(p.name)[0] or "application/octet-stream", p.name, data)
    evidence = Evidence.make(rules, _parse_pairs(field, "field"), files)
    # a coercion-resistant election's registrars sign the credential encrypted (a roll entry)
    key = ledger.context().public_key if ledger.defined().definition.coercion else None
    pending = PendingCredential.new(ledger.fingerprint, rules, sorted(urls), key)
    state = RegistrationFile(
        {"version": 2, "election": eid, "box": box, "pending": pending.to_json(), "applications": {}, "signatures": {}}
    )
    state.write(out)  # before anything is sent: the blinding secrets must survive a crash
    for rid, url in sorted(urls.items()):
        with Client(url) as reg:
            puzzle = reg.get(f"/registrar/{eid}/puzzle")
            started = time.perf_counter()
            body = Application.make(pending, rules, rid, evidence).to_json(
                bytes.fromhex(puzzle["seed"]), puzzle["bits"]
            )
            spent = time.perf_counter() - started
            answer = reg.post(f"/registrar/{eid}/applications", body)
        state.obj["applications"][rid] = {"registrar": url, "code": answer["code"]}
        state.write(out)
        console.print(f"applied to {rid}: application code {answer['code']} (puzzle solved in {spent:.1f} s)")
    console.print(f"keep {out} private; check with: vecha register status {out}")


def register_status(
    registration: Annotated[Path, typer.Argument(help="your registration file")],
) -> None:
    """An applicant: the decisions on your applications; once approved, your device unblinds
    the signatures and your credential is ready (vote with vecha vote --registration)."""
    state = RegistrationFile.read(registration)
    eid = state.obj["election"]
    if state.obj.get("box"):
        with Client(state.obj["box"]) as client:
            package = client.get(f"/elections/{eid}/package")
    else:  # a file from the registration page: the registrar serves the definition too
        if not state.obj["applications"]:
            raise CliError(f"{registration} holds no application yet: apply first")
        first = min(state.obj["applications"].values(), key=lambda a: a["registrar"])
        with Client(first["registrar"]) as client:
            package = client.get(f"/registrar/{eid}/package")
    ledger = setup_ledger(package)
    rules = ledger.defined().definition.registration
    if rules is None or ledger.fingerprint.hex() != state.obj["pending"]["fingerprint"]:
        raise CliError("the ballot box serves another election than the one you applied for")
    pending = state.pending
    for rid, app in sorted(state.obj["applications"].items()):
        if rid in state.obj["signatures"]:
            console.print(f"{rid}: approved, signature unblinded")
            continue
        with Client(app["registrar"]) as reg:
            status = reg.get(f"/registrar/{eid}/applications/{app['code']}")
            if status["status"] == "approved":
                blind = reg.post(
                    f"/registrar/{eid}/applications/{app['code']}/signature", {"blinded": pending.blinded[rid].hex()}
                )
                signature = pending.finalize(rules, rid, bytes.fromhex(blind["blind_signature"]))
                state.obj["signatures"][rid] = signature.to_json()
                state.write(registration)
        reason = f": {status['reason']}" if status.get("reason") else ""
        console.print(f"{rid} ({app['code']}): {status['status']}{reason}")
        if status["status"] == "rejected":
            console.print("  you may apply again (vecha register apply, with a new --out)")
    have = len(state.obj["signatures"])
    if have >= rules.required and pending.roll is not None:
        _post_roll_entry(state, registration, rules, eid)
    elif have >= rules.required:
        console.print(
            f"your credential is ready ({have} signatures). Your credential code: {pending.code} — "
            "vote with vecha vote --registration " + str(registration)
        )
    else:
        console.print(f"{have} of the {rules.required} signatures needed so far")


def _post_roll_entry(state: RegistrationFile, path: Path, rules: Any, eid: str) -> None:
    """A coercion-resistant election: post the roll entry to the box (through this machine's
    connection: use Tor or a mirror where that matters), then forget its randomness, so that
    not even this file can show which roll entry is the voter's."""
    pending = state.pending
    if pending.roll_randomness is not None:
        if not state.obj.get("box"):
            raise CliError("this registration file names no ballot box to post the roll entry to")
        signatures = [RegistrarSignature.from_json(x, rules) for x in state.obj["signatures"].values()]
        with Client(state.obj["box"]) as client:
            client.post(f"/elections/{eid}/roll-entries", pending.roll_entry(signatures).to_json())
        state.obj["pending"] = pending.forget_randomness().to_json()
        state.write(path)
    console.print(
        f"you are on the roll. Your credential code: {pending.code} — vote with vecha vote --registration {path}. "
        "If someone forces you to vote or to give them your code, make a fake code (vecha fake-code): it "
        "works everywhere like your real one, but its ballots do not count; vote again later with your real code."
    )


def signed_credential_of(path: Path, fingerprint: bytes, definition: Definition) -> tuple[str, dict[str, Any]]:
    """The credential code and the signed credential (JSON) from a registration file."""
    state = RegistrationFile.read(path)
    rules = definition.registration
    if rules is None:
        raise CliError("this election has a roll, not registration")
    pending = state.pending
    if pending.fingerprint != fingerprint:
        raise CliError(f"{path} is for another election")
    if definition.coercion:  # registered by its roll entry: the ballot carries nothing more
        if pending.roll_randomness is not None:
            raise CliError(f"{path}: your roll entry is not posted yet: run vecha register status")
        return pending.code, {}
    signatures = [RegistrarSignature.from_json(s, rules) for s in state.obj["signatures"].values()]
    if len(signatures) < rules.required:
        raise CliError(f"{path} has {len(signatures)} of the {rules.required} signatures: run vecha register status")
    return pending.code, pending.signed(signatures).to_json()


def check_credential(
    server: Annotated[str, typer.Option("--server", help="the ballot box (or a mirror)")],
    credential: Annotated[str | None, typer.Option(help="your credential code")] = None,
    registration: Annotated[Path | None, typer.Option(help="or: your registration file")] = None,
    receipt: Annotated[list[Path] | None, typer.Option(help="the receipts of the ballots you cast (repeat)")] = None,
    election: Annotated[str | None, typer.Option("--id", help="the election id")] = None,
) -> None:
    """A voter: every ballot on the board under your credential. With your receipts, any
    ballot you did not cast is named, and the command fails: someone voted in your name
    (vote again: your last ballot counts)."""
    if (credential is None) == (registration is None):
        raise CliError("give your credential code (--credential) or your registration file (--registration)")
    with Client(server) as client:
        eid = client.election_id(election)
        ledger = setup_ledger(client.get(f"/elections/{eid}/package"))
        if registration is not None:
            credential = RegistrationFile.read(registration).pending.code
        assert credential is not None
        public = Credential.from_code(credential, ledger.fingerprint).public.hex()
        found = client.get(f"/elections/{eid}/credentials/{public}")
    board_key = ledger.defined().board_key
    mine: set[str] = set()
    for path in receipt or []:
        r = Receipt.from_json(read_json(path, "receipt"))
        try:
            r.verify(board_key)
        except VechaError as e:
            raise CliError(f"{path}: {e}") from None
        mine.add(r.tracker)
    if not found["listed"]:
        console.print("your credential is not on the board yet: no ballot can have been cast with it")
        return
    ballots = found["ballots"]
    console.print(f"{len(ballots)} ballot(s) on the board under your credential:")
    strangers = []
    for b in ballots:
        note = " (counts)" if b["counts"] else ""
        if receipt and b["tracker"] not in mine:
            strangers.append(b)
            note += " — NOT one of your receipts"
        console.print(f"  entry {b['index']}  {b['time']}  {b['tracker']}{note}")
    if strangers:
        raise CliError(
            f"{len(strangers)} ballot(s) under your credential are not yours: someone has your code; "
            "vote again (the last ballot counts) and tell the organizers"
        )
    if receipt:
        console.print("every ballot under your credential is one you cast")
