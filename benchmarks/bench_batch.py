"""Verify 11-option ballots one proof at a time and in batches (spec §4.7), side by side.

    .venv/bin/python benchmarks/bench_batch.py [--ballots 4096] [--repeat 3] [--against REV] [--out FILE]

The ballot is the record benchmark's (one list question, 11 lists: eleven 0-or-1 proofs, one
overall proof and the signature). For each batch size (1, 16, 256, 4096 by default) the same
ballots are checked by `verify_ballots`, batched and not, both from decoded ballots and from
their JSON (decoding included: the commitments are points to decode too), and batched as
the verifier does it, straight from the bytes (`packed_ballots`). Times are per
ballot, the best of `--repeat` runs, on one core. `--against REV`: also time, in the same run,
the per-proof verification of an earlier commit of Vecha (a git worktree of REV, with this
checkout's built multi-scalar module), on its own ballots of the same shape: the record format
before proofs carried their commitments, for one. Writes benchmarks/results/batch.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from eleven_lists import definition, encrypt_ballots

from vecha.crypto import Point, Scalar
from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.group import backend, msm_in_use
from vecha.crypto.proofs import RangeProof
from vecha.election.ballot import Ballot, verify_ballots
from vecha.election.context import ElectionContext
from vecha.election.credentials import new_code
from vecha.election.definition import parse_definition
from vecha.election.packed_ballots import check_ballot_lines
from vecha.workers.pool import collect_rarely


def _per_ballot(run: Any, items: list[Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        run(items)
        best = min(best, time.perf_counter() - t)
    return best / len(items) * 1000


_AGAINST = """
import json, os, sys, time
from eleven_lists import definition, encrypt_ballots
from vecha.crypto import Point, Scalar
from vecha.crypto.canonical import canonical_bytes
from vecha.election.ballot import Ballot, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import new_code
from vecha.election.definition import parse_definition
n, repeat = int(sys.argv[1]), int(sys.argv[2])
ctx = ElectionContext(os.urandom(32), parse_definition(definition("b")), Point.base_mul(Scalar.random()))
raws = [canonical_bytes(b) for b in encrypt_ballots((ctx, [new_code() for _ in range(n)], 0))]
decoded = [Ballot.from_json(json.loads(r)) for r in raws]
alone = with_decoding = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    for b, r in zip(decoded, raws):
        verify_ballot(b, ctx, r)
    alone = min(alone, time.perf_counter() - t)
    t = time.perf_counter()
    for r in raws:
        verify_ballot(Ballot.from_json(json.loads(r)), ctx, r)
    with_decoding = min(with_decoding, time.perf_counter() - t)
print(json.dumps({"ballots": n, "per_proof_ms": round(alone / n * 1000, 3),
                  "per_proof_with_decoding_ms": round(with_decoding / n * 1000, 3), "json_bytes": len(raws[0])}))
"""


def _against(rev: str, n: int, repeat: int) -> dict[str, Any]:
    """Vecha at `rev`, in a worktree of its own, timing its own verification."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", str(tree), rev], check=True, capture_output=True
        )
        try:
            for built in (root / "src/vecha/crypto").glob("_msm*.so"):
                shutil.copy(built, tree / "src/vecha/crypto" / built.name)
            env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree / 'benchmarks'}"}
            run = subprocess.run(
                [sys.executable, "-c", _AGAINST, str(n), str(repeat)],
                env=env,
                cwd=tree,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], check=True)
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", rev], capture_output=True, text=True)
    return {"commit": commit.stdout.strip(), **json.loads(run.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=4096)
    parser.add_argument("--sizes", default="1,16,256,4096")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "batch.json")
    parser.add_argument("--against", help="an earlier commit whose per-proof verification is timed too")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    collect_rarely()  # as the verifier and its workers do

    ctx = ElectionContext(os.urandom(32), parse_definition(definition("batch")), Point.base_mul(Scalar.random()))
    codes = [new_code() for _ in range(args.ballots)]
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:  # encrypting is not what is measured
        step = -(-len(codes) // cores)
        jobs = [(ctx, codes[i : i + step], i) for i in range(0, len(codes), step)]
        ballots_json = [b for part in pool.map(encrypt_ballots, jobs) for b in part]
    raw = [canonical_bytes(b) for b in ballots_json]
    del ballots_json

    def from_bytes(size: int) -> Any:
        def run(items: list[bytes]) -> None:
            for start in range(0, len(items), size):
                read = check_ballot_lines(items[start : start + size], ctx)
                if read is None or read[0]:
                    raise AssertionError("the ballots were not read, or an honest ballot failed")

        return run

    # timed first, while this process holds no decoded ballot: a verifier's worker holds only
    # its chunk, and a heap of a few million objects here would slow every allocation
    from_bytes_ms = {}
    for size in sizes:
        n = max(size, min(len(raw), 512))
        n -= n % size
        from_bytes_ms[size] = round(_per_ballot(from_bytes(size), raw[:n], args.repeat), 3)
    decoded = [(Ballot.from_json(json.loads(r)), r) for r in raw]
    assert not verify_ballots(decoded, ctx, batched=True) and not verify_ballots(decoded, ctx, batched=False)

    def checked(batched: bool, size: int, from_json: bool) -> Any:
        def run(items: list[Any]) -> None:
            for start in range(0, len(items), size):
                part = items[start : start + size]
                if from_json:
                    part = [(Ballot.from_json(json.loads(r)), r) for r in part]
                if verify_ballots(part, ctx, batched=batched):
                    raise AssertionError("an honest ballot failed")

        return run

    rows = []
    for size in sizes:
        n = max(size, min(len(decoded), 512))  # at least one whole batch; small sizes over 512 ballots
        n -= n % size
        row: dict[str, Any] = {"batch_size": size, "ballots": n}
        for name, batched in (("per_proof", False), ("batched", True)):
            row[f"{name}_ms"] = round(_per_ballot(checked(batched, size, False), decoded[:n], args.repeat), 3)
            row[f"{name}_with_decoding_ms"] = round(_per_ballot(checked(batched, size, True), raw[:n], args.repeat), 3)
        # the verifier's own path: the ballots read straight from their bytes (`packed_ballots`)
        row["batched_from_bytes_ms"] = from_bytes_ms[size]
        row["speedup"] = round(row["per_proof_ms"] / row["batched_ms"], 2)
        rows.append(row)
        print(json.dumps(row))
    # one forged ballot (a response moved: its hash holds, an equation fails) in a batch: the
    # bisection's cost, against the same batch all honest
    forged_rows = []
    for size in [s for s in sizes if s > 1]:
        n = min(size, len(decoded))
        honest = decoded[:n]
        first = honest[n // 2][0]
        answer = first.answers[0]
        branch = answer.proofs[0].branches[0]
        bad_proof = RangeProof((replace(branch, response=branch.response + Scalar(1)), *answer.proofs[0].branches[1:]))
        bad_answer = replace(answer, proofs=(bad_proof, *answer.proofs[1:]))
        bad = replace(first, answers=(bad_answer, *first.answers[1:]))
        with_forged = [*honest[: n // 2], (bad, None), *honest[n // 2 + 1 :]]
        assert len(verify_ballots(with_forged, ctx)) == 1
        clean = _per_ballot(lambda items: verify_ballots(items, ctx), honest, args.repeat)
        dirty = _per_ballot(lambda items: verify_ballots(items, ctx), with_forged, args.repeat)
        forged_rows.append({"batch_size": n, "all_honest_ms": round(clean, 3), "one_forged_ms": round(dirty, 3)})
        print(json.dumps(forged_rows[-1]))
    earlier = _against(args.against, 512, args.repeat) if args.against else None
    if earlier is not None:
        print(json.dumps(earlier))
    results = {
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "backend": backend(),
        "multi_scalar_multiplication": msm_in_use(),
        "ballot": {"options": 11, "json_bytes": len(raw[0])},
        "rows": rows,
        "one_forged_ballot_per_batch": forged_rows,
        "earlier_commit_per_proof": earlier,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
