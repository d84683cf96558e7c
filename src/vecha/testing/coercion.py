"""A coercion-resistant election for tests and benchmarks, run through the store: registrars
blind-sign roll entries, voters cast with real and fake codes (re-voting, naming their last
ballot or not), the trustees run the whole count, and the record is exported."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vecha.crypto import blind_rsa
from vecha.election.ballot import selections_from_labels
from vecha.election.coercion import credential_point
from vecha.election.coercion_ballot import make_coercion_ballot
from vecha.election.coercion_roll import RollEntry, encrypt_credential, make_roll_entry, roll_message
from vecha.election.context import ElectionContext
from vecha.election.credentials import new_code
from vecha.election.eligibility import RegistrarCount, RegistrarSignature, count_body
from vecha.election.mixing import decrypt_rows
from vecha.election.trustees import TrusteeSecret, local_ceremony
from vecha.record.coercion_count import Step, trustee_entry
from vecha.store.board import Board, open_store
from vecha.store.coercion import add_count_entry, register_roll_entry
from vecha.store.organizer import (
    add_decryption,
    close_voting,
    export_record,
    open_voting,
    post_registrar_count,
    publish_result,
    record_ceremony,
)
from vecha.testing.records import SMALL_DEFINITION, fixed_identities
from vecha.testing.registration import RegistrarSetup, make_registrars, with_registration

__all__ = [
    "COERCION_DEFINITION",
    "CoercionElection",
    "coercion_election",
    "fresh_code",
    "registrar_count",
    "run_count",
    "sign_roll_entry",
]

COERCION_DEFINITION: dict[str, Any] = {
    **SMALL_DEFINITION,
    "id": "coercion-test",
    "mix": True,
    "coercion": True,
    "questions": [{"id": "yesno", "title": "Yes or no?", "options": ["Yes", "No"], "min": 1, "max": 1}],
}


def sign_roll_entry(fingerprint: bytes, key: Any, code: str, setups: Sequence[RegistrarSetup]) -> RollEntry:
    """A device's roll entry for `code`, blind-signed by every registrar (the registrar's
    side done here with its key, as its service would after approving the application)."""
    credential, r = encrypt_credential(key, credential_point(fingerprint, code))
    message = roll_message(fingerprint, credential)
    signatures = []
    for s in setups:
        public = s.key.blind.public
        prepared = blind_rsa.prepare(message)
        blinded = blind_rsa.blind(public, prepared)
        blind_signature = blind_rsa.blind_sign(s.key.blind, blinded.message)
        signature = blind_rsa.finalize(public, prepared, blind_signature, blinded)
        signatures.append(RegistrarSignature(s.key.registrar, prepared[: blind_rsa.PREFIX_LENGTH], signature))
    return make_roll_entry(fingerprint, credential, r, signatures)


@dataclass
class Voter:
    """A registered voter's device: its real code and the tracking code of its last ballot."""

    code: str
    last: bytes | None = None


@dataclass
class CoercionElection:
    directory: Path
    board: Board
    trustees: list[TrusteeSecret]
    setups: list[RegistrarSetup]
    voters: list[Voter]
    ctx: ElectionContext
    #: (code, the voter's choice labels, tracking code) of every ballot cast, in board order
    cast: list[tuple[str, dict[str, list[str]], bytes]] = field(default_factory=list)

    def vote(self, code: str, choice: dict[str, list[str]], replaces: bytes | None = None) -> bytes:
        values = selections_from_labels(self.ctx.definition, choice)
        made = make_coercion_ballot(self.ctx, code, values, replaces)
        receipt = self.board.cast(made.ballot.to_json())
        tracker = bytes.fromhex(receipt.tracker)
        self.cast.append((code, choice, tracker))
        return tracker

    def revote(self, voter: Voter, choice: dict[str, list[str]], name_last: bool = True) -> bytes:
        voter.last = self.vote(voter.code, choice, voter.last if name_last else None)
        return voter.last

    @property
    def record(self) -> Path:
        return self.directory / "record"


def coercion_election(
    directory: Path,
    voters: int = 4,
    definition: dict[str, Any] | None = None,
    store: str | None = None,
    unregistered_roll: int = 0,
) -> CoercionElection:
    """Define, key and register a coercion-resistant election (`voters` roll entries, plus
    `unregistered_roll` entries for codes nobody votes with), then open it."""
    directory.mkdir(parents=True, exist_ok=True)
    setups = make_registrars(["north", "south"])
    parsed = with_registration(definition or COERCION_DEFINITION, setups, required=2)
    board = Board.create(open_store(store or str(directory / "box.sqlite")), parsed)
    fp = board.ledger.fingerprint
    identities = fixed_identities(parsed.trustees.count)
    trustees, anns, confs = local_ceremony(fp, parsed.trustees.threshold, identities)
    record_ceremony(board, anns, confs)
    ctx = board.ledger.context()
    people = [Voter(new_code()) for _ in range(voters)]
    for code in [p.code for p in people] + [new_code() for _ in range(unregistered_roll)]:
        register_roll_entry(board, sign_roll_entry(fp, ctx.public_key, code, setups).to_json())
    for s in setups:
        post_registrar_count(board, registrar_count(s, fp, voters + unregistered_roll))
    open_voting(board)
    return CoercionElection(directory, board, list(trustees), setups, people, ctx)


def registrar_count(setup: RegistrarSetup, fingerprint: bytes, issued: int) -> dict[str, Any]:
    """A registrar's signed count of the signatures it issued, as its service posts it."""
    body = count_body(setup.key.registrar, issued)
    return RegistrarCount(setup.key.registrar, issued, setup.key.sign("registrar-count", fingerprint, body)).to_json()


def run_count(
    e: CoercionElection,
    decrypting: tuple[int, ...] = (1, 3),
    until: Callable[[Step], bool] | None = None,
    export: bool = True,
) -> None:
    """Close, then let every trustee post what the count asks of it, in turn, until the rows
    that count are known (or `until` says stop); they are then decrypted by `decrypting` and
    the result published, and the record is exported."""
    close_voting(e.board)
    ledger, identities = e.board.ledger, fixed_identities(len(e.trustees))
    count = ledger.coercion
    assert count is not None
    while count.step is not Step.COUNTED:
        if until is not None and until(count.step):
            break
        for secret in e.trustees:
            if count.step.entry_type == "tag-decryption" and secret.index not in decrypting:
                continue
            assert secret.key_share is not None
            made = trustee_entry(count, secret.index, identities[secret.index - 1], secret.key_share)
            if made is not None:
                add_count_entry(e.board, made[0], made[1], secret.index)
                break
    if count.step is Step.COUNTED:
        if len(ledger.mixed):
            for j in decrypting:
                shares = decrypt_rows(ledger.fingerprint, e.trustees[j - 1], ledger.mixed)
                add_decryption(e.board, j, [[s.to_json() for s in row] for row in shares])
        publish_result(e.board)
    if export:
        export_record(e.board, e.record)


def fresh_code() -> str:
    """A fake code, as a voter's device makes one: any code at all."""
    return new_code()
