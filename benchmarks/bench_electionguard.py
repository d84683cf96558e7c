"""Vecha and ElectionGuard side by side, in one run, on the same ballot shape.

    .venv/bin/python benchmarks/bench_electionguard.py [--options 11] [--repeat 20] [--tally 500]
        [--eg-python PYTHON] [--out FILE]

ElectionGuard's Python package (`electionguard` 1.4.0 from PyPI, the last release; it needs
Python 3.9 or 3.10) is installed into its own virtual environment (benchmarks/.electionguard,
made on the first run with the first of python3.10, python3.9 found, or --eg-python), and its
half runs there as a separate process (electionguard_side.py) right after Vecha's half, with the
same steps:

- encrypt one ballot (one question: mark at most one of OPTIONS; ElectionGuard's "one of m" with
  its placeholder selection, which also lets a voter leave it blank) with its proofs; median of
  REPEAT;
- verify one ballot's proofs; median of REPEAT; and, on Vecha's side, also as `vecha verify`
  does it: N ballots read from their canonical JSON and checked in batches of 128 (spec §4.7);
- tally N ballots: the homomorphic sum of N cast ballots (their proofs not re-checked);
- decrypt that tally: every trustee's decryption shares with their proofs, then the combination
  and the discrete logarithms (3 trustees, threshold 2; all three take part on both sides).

Both halves run one process each (Vecha's tally and decryption included). Writes JSON (default
benchmarks/results/electionguard.json) with both sets of figures and the ratios
ElectionGuard / Vecha; and, from bench_floor.py's counting, the cost of the curve operations
alone that Vecha's encryption and verification of this ballot need (their floor), with
ElectionGuard's times over it: the ratio that even a binding with no cost of its own would
reach.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_floor import count_operations, primitive_costs

from vecha.crypto.canonical import canonical_bytes
from vecha.crypto.group import backend
from vecha.election.ballot import encrypt_ballot, verify_ballot
from vecha.election.context import ElectionContext
from vecha.election.counting import aggregate_ballots, combine_shares
from vecha.election.credentials import Credential, new_code
from vecha.election.definition import parse_definition
from vecha.election.packed_ballots import check_ballot_lines
from vecha.election.trustees import check_ceremony, local_ceremony, partial_decrypt, verify_partial
from vecha.environment import apply_environment
from vecha.testing.records import fixed_identities, trustees_of

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()

HERE = Path(__file__).parent
ELECTIONGUARD = "electionguard==1.4.0"
TRUSTEES, THRESHOLD = 3, 2
VERIFY_CHUNK = 128  #: ballots per batch, as `vecha verify` checks them


def written_definition(options: int) -> dict[str, Any]:
    return {
        "id": "side-by-side",
        "title": "Side by side",
        "trustees": trustees_of(TRUSTEES, THRESHOLD),
        "questions": [
            {
                "id": "council",
                "kind": "choice",
                "title": "Choose one",
                "options": [f"Option {i + 1}" for i in range(options)],
                "min": 0,
                "max": 1,
            }
        ],
    }


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def vecha_side(options: int, repeat: int, tally: int) -> dict[str, Any]:
    definition = parse_definition(written_definition(options))
    fingerprint = os.urandom(32)
    t = time.perf_counter()
    identities = fixed_identities(TRUSTEES)
    secrets, announcements, confirmations = local_ceremony(fingerprint, THRESHOLD, identities)
    key = check_ceremony(fingerprint, THRESHOLD, [i.public for i in identities], announcements, confirmations)
    ceremony_s = time.perf_counter() - t
    ctx = ElectionContext(fingerprint, definition, key)

    def choices(k: int) -> list[list[int]]:
        return [[1 if o == k % options else 0 for o in range(options)]]

    encrypt, verify = [], []
    for k in range(repeat):
        cred = Credential.from_code(new_code(), ctx.fingerprint)
        t = time.perf_counter()
        ballot = encrypt_ballot(ctx, cred, choices(k)).ballot
        encrypt.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_ballot(ballot, ctx)
        verify.append(time.perf_counter() - t)

    ballots = [
        encrypt_ballot(ctx, Credential.from_code(new_code(), ctx.fingerprint), choices(k)).ballot for k in range(tally)
    ]
    t = time.perf_counter()
    aggregate = aggregate_ballots(definition, ballots)
    tally_s = time.perf_counter() - t
    # verification as `vecha verify` does it: chunks of 128 ballots read straight from their
    # canonical JSON and checked as one batch each (spec §4.7); per ballot, the best of 3
    lines = [canonical_bytes(b.to_json()) for b in ballots]
    in_batches = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for start in range(0, len(lines), VERIFY_CHUNK):
            read = check_ballot_lines(lines[start : start + VERIFY_CHUNK], ctx)
            assert read is not None and not read[0], "the ballots were not read, or one failed"
        in_batches = min(in_batches, (time.perf_counter() - t) / len(lines))

    costs = primitive_costs(repeat)
    voter = Credential.from_code(new_code(), ctx.fingerprint)
    ballot = encrypt_ballot(ctx, voter, choices(1)).ballot
    encrypt_ops = count_operations(lambda: encrypt_ballot(ctx, voter, choices(1)))
    verify_ops = count_operations(lambda: verify_ballot(ballot, ctx))

    t = time.perf_counter()
    shares = {}
    for secret, confirmation in zip(secrets, confirmations, strict=True):
        mine = partial_decrypt(fingerprint, secret, aggregate)
        verify_partial(fingerprint, secret.index, confirmation.verification_key, aggregate, mine)
        shares[secret.index] = mine
    counts = combine_shares(aggregate, shares, tally)[0]
    decrypt_s = time.perf_counter() - t
    expected = [sum(1 for k in range(tally) if k % options == i) for i in range(options)]
    assert counts == expected, (counts, expected)
    return {
        "package": "vecha",
        "backend": BACKEND_NAME,
        "python": platform.python_version(),
        "options": options,
        "repeat": repeat,
        "key_ceremony_s": round(ceremony_s, 3),
        "encrypt_median_ms": median_ms(encrypt),
        "verify_median_ms": median_ms(verify),
        "verify_in_batches_ms": round(in_batches * 1000, 3),
        "encrypt_floor_ms": round(sum(k * costs[op] for op, k in encrypt_ops.items()) / 1000, 3),
        "verify_floor_ms": round(sum(k * costs[op] for op, k in verify_ops.items()) / 1000, 3),
        "encrypt_operations": dict(encrypt_ops),
        "verify_operations": dict(verify_ops),
        "primitive_us": costs,
        "tally_ballots": tally,
        "tally_s": round(tally_s, 3),
        "decrypt_s": round(decrypt_s, 3),
        "decrypted_counts": counts,
    }


def electionguard_python(requested: str | None) -> Path:
    """The Python of ElectionGuard's own environment, made (and the package installed) if missing."""
    venv = HERE / ".electionguard"
    python = venv / "bin" / "python"
    if not python.exists():
        base = requested or next((p for p in map(shutil.which, ("python3.10", "python3.9")) if p), None)
        if base is None:
            sys.exit("ElectionGuard 1.4.0 needs Python 3.9 or 3.10: give one with --eg-python")
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", ELECTIONGUARD], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--options", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--tally", type=int, default=500)
    parser.add_argument("--eg-python", help="a Python 3.9 or 3.10 to make ElectionGuard's environment with")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "electionguard.json")
    args = parser.parse_args()

    python = electionguard_python(args.eg_python)
    vecha = vecha_side(args.options, args.repeat, args.tally)
    print(json.dumps(vecha), flush=True)
    side = subprocess.run(
        [str(python), str(HERE / "electionguard_side.py")]
        + ["--options", str(args.options), "--repeat", str(args.repeat), "--tally", str(args.tally)]
        + ["--trustees", str(TRUSTEES), "--threshold", str(THRESHOLD)],
        capture_output=True,
        text=True,
        check=True,
    )
    electionguard = json.loads(side.stdout.strip().splitlines()[-1])
    assert electionguard["decrypted_counts"] == vecha["decrypted_counts"]
    ratios = {
        step: round(electionguard[key] / vecha[key], 1)
        for step, key in (
            ("encrypt", "encrypt_median_ms"),
            ("verify", "verify_median_ms"),
            ("tally", "tally_s"),
            ("decrypt", "decrypt_s"),
        )
    }
    # ElectionGuard checks each ballot alone; Vecha's verifier checks them in batches
    ratios["verify_in_batches"] = round(electionguard["verify_median_ms"] / vecha["verify_in_batches_ms"], 1)
    over_floor = {
        step: round(electionguard[f"{step}_median_ms"] / vecha[f"{step}_floor_ms"], 1) for step in ("encrypt", "verify")
    }
    results = {
        "command": f"benchmarks/bench_electionguard.py --options {args.options} --repeat {args.repeat}"
        f" --tally {args.tally}",
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "shape": f"one question, choose 1 of {args.options}; {TRUSTEES} trustees, threshold {THRESHOLD}",
        "vecha": vecha,
        "electionguard": electionguard,
        "electionguard_over_vecha": ratios,
        "electionguard_over_vecha_floor": over_floor,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
