"""The organizer's steps on a board: ceremony, credentials, open, close, tally, result, export."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from vecha.crypto.encoding import point_from_hex
from vecha.election.counting import aggregate_to_json
from vecha.election.eligibility import RegistrarCount, SignedCredential
from vecha.election.mixing import MixedShares, read_row_shares, shares_digest
from vecha.election.trustees import TrusteeAnnouncement, TrusteeConfirmation, check_ceremony
from vecha.errors import ElectionError, InvalidEncoding
from vecha.record.archive import RecordWriter
from vecha.record.entries import Entry, EntryType
from vecha.record.ledger import CREDENTIALS_PER_ENTRY, Phase
from vecha.record.packed_entries import PackedShares
from vecha.store.board import Board
from vecha.store.commit import AlreadyThere
from vecha.verify.parallel import sum_counted
from vecha.workers import Workers

__all__ = [
    "record_ceremony",
    "publish_credentials",
    "register_credential",
    "post_registrar_count",
    "open_voting",
    "close_voting",
    "tally",
    "add_decryption",
    "add_mix",
    "publish_result",
    "combine",
    "export_record",
]


def record_ceremony(
    board: Board, announcements: Sequence[TrusteeAnnouncement], confirmations: Sequence[TrusteeConfirmation]
) -> None:
    """Check the whole ceremony first (naming any cheating trustee), then put it on the board."""
    m = board.ledger.defined().definition
    if board.ledger.phase is not Phase.DEFINED:
        raise ElectionError("the key ceremony is already on the board")
    key = check_ceremony(
        board.ledger.fingerprint, m.trustees.threshold, m.trustees.identity_keys(), announcements, confirmations
    )
    entries: list[tuple[EntryType, dict[str, Any], bool]] = [
        *((EntryType.TRUSTEE, a.to_json(), False) for a in sorted(announcements, key=lambda a: a.index)),
        *((EntryType.TRUSTEE_CONFIRMATION, c.to_json(), False) for c in sorted(confirmations, key=lambda c: c.index)),
        (EntryType.JOINT_KEY, {"public_key": key.hex()}, True),
    ]
    board.append_all(entries)  # all or nothing


def publish_credentials(board: Board, public_credentials: Sequence[str]) -> int:
    for i, c in enumerate(public_credentials):
        point_from_hex(c, f"public credential {i}", nonidentity=True)
    unique = sorted(set(public_credentials))
    if len(unique) != len(public_credentials):
        raise InvalidEncoding("the credential list has duplicates")
    listed = {c.hex() for c in board.ledger.credentials}
    if listed and set(unique) <= listed:
        raise ElectionError(f"these {len(unique)} credentials are already on the board (published before)")
    board.append_all(
        [
            (EntryType.CREDENTIALS, {"credentials": unique[start : start + CREDENTIALS_PER_ENTRY]}, False)
            for start in range(0, len(unique), CREDENTIALS_PER_ENTRY)
        ]
    )  # all or nothing
    return len(unique)


def register_credential(board: Board, signed: Any) -> bool:
    """Put a public credential with its registrars' signatures on the board (spec §8.4).
    Returns False if it is registered already (the same credential again changes nothing)."""
    board.refresh()
    parsed = SignedCredential.from_json(signed, board.ledger.registration())
    credential = parsed.credential.encoding
    if credential in board.ledger.credentials:
        return False
    # The signatures are verified here, outside the lock (a forged one is refused as such and
    # never waits for it); under the lock the board's rules check the rest.
    board.ledger.check_signed_credential(parsed)

    def not_yet() -> None:
        if credential in board.ledger.credentials:
            raise AlreadyThere(-1)

    try:
        board.append(EntryType.SIGNED_CREDENTIAL, parsed.to_json(), precheck=not_yet, signatures_checked=True)
    except AlreadyThere:
        return False
    return True


def post_registrar_count(board: Board, count: Any) -> None:
    """Put a registrar's signed count on the board (anyone may: the signature is what counts)."""
    board.refresh()
    parsed = RegistrarCount.from_json(count)
    parsed.verify(board.ledger.fingerprint, board.ledger.registration())
    if board.ledger.book.issued.get(parsed.registrar) == parsed.issued:
        return  # the same count again
    board.append(EntryType.REGISTRAR_COUNT, parsed.to_json(), checkpoint=True)


def open_voting(board: Board) -> None:
    board.append(EntryType.OPEN, {}, checkpoint=True)


def close_voting(board: Board) -> None:
    board.append(EntryType.CLOSE, {}, checkpoint=True)


def tally(
    board: Board,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Sum the counted ballots (last per credential) and put the aggregate on the board: in
    chunks, on `workers` local processes or on `executor` (a Dask cluster's, say)."""
    ledger = board.ledger
    if ledger.phase > Phase.CLOSED:
        raise ElectionError(f"the election is already tallied (entry {ledger.tallied().index} is the tally)")
    if ledger.phase is not Phase.CLOSED:
        raise ElectionError("close the election before tallying")
    if ledger.defined().definition.mix:
        raise ElectionError("a mixed election has no tally: the trustees mix the ballots (vecha trustee mix)")
    pool = Workers(workers, executor)
    bodies = board.entry_bodies()
    try:
        aggregate = sum_counted(ledger.context(), ledger.counted_indices(), enumerate(bodies), pool, progress)
    finally:
        bodies.close()  # the sum stops at the last counted ballot: end the read before appending
        pool.close()
    payload = {"counted": len(ledger.book.last_ballot), "aggregate": aggregate_to_json(aggregate)}
    entry = board.append(EntryType.TALLY, payload, checkpoint=True)
    return entry.to_json()


def _decryption_type(board: Board) -> EntryType:
    """A mixed election's trustees decrypt the mixed ballots, others the tally."""
    return EntryType.MIX_DECRYPTION if board.ledger.defined().definition.mix else EntryType.DECRYPTION


#: a partial decryption in canonical JSON (as `vecha trustee decrypt` writes a mixed
#: election's): its election first, its trustee last
_DECRYPTION_HEAD = re.compile(rb'\{"election":"([0-9a-f]{64})",(?="shares":\[)')
#: the end of a trustee's canonical JSON body (a decryption, a raising, a tag decryption):
#: its trustee, the last member
TRUSTEE_LAST = re.compile(rb',"trustee":(0|[1-9][0-9]{0,8})\}\s*\Z')


def canonical_decryption(body: bytes) -> tuple[str, int, bytes] | None:
    """A partial decryption given as canonical JSON, read without parsing its shares (the
    mixed ballots of a large election: half a million shares, 150 MB): its election's
    fingerprint in hex, its trustee, and its entry payload `{"shares":…,"trustee":N}` byte
    for byte, which the board reads packed. None if it does not begin and end as one (the
    caller parses it as JSON); whether the shares are canonical, the board checks."""
    head, tail = _DECRYPTION_HEAD.match(body), TRUSTEE_LAST.search(body, max(0, len(body) - 64))
    if head is None or tail is None:
        return None
    return head.group(1).decode(), int(tail.group(1)), b"{" + body[head.end() : tail.start()] + tail.group(0).rstrip()


def add_decryption(board: Board, trustee: int, shares: Any) -> None:
    """Put trustee `trustee`'s decryption on the board: its shares, or the whole payload as
    canonical JSON bytes (a large one, read packed), which must then name that trustee."""
    if isinstance(shares, bytes):

        def sent_by(entry: Entry) -> None:
            if entry.payload.get("trustee") != trustee:
                raise InvalidEncoding(f"the decryption does not name trustee {trustee}, who sent it")

        board.append(_decryption_type(board), shares, entry_check=sent_by)
        return
    board.append(_decryption_type(board), {"trustee": trustee, "shares": shares})


def add_mix(board: Board, mix: dict[str, Any] | bytes, mixer: int | None = None) -> None:
    """Put a trustee's mix (spec §7.5) on the board, after the board's rules checked it: its
    signature, that it is the next trustee's, and its proof of shuffle. `mix` may be its
    canonical JSON (a large mix: read packed); `mixer`, if given, is the trustee who sent
    it, whom the mix must name."""
    ledger = board.ledger
    if not ledger.defined().definition.mix:
        raise ElectionError("this election adds its ballots up: it has no mix")
    if ledger.phase not in (Phase.CLOSED, Phase.MIXING):
        raise ElectionError("mixes come after the close and before the decryption")

    def sent_by(entry: Entry) -> None:
        if mixer is not None and entry.payload.get("mixer") != mixer:
            raise InvalidEncoding(f"the mix does not name trustee {mixer}, who sent it")

    board.append(EntryType.MIX, mix, checkpoint=True, entry_check=sent_by)


def publish_result(board: Board) -> dict[str, Any]:
    if board.ledger.phase is Phase.DONE:
        raise ElectionError("the result is already on the board")
    result = board.ledger.expected_result()
    board.append(EntryType.RESULT, result, checkpoint=True)
    return result


def combine(board: Board, decryptions: Sequence[tuple[int, Any]]) -> dict[str, Any]:
    """Put the trustees' decryptions and the result they give on the board in one
    transaction: if any decryption is refused, or they are too few, nothing is written. A
    decryption already on the board, the same one, is not added again (safe to repeat)."""
    board.refresh()
    ledger = board.ledger
    if ledger.phase is Phase.DONE:
        raise ElectionError("the result is already on the board")
    mixed = ledger.defined().definition.mix
    if mixed and ledger.phase is Phase.CLOSED and not ledger.book.last_ballot:
        return publish_result(board)  # no ballot was counted: nothing to mix or decrypt
    if mixed and ledger.phase not in (Phase.MIXED, Phase.DECRYPTING):
        raise ElectionError("the ballots are not mixed yet: every trustee mixes first (vecha trustee mix)")
    if not mixed and ledger.phase not in (Phase.TALLIED, Phase.DECRYPTING):
        raise ElectionError("there is no tally to decrypt yet (close and tally first)")
    kind = _decryption_type(board)
    done = ledger.mix_decryptions if mixed else ledger.decryptions
    new: dict[int, Any] = {}
    for trustee, shares in decryptions:
        if trustee in new:
            raise ElectionError(f"two decryptions of trustee {trustee}")
        on_board = done.get(trustee)
        if on_board is not None:
            if isinstance(shares, bytes):  # a whole payload (`canonical_decryption`): read as the board reads it
                shares = ledger.next_entry_canonical(kind, shares, ledger.last_time).payload["shares"]
            if isinstance(on_board, MixedShares) and isinstance(shares, PackedShares):
                same = (
                    read_row_shares(ledger.fingerprint, trustee, None, ledger.mixed, shares).digest == on_board.digest
                )
            elif isinstance(on_board, MixedShares):
                same = shares_digest(trustee, shares) == on_board.digest
            else:
                same = [[s.to_json() for s in row] for row in on_board] == shares
            if not same:
                raise ElectionError(f"trustee {trustee} already decrypted, with other shares")
            continue  # the same decryption again: already there
        new[trustee] = shares
    t = board.ledger.genesis.definition.trustees.threshold if board.ledger.genesis else 0
    have = len(set(done) | set(new))
    if have < t:
        raise ElectionError(f"{have} trustees decrypted; {t} are needed (nothing was written)")
    # a payload given as bytes names its trustee itself (`canonical_decryption` cut it from the tail)
    entries: list[tuple[EntryType, Any, bool]] = [
        (kind, shares if isinstance(shares, bytes) else {"trustee": j, "shares": shares}, False)
        for j, shares in new.items()
    ]
    entries.append((EntryType.RESULT, lambda: board.ledger.expected_result(), True))  # made after the decryptions
    appended = board.append_all(entries)
    return appended[-1].payload


def export_record(board: Board, directory: Path) -> int:
    board.seal()
    return RecordWriter(directory).write(board.entries(), board.checkpoints(), board.ledger.result)
