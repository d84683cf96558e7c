"""The ballot box's store and rules: phases, re-votes, idempotent casting, receipts."""

from __future__ import annotations

from pathlib import Path

import pytest

from vecha.crypto import _sodium
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.errors import ElectionError, InvalidBallot, InvalidProof, RecordError
from vecha.record.entries import EntryType
from vecha.record.ledger import Phase
from vecha.record.receipt import receipt_message
from vecha.store.board import Board
from vecha.store.organizer import close_voting, open_voting, publish_result
from vecha.testing.records import build_election


@pytest.fixture
def live(tmp_path: Path, store_url: str) -> tuple[Board, list[str]]:
    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN, store=store_url)
    return built.board, built.codes


def _ballot(board: Board, code: str, choice: str = "North") -> dict[str, object]:
    ctx = board.ledger.context()
    sel = selections_from_labels(ctx.definition, {"council": [choice], "yesno": ["Yes"]})
    return encrypt_ballot(ctx, Credential.from_code(code, ctx.fingerprint), sel).ballot.to_json()


def test_receipt_is_signed_and_cast_is_idempotent(live: tuple[Board, list[str]]) -> None:
    board, codes = live
    b = _ballot(board, codes[0])
    r1 = board.cast(b)
    height = board.ledger.height
    r2 = board.cast(b)
    assert r1 == r2 and board.ledger.height == height
    assert _sodium.verify_detached(r1.signature, receipt_message(r1.election, r1.tracker, r1.index), board.key.public)
    # A fresh process sees the same board.
    again = Board(board.engine, board.election_id)
    assert again.ledger.head == board.ledger.head and again.find_tracker(r1.tracker) == (r1.index, True)


def test_revote_replaces(live: tuple[Board, list[str]]) -> None:
    board, codes = live
    first = board.cast(_ballot(board, codes[1], "South"))
    second = board.cast(_ballot(board, codes[1], "North"))
    assert board.find_tracker(first.tracker) == (first.index, False)
    assert board.find_tracker(second.tracker) == (second.index, True)
    with pytest.raises(InvalidBallot):
        board.find_tracker("00" * 32)


def test_phases_are_enforced(live: tuple[Board, list[str]]) -> None:
    board, codes = live
    with pytest.raises(ElectionError, match="no tally"):
        publish_result(board)
    with pytest.raises(RecordError, match="not allowed"):
        open_voting(board)
    close_voting(board)
    with pytest.raises(ElectionError, match="not open"):
        board.cast(_ballot(board, codes[0]))
    before = board.ledger.height
    with pytest.raises(RecordError):
        board.append(EntryType.CREDENTIALS, {"credentials": []})
    assert board.ledger.height == before
    assert Board(board.engine, board.election_id).ledger.height == before  # nothing was written


def test_unknown_election(live: tuple[Board, list[str]]) -> None:
    board, _ = live
    with pytest.raises(ElectionError):
        Board(board.engine, "no-such-election")


def test_rejected_entries_change_nothing(tmp_path: Path) -> None:
    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    ledger = built.board.ledger
    before = (set(ledger.credentials), ledger.height, ledger.head)
    fresh = Credential.from_code("0000-0000-0000-0000-0", ledger.fingerprint).public.hex()
    existing = sorted(c.hex() for c in ledger.credentials)[0]
    # A valid new credential together with a repeated one: the whole entry is refused.
    ledger.phase = Phase.KEYED  # as before the poll opened, when credential lists are accepted
    with pytest.raises(RecordError, match="listed twice"):
        ledger.apply(
            ledger.next_entry(EntryType.CREDENTIALS, {"credentials": sorted([fresh, existing])}, "2099-01-01T00:00:00Z")
        )
    assert (set(ledger.credentials), ledger.height, ledger.head) == before


def test_two_boards_over_one_store_stay_one_chain(live: tuple[Board, list[str]]) -> None:
    """Two processes (here: two Board objects with their own engines) append to one board."""
    from vecha.store.db import open_store

    a, codes = live
    b = Board(open_store(a.engine.url.render_as_string(hide_password=False)), a.election_id)
    ra = a.cast(_ballot(a, codes[0]))
    rb = b.cast(_ballot(b, codes[0], "South"))  # b catches up with a's ballot before appending
    assert rb.index == ra.index + 1
    assert a.find_tracker(ra.tracker) == (ra.index, False)  # a sees b's ballot through the database
    again = next(a.entries(rb.index)).payload["ballot"]
    assert a.cast(again) == rb  # resubmitted to the other process: the same receipt
    a.refresh()
    assert (a.ledger.height, a.ledger.head) == (b.ledger.height, b.ledger.head)


def test_a_failed_write_leaves_the_board_as_stored(
    live: tuple[Board, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import vecha.store.board as board_module

    board, codes = live
    before = (board.ledger.height, board.ledger.head)

    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(board_module, "_insert_entry", broken)
        with pytest.raises(OSError):
            board.cast(_ballot(board, codes[2]))
    assert (board.ledger.height, board.ledger.head) == before  # the ledger was rebuilt from the store
    assert board.cast(_ballot(board, codes[2])).index == before[0]


def test_concurrent_ballots_share_a_commit(live: tuple[Board, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """Group commit: ballots that arrive while a commit is running go into the next one
    together; each caller still gets its own receipt, and the same ballot twice gets one."""
    import threading

    board, codes = live
    ballots = [_ballot(board, codes[k % len(codes)], "South") for k in range(6)]
    ballots.append(ballots[0])  # the same ballot again, in the same rush
    batches: list[int] = []
    original = board._append_batch
    first_commit_running = threading.Event()

    def slow_batch(items: list[object]) -> None:
        batches.append(len(items))
        if len(batches) == 1:
            first_commit_running.set()
            threading.Event().wait(0.3)  # the others queue up meanwhile
        original(items)  # type: ignore[arg-type]

    monkeypatch.setattr(board, "_append_batch", slow_batch)
    receipts: list[object] = [None] * len(ballots)

    def cast(k: int) -> None:
        if k:
            first_commit_running.wait()
        receipts[k] = board.cast(ballots[k])

    threads = [threading.Thread(target=cast, args=(k,)) for k in range(len(ballots))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert batches[0] == 1 and max(batches) > 1 and sum(batches) == len(ballots)
    indices = [r.index for r in receipts]  # type: ignore[attr-defined]
    assert receipts[0] == receipts[-1] and len(set(indices)) == len(ballots) - 1
    fresh = Board(board.engine, board.election_id)
    assert (fresh.ledger.height, fresh.ledger.head) == (board.ledger.height, board.ledger.head)


def test_bulk_import_is_all_or_nothing(live: tuple[Board, list[str]]) -> None:
    board, codes = live
    good = [(_ballot(board, codes[k]), "app") for k in range(3)]
    bad = _ballot(board, codes[3])
    bad["signature"]["response"] = bad["answers"][0]["proofs"][0][0][3]  # a signature that does not verify
    before = (board.ledger.height, board.ledger.head)
    with pytest.raises(InvalidProof):
        board.cast_many([*good, (bad, "web")])
    assert (board.ledger.height, board.ledger.head) == before
    assert Board(board.engine, board.election_id).ledger.height == before[0]
    with pytest.raises(InvalidBallot, match="twice"):
        board.cast_many([*good, good[0]])
    assert board.ledger.height == before[0]
    receipts = board.cast_many(good)
    assert [r.index for r in receipts] == [before[0], before[0] + 1, before[0] + 2]
    assert board.find_tracker(receipts[2].tracker) == (receipts[2].index, True)


def test_a_ballot_cut_out_of_its_entry_is_its_canonical_json(tmp_path: Path) -> None:
    """The verifier hashes and hands over a ballot as the bytes cut out of its entry's line
    (no re-encoding): they must be exactly the ballot's canonical JSON."""
    from vecha.crypto.canonical import canonical_bytes
    from vecha.election.ballot import tracker_of_canonical, tracker_of_json
    from vecha.record.archive import iter_board

    built = build_election(tmp_path)
    ballots = [e for e in iter_board(built.record) if e.type is EntryType.BALLOT]
    assert len(ballots) == 4
    for entry in ballots:
        assert entry.raw is not None
        assert entry.ballot_bytes() == canonical_bytes(entry.payload["ballot"])
        assert tracker_of_canonical(entry.ballot_bytes()) == tracker_of_json(entry.payload["ballot"])
        assert entry.canonical() == canonical_bytes(entry.to_json())
