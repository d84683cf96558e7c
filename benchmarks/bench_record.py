"""Verifying and tallying a whole election record of N 11-option ballots, on 1 and 2 cores.

    .venv/bin/python benchmarks/bench_record.py [--ballots N] [--verify-workers 1,2] [--keep DIR [--reuse]] [--out FILE]

The record is real and valid: N voters, each with a credential, each ballot encrypted with
its proofs (in a process pool) and put on the board in bulk; then the tally, two trustees'
decryptions and the result; then the export. What is timed: `vecha verify` on the exported
record with 1 and with 2 worker processes (each run in its own process; the peak memory of it
and its workers together is sampled), and the tally (the homomorphic sum of the counted ballots) over the store, with 1
and 2 worker processes. `--verify-workers 2` leaves out the one-process verification (an hour
at a million ballots). `--keep DIR --reuse` measures again the store and record that an
earlier `--keep DIR` run left there, instead of generating them (34 minutes at a million);
`--generate-only` stops once they are made. `--batch batched|per-proof|both`: how
`vecha verify` checks the ballots' proofs (spec §4.7; default batched).
Writes JSON (default benchmarks/results/record-<N>.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from eleven_lists import definition, encrypt_ballots

from vecha.crypto.group import backend
from vecha.election.trustees import partial_decrypt
from vecha.environment import apply_environment
from vecha.record.entries import EntryType
from vecha.store.board import Board
from vecha.store.db import open_store
from vecha.store.organizer import add_decryption, close_voting, export_record, publish_result, tally
from vecha.testing.records import build_election
from vecha.verify.parallel import sum_counted
from vecha.workers import Workers

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()

DEFINITION = definition("bench-record")
CHUNK = 1000


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue  # it has just exited
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        todo += [int(c) for c in children]
    return total / 1024


def _verify(record: Path, workers: int, batched: bool = True) -> dict[str, Any]:
    """`vecha verify` in a fresh process; its time, and the peak of the memory that it and its
    workers hold together, sampled every 0.2 s. (getrusage's maxrss will not do: on Linux a
    child process starts with its parent's peak, here the generator's.)"""
    code = (
        "import json, sys, time; from pathlib import Path; from vecha.verify import verify_record; "
        "from vecha.workers.pool import collect_rarely; collect_rarely(); "  # as `vecha verify` does
        "t = time.perf_counter(); "
        "r = verify_record(Path(sys.argv[1]), workers=int(sys.argv[2]), batched=sys.argv[3] == 'batched'); "
        "print(json.dumps({'ok': r.ok, 'seconds': time.perf_counter() - t}))"
    )
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(record), str(workers), "batched" if batched else "per-proof"],
            stdout=out,
            stderr=err,
        )
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, _tree_rss_mib(child.pid))
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(err.read())
        figures: dict[str, Any] = json.loads(out.read())
    return {"ok": figures["ok"], "seconds": round(figures["seconds"], 1), "peak_rss_mib_with_workers": round(peak, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the store and the record in this directory")
    parser.add_argument("--reuse", action="store_true", help="measure the store and record already in --keep")
    parser.add_argument("--verify-workers", default="1,2", help="the worker counts to verify with")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--batch", default="batched", choices=["batched", "per-proof", "both"], help="how `vecha verify` checks proofs"
    )
    parser.add_argument("--generate-only", action="store_true", help="make the store and record in --keep, no more")
    args = parser.parse_args()
    if args.generate_only and not args.keep:
        parser.error("--generate-only needs --keep DIR")
    if args.reuse and not (args.keep and (args.keep / "final-record").is_dir()):
        parser.error("--reuse needs --keep DIR with the store and record of an earlier run")
    verify_workers = [int(w) for w in args.verify_workers.split(",")]
    n = args.ballots
    out = args.out or Path(__file__).parent / "results" / f"record-{n}.json"
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        generated_s: float | None = None
        if args.reuse:
            board = Board(open_store(str(work / "box.sqlite")), DEFINITION["id"])
            ctx = board.ledger.context()
            n = len(board.ledger.counted_indices())
        else:
            t0 = time.perf_counter()
            built = build_election(work, definition=DEFINITION, votes=[], voters=n, stop_after=EntryType.OPEN)
            board, ctx = built.board, built.context
            jobs = [(ctx, built.codes[i : i + CHUNK], i) for i in range(0, n, CHUNK)]
            with ProcessPoolExecutor(2) as pool:
                for ballots in pool.map(encrypt_ballots, jobs):
                    board.cast_many([(b, "app") for b in ballots], check_proofs=False)  # we made them
            close_voting(board)
            generated_s = time.perf_counter() - t0
        # the tally's sum, timed on 1 and 2 worker processes (the organizer's `vecha tally`
        # does the same, then appends it)
        tally_s = {}
        for w in (1, 2):
            pool = Workers(w)
            t = time.perf_counter()
            total = sum_counted(ctx, board.ledger.counted_indices(), enumerate(board.entry_bodies()), pool)
            tally_s[f"workers_{w}"] = round(time.perf_counter() - t, 1)
            pool.close()
        record = work / "final-record"
        if not args.reuse:
            tally(board, workers=2)
            assert board.ledger.tallied().aggregate == total
            for j in (1, 2):
                shares = partial_decrypt(ctx.fingerprint, built.trustees[j - 1], board.ledger.tallied().aggregate)
                add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
            result = publish_result(board)
            export_record(board, record)
            assert result["counted"] == n
        assert board.ledger.tallied().aggregate == total
        size_mib = sum(f.stat().st_size for f in record.iterdir()) / 2**20
        if args.generate_only:
            print(json.dumps({"generate_s": generated_s, "record_mib": round(size_mib, 1), "tally_s": tally_s}))
            return
        modes = {"batched": [True], "per-proof": [False], "both": [True, False]}[args.batch]
        verify = {
            f"workers_{w}" + ("" if batched else "_per_proof"): _verify(record, w, batched)
            for w in verify_workers
            for batched in modes
        }
    figures = {
        "command": f"benchmarks/bench_record.py --ballots {n}"
        + (f" --verify-workers {args.verify_workers}" if args.verify_workers != "1,2" else "")
        + (" --keep DIR --reuse" if args.reuse else "")
        + (f" --batch {args.batch}" if args.batch != "batched" else ""),
        "backend": BACKEND_NAME,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "ballots": n,
        "record_mib": round(size_mib, 1),
        "generate_s": None if generated_s is None else round(generated_s, 1),
        "tally_s": tally_s,
        "verify": verify,
        "verify_and_tally_2_workers_s": round(
            verify[next(k for k in verify if k.startswith("workers_2"))]["seconds"] + tally_s["workers_2"], 1
        ),
        "generator_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
