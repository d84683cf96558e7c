"""Nothing acknowledged is ever lost: concurrent voters cast ballots at a real `vecha serve`
process while it is killed with SIGKILL at random moments and restarted, several times. Then
every ballot whose receipt a voter holds must be on the board at its receipt's index, the
hash chain must be intact, and the whole election must count and verify. On SQLite and on
PostgreSQL. Prints the figures (receipts checked, lost, kills)."""

from __future__ import annotations

import contextlib
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.election.trustees import partial_decrypt
from vecha.record.entries import EntryType
from vecha.record.receipt import Receipt
from vecha.store.board import Board
from vecha.store.db import open_store
from vecha.store.organizer import add_decryption, close_voting, export_record, publish_result, tally
from vecha.testing.records import build_election
from vecha.verify import verify_record

pytestmark = pytest.mark.slow

VOTERS = 24
KILLS = 5
CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


class Server:
    """`vecha serve` in a child process, killed and restarted on demand."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.up = threading.Event()

    def start(self) -> None:
        port = _free_port()
        command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "serve", "--db", self.db]
        options = ["--port", str(port), "--workers", "1", "--credential-per-minute", "6000"]
        self.process = subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/api/v1/health", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and self.process.poll() is None, "the server did not start"
                time.sleep(0.05)
        self.url = url
        self.up.set()

    def kill(self) -> None:
        assert self.process is not None
        self.up.clear()
        children = _children(self.process.pid)
        assert children, "the server has no proof worker to watch"
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        # Its proof workers die with it: a survivor would hold the dead server's database
        # connection, and so its locks, and the restarted server would wait on them forever.
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{c}").exists() for c in children):
            assert time.monotonic() < deadline, f"workers {children} outlived their server"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


def test_no_receipted_ballot_is_lost_when_the_server_is_killed(tmp_path: Path, store_url: str) -> None:
    built = build_election(tmp_path, votes=[], voters=VOTERS, stop_after=EntryType.OPEN, store=store_url)
    ctx, definition = built.context, built.context.definition
    eid = built.board.election_id
    board_key = built.board.ledger.defined().board_key
    built.board.engine.dispose()
    choices = [{"council": ["North"], "yesno": ["Yes"]}, {"council": ["South / Cat"], "yesno": ["No"]}]
    ballots: queue.Queue[dict[str, Any]] = queue.Queue()
    for rnd in range(3):  # every voter votes, then votes again, twice (enough ballots for the kills, on a slow day)
        for v, code in enumerate(built.codes):
            cred = Credential.from_code(code, ctx.fingerprint)
            sel = selections_from_labels(definition, choices[(v + rnd) % 2])
            ballots.put(encrypt_ballot(ctx, cred, sel).ballot.to_json())
    total = ballots.qsize()

    server = Server(store_url)
    server.start()
    receipts: list[Receipt] = []
    errors: list[str] = []
    interrupted: list[int] = []  #: requests cut off by a kill
    lock = threading.Lock()
    casting = threading.Event()
    casting.set()

    deadline = time.monotonic() + 240  # a hang (a lock never released, say) must fail, not wait

    def voter() -> None:
        while time.monotonic() < deadline:
            try:
                ballot = ballots.get_nowait()
            except queue.Empty:
                return
            while time.monotonic() < deadline:
                server.up.wait(timeout=60)
                try:
                    r = httpx.post(f"{server.url}/api/v1/elections/{eid}/ballots", json={"ballot": ballot}, timeout=10)
                except httpx.HTTPError:
                    with lock:
                        interrupted.append(1)
                    time.sleep(0.05)  # the server died under us: no receipt, so try again
                    continue
                if r.status_code in (200, 201):
                    receipt = Receipt.from_json(r.json())
                    receipt.verify(board_key)  # a receipt is only a receipt if the board signed it
                    with lock:
                        receipts.append(receipt)
                    break
                if r.status_code == 503:  # busy: the server said when to come back
                    time.sleep(0.1)
                    continue
                with lock:
                    errors.append(f"{r.status_code} {r.text}")
                break
            else:
                with lock:
                    errors.append("a ballot was not accepted in time")

    threads = [threading.Thread(target=voter) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    rng = random.Random(os.environ.get("VECHA_CRASH_SEED", "crash"))
    kills = 0
    try:
        while kills < KILLS and any(t.is_alive() for t in threads):
            time.sleep(rng.uniform(0.1, 0.5))
            server.kill()
            kills += 1
            server.start()
        for t in threads:
            t.join(timeout=300)
            assert not t.is_alive(), "a voter is still waiting"
    finally:
        server.stop()
    assert errors == []
    assert ballots.empty()
    assert kills >= 3, "the voters finished before the server was killed enough times"

    # After the crashes: the board (replayed from the store, every hash link checked) holds
    # every receipted ballot exactly where its receipt says.
    board = Board(open_store(store_url), eid)
    lost = [r for r in receipts if board.find_tracker(r.tracker)[0] != r.index]
    store = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    print(
        f"\ncrash safety ({store}): {len(receipts)} receipts checked, {len(lost)} lost, {kills} kills, "
        f"{len(interrupted)} requests cut off"
    )
    assert lost == []
    assert len({r.tracker for r in receipts}) == total  # every ballot got its receipt in the end
    assert board.ledger.ballots == total

    close_voting(board)
    tally(board)
    for j in (1, 3):
        shares = partial_decrypt(ctx.fingerprint, built.trustees[j - 1], board.ledger.tallied().aggregate)
        add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
    publish_result(board)
    export_record(board, tmp_path / "after-crashes")
    report = verify_record(tmp_path / "after-crashes", workers=1)
    assert report.ok, report.failure
    assert report.counted == VOTERS
