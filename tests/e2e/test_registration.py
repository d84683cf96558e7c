"""An election with registration instead of a roll, end to end: applicants apply with
sealed evidence, reviewers decide (a duplicate refused), devices unblind their
signatures, the first ballot carries its signed credential, the registrars post their
counts, and the record verifies. Then the property that matters: nothing in either
store, nor in the raw database files, links an application to its credential."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.trustees import local_ceremony, partial_decrypt
from vecha.errors import CheckFailed, RecordError
from vecha.record.entries import EntryType
from vecha.store.board import Board, open_store
from vecha.store.organizer import (
    add_decryption,
    close_voting,
    export_record,
    open_voting,
    post_registrar_count,
    publish_result,
    record_ceremony,
    tally,
)
from vecha.testing.records import SMALL_DEFINITION, fixed_identities, read_lines, rewrite_record
from vecha.testing.registration import (
    Applicant,
    apply_all,
    collect,
    make_registrars,
    open_registrars,
    review_all,
    with_registration,
)
from vecha.verify import verify_record

PEOPLE = [
    {"name": "Ala Ivanova", "document": "MP1234567", "born": "1990-04-01", "country": "PL"},
    {"name": "Ihar Kazlou", "document": "MP7654321", "born": "1985-11-30", "country": "LT"},
    {"name": "Volha S.", "document": "KH5550001", "born": "2001-01-15", "country": "GE"},
    # the first applicant again, the document number spelt differently: a duplicate
    {"name": "A. Ivanova", "document": "mp 123-4567", "born": "1990-04-01", "country": "DE"},
]


def _election(tmp_path: Path, required: int = 1, registrars: tuple[str, ...] = ("bloc-a",)):
    setups = make_registrars(list(registrars))
    definition = with_registration(SMALL_DEFINITION, setups, required=required)
    board = Board.create(open_store(str(tmp_path / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    secrets, anns, confs = local_ceremony(fp, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    services = open_registrars(tmp_path, board, setups)
    return definition, board, fp, secrets, services


def _run(tmp_path: Path, required: int = 1, registrars: tuple[str, ...] = ("bloc-a",)):
    definition, board, fp, secrets, services = _election(tmp_path, required, registrars)
    applicants = [
        Applicant(dict(p), {"photo": ("image/png", "passport.png", b"\x89PNG PHOTO-OF-" + p["document"].encode())})
        for p in PEOPLE
    ]
    # the duplicate applies once the others are decided, so it is the one refused (each
    # registrar decides alone: two that approved different twins would leave neither a
    # credential with both signatures)
    apply_all(definition, fp, services, applicants[:3])
    decided = [review_all(definition, fp, s) for s in services]
    apply_all(definition, fp, services, applicants[3:])
    for before, s in zip(decided, services, strict=True):
        before.update(review_all(definition, fp, s))
    collect(definition, services, applicants)
    for s in services:
        post_registrar_count(board, s.registrar.close().to_json())
    open_voting(board)
    ctx = board.ledger.context()
    receipts = []
    voters = [a for a in applicants if a.signed is not None]
    for a, choice in zip(
        voters,
        [
            {"council": ["North"], "yesno": ["Yes"]},
            {"council": ["South / Cat"], "yesno": ["No"]},
            {"council": ["North / Bob"], "yesno": ["Yes"]},
        ],
        strict=True,
    ):
        assert a.signed is not None and a.pending is not None
        made = encrypt_ballot(ctx, a.pending.credential, selections_from_labels(definition, choice))
        receipts.append(board.cast(made.ballot.to_json(), signed_credential=a.signed))
    close_voting(board)
    tally(board)
    for j in (1, 2):
        shares = partial_decrypt(fp, secrets[j - 1], board.ledger.tallied().aggregate)
        add_decryption(board, j, [[x.to_json() for x in row] for row in shares])
    publish_result(board)
    export_record(board, tmp_path / "record")
    return definition, board, services, voters, receipts, decided


def test_an_election_with_registration_verifies(tmp_path: Path) -> None:
    _, board, services, applicants, receipts, decided = _run(tmp_path)
    assert sorted(decided[0].values()) == ["approved", "approved", "approved", "rejected"]
    assert len(applicants) == 3  # the duplicate got no signature
    report = verify_record(tmp_path / "record")
    assert report.ok, report.error
    assert report.credentials == 3
    types = [e["type"] for e in read_lines(tmp_path / "record")]
    assert types.count("signed-credential") == 3 and types.count("registrar-count") == 1
    assert board.ledger.book.issued == {"bloc-a": 3}
    result = json.loads((tmp_path / "record" / "result.json").read_text())
    assert result["counted"] == 3


def test_k_of_m_registrars(tmp_path: Path) -> None:
    """Two registrars, both required: every credential carries both signatures, each
    registrar's count is on the board, and the record verifies."""
    _, board, _, applicants, _, _ = _run(tmp_path, required=2, registrars=("bloc-a", "bloc-b"))
    assert len(applicants) == 3 and all(a.signed and len(a.signed.signatures) == 2 for a in applicants)
    assert board.ledger.book.issued == {"bloc-a": 3, "bloc-b": 3}
    assert verify_record(tmp_path / "record").ok


def test_nothing_links_an_application_to_its_credential(tmp_path: Path) -> None:
    """Every value the registrar's store holds about an application, and every value the
    box's store holds about a credential and its ballots, looked for in the other side's
    rows and raw files (SQLite's main file and its write-ahead log): none is found."""
    _, board, services, applicants, receipts, _ = _run(tmp_path)
    registrar_files = b"".join(p.read_bytes() for p in tmp_path.glob("registrar-*.sqlite*"))
    box_files = b"".join(p.read_bytes() for p in tmp_path.glob("box.sqlite*"))
    record = b"".join(p.read_bytes() for p in (tmp_path / "record").iterdir())
    for a, receipt in zip(applicants, receipts, strict=False):
        assert a.signed is not None and a.pending is not None
        board_side = [a.signed.credential.encoding, receipt.tracker.encode(), bytes.fromhex(receipt.tracker)]
        board_side += [s.signature for s in a.signed.signatures] + [s.prefix for s in a.signed.signatures]
        for value in board_side:
            for form in (value, value.hex().encode()):
                assert form not in registrar_files
        registrar_side = [a.codes["bloc-a"].encode(), a.pending.blinded["bloc-a"]]
        for value in registrar_side:
            for form in (value, value.hex().encode()):
                assert form not in box_files and form not in record
    # and the evidence is gone from the registrar's files: no name, no document, no photo
    for p in PEOPLE:
        for text in (p["name"], p["document"]):
            assert text.encode() not in registrar_files
    assert b"PHOTO-OF-" not in registrar_files


def test_evidence_is_destroyed_in_the_raw_file_once_decided(tmp_path: Path) -> None:
    """The sealed evidence's bytes are in the file while the application waits, and gone
    from the database file and its log once it is decided (secure delete, checkpoint)."""
    definition, board, fp, _, services = _election(tmp_path)
    applicants = [Applicant(dict(PEOPLE[0]))]
    apply_all(definition, fp, services, applicants)
    service = services[0]
    who = service.registrar.reviewer(service.tokens[0])
    sealed = service.registrar.pending(who)[0]["evidence"]["ciphertext"].encode()
    files = lambda: b"".join(p.read_bytes() for p in tmp_path.glob("registrar-*.sqlite*"))  # noqa: E731
    assert sealed in files()
    review_all(definition, fp, service)
    assert sealed not in files()


def test_a_forged_or_extra_credential_is_refused_by_the_verifier(tmp_path: Path) -> None:
    """A board that lists a credential with a signature of its own making, or more signed
    credentials than the registrar issued, does not verify."""
    _run(tmp_path)
    record = tmp_path / "record"

    def forge(objs):
        entry = next(o for o in objs if o["type"] == "signed-credential")
        sig = entry["payload"]["signatures"][0]["signature"]
        entry["payload"]["signatures"][0]["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]

    key = Board(open_store(str(tmp_path / "box.sqlite")), "small-test").key
    rewrite_record(record, key, forge)
    report = verify_record(record)
    assert not report.ok
    assert isinstance(report.error, CheckFailed)
    assert report.error.entry == next(i for i, o in enumerate(read_lines(record)) if o["type"] == "signed-credential")


def test_a_count_below_the_credentials_on_the_board_is_refused(tmp_path: Path) -> None:
    _, board, services, *_ = _run(tmp_path)
    record = tmp_path / "record"
    count = services[0].registrar.close()
    from vecha.election.eligibility import RegistrarCount, count_body

    lower = RegistrarCount(
        "bloc-a", 2, services[0].setup.key.sign("registrar-count", board.ledger.fingerprint, count_body("bloc-a", 2))
    )
    assert count.issued == 3

    def undercount(objs):
        entry = next(o for o in objs if o["type"] == "registrar-count")
        entry["payload"] = lower.to_json()

    rewrite_record(record, board.key, undercount)
    report = verify_record(record)
    assert not report.ok and "issued 2" in str(report.error)


def test_voting_cannot_open_before_every_registrar_counted(tmp_path: Path) -> None:
    _, board, _, _, services = _election(tmp_path)
    with pytest.raises(RecordError, match="no count yet from bloc-a"):
        open_voting(board)
    assert board.ledger.height == 1 + 3 + 3 + 1
    post_registrar_count(board, services[0].registrar.close().to_json())
    open_voting(board)
    assert board.ledger.book.issued == {"bloc-a": 0}
    assert [e.type for e in board.entries()][-2:] == [EntryType.REGISTRAR_COUNT, EntryType.OPEN]
