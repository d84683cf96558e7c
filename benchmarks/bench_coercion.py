"""A coercion-resistant election's count (spec §7.6) and its verification, through the box's
store and an exported record.

    .venv/bin/python benchmarks/bench_coercion.py [--voters 10000] [--revotes 0.2] [--fakes 0.1]
        [--out FILE] [--keep DIR]

`--voters` registered voters each get a roll entry (blind-signed by two registrars) and cast
one ballot with their real code; a share `--revotes` of them vote again naming their last
ballot, and a share of those (one in four) once more without it (a fork); a share `--fakes`
cast a ballot with a fake code as well. One yes/no question (w = 2 ciphertexts per
ballot). Three trustees, any two decrypt.

Timed: making and casting (not part of the count), then every step of the count: each
trustee's mixes, raisings and tag decryptions (each trustee is a machine of its own, so its
work is timed on one core), the box's checks of each entry, the counting rows'
decryption and the result; then `vecha verify` on the exported record with 1 worker and
with 2, each in a process of its own (peak memory, ru_maxrss, of the verifier and of its
largest worker). Writes JSON (default benchmarks/results/coercion-<voters>.json).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from vecha.crypto.group import Point
from vecha.election.coercion_ballot import make_coercion_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import new_code
from vecha.election.definition import parse_definition
from vecha.election.mixing import decrypt_rows
from vecha.election.trustees import local_ceremony
from vecha.record.coercion_count import Step, trustee_entry
from vecha.record.entries import EntryType
from vecha.store.board import Board, open_store
from vecha.store.coercion import add_count_entry
from vecha.store.organizer import (
    add_decryption,
    close_voting,
    export_record,
    open_voting,
    post_registrar_count,
    publish_result,
    record_ceremony,
)
from vecha.testing.coercion import COERCION_DEFINITION, registrar_count, sign_roll_entry
from vecha.testing.records import fixed_identities
from vecha.testing.registration import make_registrars, with_registration

CHUNK = 1000  #: entries per transaction while registering and casting


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


# ---- making the election (in worker processes: not part of the count) -------------------


def _roll_entries(job: tuple[bytes, bytes, list[str], list[Any]]) -> list[dict[str, Any]]:
    fp, key, codes, setups = job  # the registrars' keys travel along: each process has its own test keys
    return [sign_roll_entry(fp, Point(key), code, setups).to_json() for code in codes]


def _ballots(job: tuple[bytes, dict[str, Any], bytes, list[tuple[str, int, str | None]]]) -> list[dict[str, Any]]:
    fp, definition, key, casts = job
    ctx = ElectionContext(fp, parse_definition(definition), Point(key))
    out = []
    for code, vote, replaces in casts:
        made = make_coercion_ballot(
            ctx, code, [[1, 0] if vote else [0, 1]], bytes.fromhex(replaces) if replaces else None
        )
        out.append(made.ballot.to_json())
    return out


def make_election(
    directory: Path, voters: int, revotes: float, fakes: float, cores: int
) -> tuple[Board, list[Any], dict[str, Any]]:
    rng = random.Random(19)
    setups = make_registrars(["north", "south"])
    definition = with_registration(COERCION_DEFINITION, setups, required=2)
    board = Board.create(open_store(str(directory / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    trustees, anns, confs = local_ceremony(fp, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    ctx = board.ledger.context()
    key = ctx.public_key.encoding
    codes = [new_code() for _ in range(voters)]
    figures: dict[str, Any] = {}
    t = time.perf_counter()
    with ProcessPoolExecutor(cores) as pool:
        chunks = [(fp, key, codes[k : k + CHUNK], setups) for k in range(0, voters, CHUNK)]
        for entries in pool.map(_roll_entries, chunks):
            board.append_all([(EntryType.ROLL_ENTRY, e, False) for e in entries])
        for s in setups:
            post_registrar_count(board, registrar_count(s, fp, voters))
        open_voting(board)
        figures["register_roll_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        definition_json = board.ledger.defined().definition.model_dump(mode="json")
        rounds: list[list[tuple[str, int, str | None]]] = [[(c, rng.randint(0, 1), None) for c in codes]]
        revoters = [k for k in range(voters) if rng.random() < revotes]
        forkers = {k for k in revoters if rng.random() < 0.25}
        fakers = [new_code() for k in range(voters) if rng.random() < fakes]
        last: dict[str, str] = {}
        cast = 0

        def cast_round(items: list[tuple[str, int, str | None]]) -> None:
            nonlocal cast
            jobs = [(fp, definition_json, key, items[k : k + CHUNK]) for k in range(0, len(items), CHUNK)]
            for batch_items, ballots in zip(
                [items[k : k + CHUNK] for k in range(0, len(items), CHUNK)], pool.map(_ballots, jobs), strict=True
            ):
                receipts = board.cast_many([(b, "app") for b in ballots], check_proofs=False)
                for (code, _, _), r in zip(batch_items, receipts, strict=True):
                    last[code] = r.tracker
                cast += len(ballots)

        second = [(codes[k], rng.randint(0, 1), None) for k in revoters]
        third = [(codes[k], rng.randint(0, 1), None) for k in sorted(forkers)]  # a fork: the latest counts
        cast_round(rounds[0] + [(c, 1, None) for c in fakers])
        cast_round([(code, vote, last[code]) for code, vote, _ in second])  # naming their last ballot
        cast_round(third)
        final = {code: vote for code, vote, _ in rounds[0] + second + third}  # fake codes count for nothing
    figures["make_and_cast_ballots_s"] = round(time.perf_counter() - t, 1)
    figures["ballots"] = cast
    figures["revoters"], figures["forkers"], figures["fake_code_ballots"] = len(revoters), len(forkers), len(fakers)
    yes = sum(final.values())
    figures["expected"] = {"Yes": yes, "No": len(final) - yes}
    return board, list(trustees), figures


# ---- the count --------------------------------------------------------------------------


def run_count(board: Board, trustees: list[Any]) -> dict[str, Any]:
    close_voting(board)
    ledger, identities = board.ledger, fixed_identities(3)
    count = ledger.coercion
    assert count is not None
    trustee_s: dict[str, float] = defaultdict(float)
    box_s: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    while count.step is not Step.COUNTED:
        step = count.step
        for secret in trustees:
            if step.entry_type == "tag-decryption" and secret.index not in (1, 3):
                continue
            t = time.perf_counter()
            made = trustee_entry(count, secret.index, identities[secret.index - 1], secret.key_share)
            if made is None:
                continue
            trustee_s[f"{step.name.lower()}_trustee_{secret.index}"] += time.perf_counter() - t
            t = time.perf_counter()
            add_count_entry(board, made[0], made[1], secret.index)
            box_s[step.name.lower()] += time.perf_counter() - t
            break
    for j in (1, 3):
        t = time.perf_counter()
        shares = decrypt_rows(ledger.fingerprint, trustees[j - 1], ledger.mixed)
        trustee_s[f"open_trustee_{j}"] += time.perf_counter() - t
        t = time.perf_counter()
        add_decryption(board, j, [[s.to_json() for s in row] for row in shares])
        box_s["open"] += time.perf_counter() - t
    t = time.perf_counter()
    result = publish_result(board)
    box_s["result"] = time.perf_counter() - t
    return {
        "count_wall_s": round(time.perf_counter() - started, 1),
        "trustees_s": {k: round(v, 1) for k, v in trustee_s.items()},
        "box_checks_s": {k: round(v, 1) for k, v in box_s.items()},
        "trustees_total_s": round(sum(trustee_s.values()), 1),
        "box_checks_total_s": round(sum(box_s.values()), 1),
        "result": {"counts": result["questions"][0]["counts"], "coercion": result["coercion"]},
        "box_peak_rss_mib": _peak_mib(),
    }


def make_and_count(directory: str, voters: int, revotes: float, fakes: float, cores: int) -> dict[str, Any]:
    board, trustees, figures = make_election(Path(directory), voters, revotes, fakes, cores)
    figures.update(run_count(board, trustees))
    if figures["result"]["counts"] != figures["expected"]:  # the count must be the voters' last ballots
        raise SystemExit(f"the count {figures['result']['counts']} is not the expected {figures['expected']}")
    t = time.perf_counter()
    export_record(board, Path(directory) / "record")
    figures["export_s"] = round(time.perf_counter() - t, 1)
    record = Path(directory) / "record"
    figures["record_mib"] = round(sum(f.stat().st_size for f in record.iterdir()) / 2**20, 1)
    return figures


def verify(directory: str, workers: int) -> dict[str, Any]:
    from vecha.verify import verify_record

    t = time.perf_counter()
    report = verify_record(Path(directory) / "record", workers=workers)
    assert report.ok, report.error
    return {
        "verify_s": round(time.perf_counter() - t, 1),
        "verifier_peak_rss_mib": _peak_mib(),
        "largest_worker_peak_rss_mib": _peak_mib(resource.RUSAGE_CHILDREN),
    }


def _in_own_process(fn: Any, *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(fn, *args).result()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--revotes", type=float, default=0.2)
    parser.add_argument("--fakes", type=float, default=0.1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the store and the record in this directory")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    out = args.out or Path(__file__).parent / "results" / f"coercion-{args.voters}.json"
    with tempfile.TemporaryDirectory() as tmp:
        directory = str(args.keep) if args.keep else tmp
        Path(directory).mkdir(parents=True, exist_ok=True)
        made = _in_own_process(make_and_count, directory, args.voters, args.revotes, args.fakes, cores)
        print(json.dumps(made, indent=1), flush=True)
        verified = {f"{w}_workers": _in_own_process(verify, directory, w) for w in sorted({1, min(2, cores)})}
    count = made["trustees_total_s"] + made["box_checks_total_s"]
    report = {
        "command": f"benchmarks/bench_coercion.py --voters {args.voters} --revotes {args.revotes} --fakes {args.fakes}",
        "machine": {"python": platform.python_version(), "cpu_count": cores, "platform": platform.platform()},
        "target": "100k voters tallied and verified in under 30 minutes on 2 cores",
        "voters": args.voters,
        "made": made,
        "verify": verified,
        "count_and_verify_minutes": {
            f"{w}_workers": round((count + v["verify_s"]) / 60, 1)
            for w, v in ((k.split("_")[0], v) for k, v in verified.items())
        },
    }
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report["count_and_verify_minutes"]))


if __name__ == "__main__":
    main()
