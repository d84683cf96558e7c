"""Record builders for tests: a small real election, and a way to rewrite its record.

`rewrite_record` plays a dishonest board: it changes entries and then recomputes every
hash link, the header and the checkpoints with the board's own signing key, so that only
the proofs and the rules can catch the change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.election.identity import TrusteeIdentity
from vecha.election.mixing import decrypt_rows, make_mix
from vecha.election.trustees import TrusteeSecret, local_ceremony, partial_decrypt
from vecha.record.archive import BOARD, CHECKPOINTS, HEADER, RESULT, read_checkpoints, write_json
from vecha.record.checkpoint import BoardKey, sign_checkpoint
from vecha.record.entries import GENESIS_PARENT, RECORD_VERSION, Entry, EntryType
from vecha.store.board import Board, open_store
from vecha.store.organizer import (
    add_decryption,
    add_mix,
    close_voting,
    export_record,
    open_voting,
    publish_credentials,
    publish_result,
    record_ceremony,
    tally,
)

__all__ = [
    "SMALL_DEFINITION",
    "BOOTH_DEFINITION",
    "WHOLE_BALLOT_DEFINITION",
    "BuiltElection",
    "build_election",
    "mix_and_publish",
    "rewrite_record",
    "read_lines",
    "fixed_identities",
    "trustees_of",
]


def fixed_identities(count: int) -> list[TrusteeIdentity]:
    """Fixed identity keys for test trustees 1..count (tests only: the seeds are public)."""
    return [TrusteeIdentity(hashlib.sha256(f"vecha test trustee {k}".encode()).digest()) for k in range(1, count + 1)]


def trustees_of(count: int, threshold: int) -> dict[str, Any]:
    """A definition's `trustees` member for the test trustees."""
    return {"count": count, "threshold": threshold, "identities": [i.public.hex() for i in fixed_identities(count)]}


SMALL_DEFINITION: dict[str, Any] = {
    "id": "small-test",
    "title": "Small test election",
    "trustees": trustees_of(3, 2),
    "questions": [
        {
            "id": "council",
            "kind": "list-pr",
            "title": "A list or a candidate",
            "lists": [{"name": "North", "candidates": ["Ann", "Bob"]}, {"name": "South", "candidates": ["Cat"]}],
            "seats": {"method": "sainte-lague", "seats": 3},
        },
        {"id": "yesno", "title": "Yes or no?", "options": ["Yes", "No"], "min": 1, "max": 1},
    ],
}


#: A mixed election with ranked, graded and open-list questions (spec §6.2, §9.7).
WHOLE_BALLOT_DEFINITION: dict[str, Any] = {
    **SMALL_DEFINITION,
    "id": "whole-ballots",
    "mix": True,
    "questions": [
        {
            "id": "board",
            "kind": "ranked",
            "title": "Rank the candidates",
            "candidates": ["Ala", "Bo", "Cy", "Dan"],
            "method": "stv",
            "seats": 2,
        },
        {"id": "chair", "kind": "ranked", "title": "Chair", "candidates": ["Ala", "Bo", "Cy"], "method": "schulze"},
        {
            "id": "judge",
            "kind": "graded",
            "title": "Grade them",
            "candidates": ["Ala", "Bo"],
            "grades": ["reject", "poor", "good", "excellent"],
        },
        {**SMALL_DEFINITION["questions"][0], "preferences": 2},
    ],
}

#: An election in three languages, as the booth shows it (browser tests, screenshots).
BOOTH_DEFINITION: dict[str, Any] = {
    "id": "council-2026",
    "title": {"en": "Council election", "be": "Выбары ў Раду", "ru": "Выборы в Совет"},
    "languages": ["be", "ru", "en"],
    "trustees": trustees_of(3, 2),
    "questions": [
        {
            "id": "council",
            "kind": "list-pr",
            "title": {"en": "The council", "be": "Рада", "ru": "Совет"},
            "lists": [
                {
                    "name": "North",
                    "text": {"be": "Поўнач", "ru": "Север", "en": "North"},
                    "candidates": ["Ann", "Bob"],
                    "candidate_text": {"Ann": {"be": "Ганна", "ru": "Анна"}},
                },
                {"name": "South", "candidates": ["Cat"]},
            ],
            "seats": {"method": "dhondt", "seats": 3},
        },
        {
            "id": "budget",
            "title": {"en": "Approve the budget?", "be": "Зацвердзіць бюджэт?", "ru": "Утвердить бюджет?"},
            "options": ["Yes", "No"],
            "option_text": {"Yes": {"be": "Так", "ru": "Да"}, "No": {"be": "Не", "ru": "Нет"}},
            "min": 1,
        },
    ],
}


@dataclass
class BuiltElection:
    record: Path
    board: Board
    board_key: BoardKey
    trustees: list[TrusteeSecret]
    codes: list[str]
    context: ElectionContext


def build_election(
    directory: Path,
    definition: dict[str, Any] | None = None,
    votes: list[tuple[int, dict[str, list[str]] | tuple[tuple[int, ...], ...]]] | None = None,
    voters: int = 4,
    decrypting: tuple[int, ...] = (1, 3),
    stop_after: EntryType = EntryType.RESULT,
    store: str | None = None,
    identities: list[TrusteeIdentity] | None = None,
    booth_pinned: bool = False,
) -> BuiltElection:
    """Run an election through the store (`store`: a database URL; default a SQLite file in
    `directory`) and export its record to `directory/record`."""
    parsed = parse_definition(definition or SMALL_DEFINITION)
    directory.mkdir(parents=True, exist_ok=True)
    from vecha.server.pins import booth_pins

    pins = booth_pins() if booth_pinned else None
    board = Board.create(open_store(store or str(directory / "box.sqlite")), parsed, booth=pins)
    fp = board.ledger.fingerprint
    identities = identities or fixed_identities(parsed.trustees.count)
    secrets, anns, confs = local_ceremony(fp, parsed.trustees.threshold, identities)
    record_ceremony(board, anns, confs)
    ctx = board.ledger.context()
    codes = [new_code() for _ in range(voters)]
    publish_credentials(board, [Credential.from_code(c, fp).public.hex() for c in codes])
    open_voting(board)
    default = [
        (0, {"council": ["North"], "yesno": ["Yes"]}),
        (1, {"council": ["North / Bob"], "yesno": ["No"]}),
        (2, {"council": ["South / Cat"], "yesno": ["Yes"]}),
        (1, {"council": ["South"], "yesno": ["Yes"]}),
    ]
    for who, choice in votes if votes is not None else default:
        cred = Credential.from_code(codes[who], fp)
        # labels as a voter writes them, or (a test of what a dishonest booth makes) values
        values = choice if isinstance(choice, tuple) else selections_from_labels(parsed, choice)
        board.cast(encrypt_ballot(ctx, cred, values).ballot.to_json())
    if stop_after is not EntryType.OPEN and parsed.mix:
        _mix_and_decrypt(board, identities, secrets, decrypting, stop_after)
    elif stop_after is not EntryType.OPEN:
        close_voting(board)
        tally(board)
        if stop_after is not EntryType.TALLY:
            for j in decrypting:
                shares = partial_decrypt(fp, secrets[j - 1], board.ledger.tallied().aggregate)
                add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
            publish_result(board)
    export_record(board, directory / "record")
    return BuiltElection(directory / "record", board, board.key, secrets, codes, ctx)


def _mix_and_decrypt(
    board: Board,
    identities: list[TrusteeIdentity],
    secrets: list[TrusteeSecret],
    decrypting: tuple[int, ...],
    stop_after: EntryType,
) -> None:
    """A mixed election after the vote (spec §7.5): the close, every trustee's mix (none
    with `stop_after` CLOSE), the decryptions of the mixed ballots and the result (none
    with MIX)."""
    close_voting(board)
    if stop_after is EntryType.CLOSE:
        return
    ledger, fp = board.ledger, board.ledger.fingerprint
    if ledger.book.last_ballot:
        for j, identity in enumerate(identities, start=1):
            add_mix(board, make_mix(fp, ledger.context().public_key, identity, j, ledger.mix_inputs()).to_json())
        if stop_after is EntryType.MIX:
            return
        for j in decrypting:
            shares = decrypt_rows(fp, secrets[j - 1], ledger.mixed)
            add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
    publish_result(board)


def mix_and_publish(e: BuiltElection, decrypting: tuple[int, ...] = (1, 3)) -> None:
    """Close a mixed election built with the test trustees, mix, decrypt and publish."""
    count = e.board.ledger.defined().definition.trustees.count
    _mix_and_decrypt(e.board, fixed_identities(count), list(e.trustees), decrypting, EntryType.RESULT)


def read_lines(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (record / BOARD).read_text(encoding="utf-8").splitlines()]


def rewrite_record(record: Path, key: BoardKey, change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Apply `change` to the list of entry objects, then re-link, re-sign and re-export."""
    objs = read_lines(record)
    change(objs)
    parent = GENESIS_PARENT
    hashes = []
    for i, obj in enumerate(objs):
        obj["index"], obj["parent"] = i, parent.hex()
        entry = Entry.from_json(obj)
        parent = entry.hash()
        hashes.append(parent)
    (record / BOARD).write_bytes(b"".join(Entry.from_json(o).canonical() + b"\n" for o in objs))
    election = objs[0]["election"]
    heights = sorted({c.height for c in read_checkpoints(record) if c.height <= len(objs)} | {len(objs)})
    write_json(record / CHECKPOINTS, [sign_checkpoint(key, election, h, hashes[h - 1]).to_json() for h in heights])
    write_json(
        record / HEADER,
        {
            "version": RECORD_VERSION,
            "election": election,
            "fingerprint": hashes[0].hex(),
            "entries": len(objs),
            "head": hashes[-1].hex(),
        },
    )
    if objs[-1]["type"] == EntryType.RESULT.value:
        write_json(record / RESULT, objs[-1]["payload"])
