"""Time one ballot of the demo election (encrypt, verify) and a whole demo election.

    .venv/bin/python benchmarks/bench_ballot.py [--repeat 30] [--demo-voters 1000] [--out FILE]

Writes a JSON file (default benchmarks/results/ballot.json) with medians and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from vecha.cli.demo import run_demo
from vecha.cli.demo_election import demo_definition
from vecha.crypto import Point, Scalar
from vecha.crypto.group import backend
from vecha.election.ballot import encrypt_ballot, selections_from_labels, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.environment import apply_environment
from vecha.testing.records import fixed_identities
from vecha.verify import verify_record

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--demo-voters", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ballot.json")
    args = parser.parse_args()

    definition = parse_definition(demo_definition([i.public.hex() for i in fixed_identities(5)]))
    ctx = ElectionContext(os.urandom(32), definition, Point.base_mul(Scalar.random_nonzero()))
    cred = Credential.from_code(new_code(), ctx.fingerprint)
    sel = selections_from_labels(definition, {"council": ["Civic Alliance"], "referendum": ["Yes"]})
    enc, ver = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        ballot = encrypt_ballot(ctx, cred, sel).ballot
        enc.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_ballot(ballot, ctx)
        ver.append(time.perf_counter() - t)
    options = sum(len(q.option_list) for q in definition.questions)
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "backend": BACKEND_NAME,
        "ballot": {
            "questions": len(definition.questions),
            "options": options,
            "repeat": args.repeat,
            "encrypt_median_ms": median_ms(enc),
            "verify_median_ms": median_ms(ver),
        },
    }
    if args.demo_voters:
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "record"
            outcome = run_demo(args.demo_voters, record, lambda *_: None, seed=1)
            verify_s = {}
            for workers in (1, 2):
                t = time.perf_counter()
                assert verify_record(record, workers=workers).ok
                verify_s[f"verify_workers_{workers}_s"] = round(time.perf_counter() - t, 2)
        results["demo"] = {
            "voters": args.demo_voters,
            "ballots": outcome.ballots,
            "verified": outcome.report.ok,
            **{k: round(v, 2) for k, v in outcome.timings.items()},
            **verify_s,
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
