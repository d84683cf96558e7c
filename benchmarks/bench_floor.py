"""How close ballot work is to the cost of the curve operations it needs (the floor).

    .venv/bin/python benchmarks/bench_floor.py [--repeat 30] [--out FILE]

1. The primitive operations through Vecha's binding, timed in this same run: point decoding
   (validation), addition, subtraction, variable-base and base multiplication (and with
   libdecaf: encoding, multiples from a table, the double multiplications, the variable-time
   multiplication).
2. For ballots of 11 options (one list question: 11 lists) and of 245 options (11 lists and
   234 candidates, as in a real open-list election): encryption with proofs and verification,
   median of `repeat` runs; the curve operations each needs (counted by wrapping the binding
   during one run), their cost at the measured prices, and the ratio of the real time to it.

Writes JSON (default benchmarks/results/floor.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vecha.crypto import Point, Scalar, _decaf, _sodium
from vecha.crypto.group import backend
from vecha.election.ballot import encrypt_ballot, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.environment import apply_environment
from vecha.testing.records import trustees_of

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()

# The binding's functions that do curve work, per backend.
PRIMITIVES = {
    "libsodium": (_sodium, ("is_valid_point", "point_add", "point_sub", "scalarmult", "scalarmult_base")),
    "libdecaf": (
        _decaf,
        (
            "decode",
            "encode",
            "add",
            "sub",
            "mul",
            "base_mul",
            "table_mul",
            "base_double_mul",
            "public_mul",
            "double_mul",
            "from_hash",
            "precompute",
        ),
    ),
}


def median_us(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(100):
            fn()
        samples.append((time.perf_counter() - t) / 100)
    return round(statistics.median(samples) * 1e6, 2)


def primitive_costs(repeat: int) -> dict[str, float]:
    p = Point.base_mul(Scalar.random_nonzero()).encoding
    q = Point.base_mul(Scalar.random_nonzero()).encoding
    n = bytes(Scalar.random_nonzero())
    if BACKEND_NAME == "libdecaf":
        hp, hq = _decaf.decode(p), _decaf.decode(q)
        assert hp is not None and hq is not None
        h64 = os.urandom(64)
        table = _decaf.precompute(hp)
        return {
            "decode": median_us(lambda: _decaf.decode(p), repeat),
            "encode": median_us(lambda: _decaf.encode(hp), repeat),
            "add": median_us(lambda: _decaf.add(hp, hq), repeat),
            "sub": median_us(lambda: _decaf.sub(hp, hq), repeat),
            "mul": median_us(lambda: _decaf.mul(hp, n), repeat),
            "base_mul": median_us(lambda: _decaf.base_mul(n), repeat),
            "table_mul": median_us(lambda: _decaf.table_mul(table, n), repeat),
            "base_double_mul": median_us(lambda: _decaf.base_double_mul(n, hq, n), repeat),
            "public_mul": median_us(lambda: _decaf.public_mul(hq, n), repeat),
            "double_mul": median_us(lambda: _decaf.double_mul(hp, n, hq, n), repeat),
            "from_hash": median_us(lambda: _decaf.from_hash(h64), repeat),
            "precompute": median_us(lambda: _decaf.precompute(hp), repeat),
        }
    return {
        "is_valid_point": median_us(lambda: _sodium.is_valid_point(p), repeat),
        "point_add": median_us(lambda: _sodium.point_add(p, q), repeat),
        "point_sub": median_us(lambda: _sodium.point_sub(p, q), repeat),
        "scalarmult": median_us(lambda: _sodium.scalarmult(n, p), repeat),
        "scalarmult_base": median_us(lambda: _sodium.scalarmult_base(n), repeat),
    }


def count_operations(work: Callable[[], object]) -> Counter[str]:
    """The binding's curve operations that one call of `work` makes."""
    counts: Counter[str] = Counter()
    module, names = PRIMITIVES[BACKEND_NAME]
    originals = {name: getattr(module, name) for name in names}

    def counting(name: str) -> Callable[..., Any]:
        def wrapped(*args: Any) -> Any:
            counts[name] += 1
            return originals[name](*args)

        return wrapped

    try:
        for name in names:
            setattr(module, name, counting(name))
        work()
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)
    return counts


def written_definition(candidates_per_list: list[int]) -> dict[str, Any]:
    lists = [
        {"name": f"List {i + 1}", "candidates": [f"Candidate {i + 1}.{k + 1}" for k in range(n)]}
        for i, n in enumerate(candidates_per_list)
    ]
    return {
        "id": "bench",
        "title": "Benchmark",
        "trustees": trustees_of(3, 2),
        "questions": [
            {
                "id": "council",
                "kind": "list-pr",
                "title": "Council",
                "lists": lists,
                "seats": {"method": "dhondt", "seats": 80},
            }
        ],
    }


def ballot_figures(shape: list[int], repeat: int, costs: dict[str, float]) -> dict[str, Any]:
    definition = parse_definition(written_definition(shape))
    options = len(definition.questions[0].option_list)
    ctx = ElectionContext(os.urandom(32), definition, Point.base_mul(Scalar.random_nonzero()))
    cred = Credential.from_code(new_code(), ctx.fingerprint)
    marks = [[1 if o == 1 else 0 for o in range(options)]]  # a preference vote for the first candidate
    ballot = encrypt_ballot(ctx, cred, marks).ballot
    enc_ops = count_operations(lambda: encrypt_ballot(ctx, cred, marks))
    ver_ops = count_operations(lambda: verify_ballot(ballot, ctx))
    enc, ver = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        b = encrypt_ballot(ctx, cred, marks).ballot
        enc.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_ballot(b, ctx)
        ver.append(time.perf_counter() - t)

    def floor_ms(ops: Counter[str]) -> float:
        return sum(n * costs[name] for name, n in ops.items()) / 1000

    enc_ms, ver_ms = statistics.median(enc) * 1000, statistics.median(ver) * 1000
    return {
        "options": options,
        "encrypt_median_ms": round(enc_ms, 3),
        "verify_median_ms": round(ver_ms, 3),
        "encrypt_operations": dict(enc_ops),
        "verify_operations": dict(ver_ops),
        "encrypt_floor_ms": round(floor_ms(enc_ops), 3),
        "verify_floor_ms": round(floor_ms(ver_ops), 3),
        "encrypt_over_floor": round(enc_ms / floor_ms(enc_ops), 2),
        "verify_over_floor": round(ver_ms / floor_ms(ver_ops), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, help="default: benchmarks/results/floor-<backend>.json")
    args = parser.parse_args()
    args.out = args.out or Path(__file__).parent / "results" / f"floor-{BACKEND_NAME}.json"
    costs = primitive_costs(args.repeat)
    coordination_council = [8, 33, 24, 29, 17, 22, 14, 26, 21, 19, 21]  # 234 candidates on 11 lists
    results = {
        "command": f"VECHA_BACKEND={BACKEND_NAME} benchmarks/bench_floor.py --repeat {args.repeat}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "backend": BACKEND_NAME,
        "primitive_us": costs,
        "ballot_11_options": ballot_figures([0] * 11, args.repeat, costs),
        "ballot_245_options": ballot_figures(coordination_council, max(5, args.repeat // 5), costs),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
