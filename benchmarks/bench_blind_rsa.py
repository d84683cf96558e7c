"""Blind signatures (RFC 9474) a registrar issues per second, at 3072-bit keys: one process,
and one per core; and what the applicant's device spends blinding and finalizing.

    .venv/bin/python benchmarks/bench_blind_rsa.py [--seconds 5] [--out FILE]

Writes JSON (default benchmarks/results/blind-rsa.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from vecha.crypto import blind_rsa as b


def _sign_for(seconds: float, p: int, q: int, e: int) -> int:
    key = b.BlindSecretKey(p, q, e)
    message = b.blind(key.public, b.prepare(b"x")).message
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        b.blind_sign(key, message)
        done += 1
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "blind-rsa.json")
    args = parser.parse_args()
    key = b.generate_key(3072)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    one = _sign_for(args.seconds, key.p, key.q, key.e) / args.seconds
    with ProcessPoolExecutor(cores) as pool:
        counts = list(pool.map(_sign_for, [args.seconds] * cores, [key.p] * cores, [key.q] * cores, [key.e] * cores))
    all_cores = sum(counts) / args.seconds
    prepared = b.prepare(b"a public credential")
    t = time.perf_counter()
    for _ in range(50):
        blinded = b.blind(key.public, prepared)
    blind_ms = (time.perf_counter() - t) / 50 * 1000
    answer = b.blind_sign(key, blinded.message)
    t = time.perf_counter()
    for _ in range(50):
        b.finalize(key.public, prepared, answer, blinded)
    finalize_ms = (time.perf_counter() - t) / 50 * 1000
    result = {
        "command": f"benchmarks/bench_blind_rsa.py --seconds {args.seconds}",
        "machine": {"python": platform.python_version(), "cpu_count": cores, "platform": platform.platform()},
        "key_bits": 3072,
        "blind_signatures_per_s": {"one_process": round(one, 1), f"{cores}_processes": round(all_cores, 1)},
        "minutes_for_100k_voters": round(100_000 / all_cores / 60, 1),
        "device_ms": {"blind": round(blind_ms, 2), "finalize_and_verify": round(finalize_ms, 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
