"""The multi-scalar multiplication (`vecha/crypto/msm.c`, Pippenger over libdecaf) against the
pure path (double-scalar multiplications in pairs), side by side in one run: Σ s_i·P_i per
term at sizes 1 to 16384, and what it changes where verification uses it, the proof of
shuffle (rows of 5 ciphertexts) and the same-exponent proof of a raising. Results to
benchmarks/results/msm.json.

    .venv/bin/python benchmarks/bench_msm.py [--shuffle-ballots 2000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vecha.crypto import _decaf
from vecha.crypto.elgamal import encrypt
from vecha.crypto.group import MSM_FROM, Point, Scalar, backend, msm_in_use, use_msm, weighted_sum
from vecha.crypto.proofs.exponent import prove_exponent_packed, verify_exponent_packed
from vecha.crypto.rows import PackedRows
from vecha.crypto.shuffle import prove_shuffle, shuffle, verify_shuffle

SIZES = (1, 2, 4, 8, 16, 64, 256, 2048, 16384)


def _best(f: Callable[[], object], repeat: int) -> float:
    """The median of `repeat` timings of f(), in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _both(f: Callable[[], object], repeat: int) -> dict[str, float]:
    use_msm(True)
    with_msm = _best(f, repeat)
    use_msm(False)
    try:
        pure = _best(f, repeat)
    finally:
        use_msm(True)
    return {"msm_s": with_msm, "pairs_s": pure}


def sums() -> list[dict[str, Any]]:
    out = []
    for n in SIZES:
        points = [Point.base_mul(Scalar.random()) for _ in range(n)]
        for p in points:
            p._decoded()  # decoded once, as a verifier's points are by the time they are summed
        scalars = [Scalar.random() for _ in range(n)]
        repeat = max(5, min(50, 20000 // n))

        def by_msm(points: list[Point] = points, scalars: list[Scalar] = scalars) -> object:
            # what public_weighted_sum does on its MSM path, at any size
            handles = [p._decoded() for p in points]
            return _decaf.multi_mul(handles, b"".join(bytes(s) for s in scalars))

        def by_pairs(points: list[Point] = points, scalars: list[Scalar] = scalars) -> object:
            return weighted_sum(scalars, points)

        msm_s, pairs_s = _best(by_msm, repeat), _best(by_pairs, repeat)
        out.append(
            {
                "terms": n,
                "msm_us_per_term": round(msm_s / n * 1e6, 2),
                "pairs_us_per_term": round(pairs_s / n * 1e6, 2),
                "speedup": round(pairs_s / msm_s, 2),
                "public_weighted_sum_uses": "msm" if n >= MSM_FROM else "pairs",
            }
        )
        print(out[-1], flush=True)
    return out


def shuffle_proof(ballots: int, width: int) -> dict[str, Any]:
    fp, key = bytes(32), Point.base_mul(Scalar.random())
    rows = [tuple(encrypt(key, m % 3, Scalar.random()) for m in range(width)) for _ in range(ballots)]
    outputs, psi, randomness = shuffle(key, rows)
    proof = prove_shuffle(fp, key, b"bench", rows, outputs, psi, randomness)
    inputs, mixed = PackedRows.of(rows, width), PackedRows.of(outputs, width)
    t = _both(lambda: verify_shuffle(fp, key, b"bench", inputs, mixed, proof), repeat=3)
    per = ballots * width
    return {
        "ballots": ballots,
        "ciphertexts_per_ballot": width,
        "verify_ms_per_ciphertext_msm": round(t["msm_s"] / per * 1e3, 4),
        "verify_ms_per_ciphertext_pairs": round(t["pairs_s"] / per * 1e3, 4),
        "speedup": round(t["pairs_s"] / t["msm_s"], 2),
    }


def exponent_proof(points: int) -> dict[str, Any]:
    z = Scalar.random()
    key = Point.base_mul(z)
    bases = b"".join(Point.base_mul(Scalar.random()).encoding for _ in range(points))
    images = b"".join((Point(bases[k : k + 32]) * z).encoding for k in range(0, len(bases), 32))
    proof = prove_exponent_packed(z, key, bases, images, b"bench", "bench")
    t = _both(lambda: verify_exponent_packed(proof, key, bases, images, b"bench", "bench"), repeat=3)
    return {
        "points": points,
        "verify_us_per_point_msm": round(t["msm_s"] / points * 1e6, 2),
        "verify_us_per_point_pairs": round(t["pairs_s"] / points * 1e6, 2),
        "speedup": round(t["pairs_s"] / t["msm_s"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shuffle-ballots", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "msm.json")
    args = parser.parse_args()
    if backend() != "libdecaf" or not msm_in_use():
        raise SystemExit("needs libdecaf and the multi-scalar multiplication (scripts/setup builds it)")
    result = {
        "command": f"benchmarks/bench_msm.py --shuffle-ballots {args.shuffle_ballots}",
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "note": "one core; each figure the median of several runs, with and without the multi-scalar "
        "multiplication in the same run",
        "weighted_sum": sums(),
        "shuffle_verify": shuffle_proof(args.shuffle_ballots, 5),
        "exponent_verify": exponent_proof(20000),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
