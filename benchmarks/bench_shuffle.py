"""The proof of shuffle (spec §4.5) per ciphertext and per mixer: shuffle + prove, and verify,
for rows of 1 ciphertext (a yes/no question) and of 5 (a ranked ballot of 5 candidates).

    .venv/bin/python benchmarks/bench_shuffle.py [--ballots 10000] [--out FILE]

One core: one mixer's shuffle and proof, and one verification, in one process (a mix is
sequential: each mixer takes the previous output). Two cores: a verifier checks the mixes
of different mixers at the same time (each mix's inputs and outputs are on the board), so
the figure is two mixes verified by two processes, per ciphertext. Writes JSON (default
benchmarks/results/shuffle.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from vecha.crypto.elgamal import Ciphertext, encrypt
from vecha.crypto.group import Point, Scalar
from vecha.crypto.shuffle import ShuffleProof, prove_shuffle, shuffle, verify_shuffle

FP = bytes(32)
CONTEXT = FP + (1).to_bytes(4, "big")

Rows = list[tuple[Ciphertext, ...]]


def _rows(key: Point, ballots: int, width: int) -> Rows:
    return [tuple(encrypt(key, 1, Scalar.random()) for _ in range(width)) for _ in range(ballots)]


def _verify(args: tuple[bytes, Rows, Rows, ShuffleProof]) -> float:
    key, inputs, outputs, proof = args
    t = time.perf_counter()
    verify_shuffle(FP, Point(key), CONTEXT, inputs, outputs, proof)
    return time.perf_counter() - t


def measure(ballots: int, width: int, cores: int) -> dict[str, object]:
    key = Point.base_mul(Scalar.random())
    inputs = _rows(key, ballots, width)
    t = time.perf_counter()
    outputs, psi, randomness = shuffle(key, inputs)
    shuffled = time.perf_counter() - t
    proof = prove_shuffle(FP, key, CONTEXT, inputs, outputs, psi, randomness)
    proven = time.perf_counter() - t - shuffled
    verified = _verify((key.encoding, inputs, outputs, proof))
    n = ballots * width
    out: dict[str, object] = {
        "ballots": ballots,
        "ciphertexts_per_ballot": width,
        "one_core_ms_per_ciphertext": {
            "shuffle": round(shuffled / n * 1000, 4),
            "prove": round(proven / n * 1000, 4),
            "shuffle_and_prove": round((shuffled + proven) / n * 1000, 4),
            "verify": round(verified / n * 1000, 4),
        },
    }
    if cores > 1:
        second_out, second_psi, second_r = shuffle(key, outputs)
        second = prove_shuffle(FP, key, CONTEXT, outputs, second_out, second_psi, second_r)
        jobs = [(key.encoding, inputs, outputs, proof), (key.encoding, outputs, second_out, second)]
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(_verify, jobs[:1]))  # start the workers before timing
            t = time.perf_counter()
            list(pool.map(_verify, jobs))
            both = time.perf_counter() - t
        out["two_cores_verify_ms_per_ciphertext"] = round(both / (2 * n) * 1000, 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "shuffle.json")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    runs = [measure(args.ballots, width, cores) for width in (1, 5)]
    result = {
        "command": f"benchmarks/bench_shuffle.py --ballots {args.ballots}",
        "machine": {"python": platform.python_version(), "cpu_count": cores, "platform": platform.platform()},
        "target_ms_per_ciphertext": {"shuffle_and_prove": 0.5, "verify": 0.5},
        "runs": runs,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
