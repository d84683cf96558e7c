"""Instructions, not seconds: what a verifier worker executes per ballot, counted by callgrind.

    .venv/bin/python benchmarks/bench_instructions.py [--ballots 40] [--out FILE]

Timings on a shared machine drift by 10–20% from hour to hour; instruction counts do not
(callgrind counts the same total for the same program and input whatever else the machine
does), so they show what a change to the verifier's code saves. Needs valgrind
(`apt-get install valgrind`); runs on the libdecaf backend.

Counted, each as (count with K repetitions − count with none) / K, in a fresh process under
`valgrind --tool=callgrind`:
- `check_chunk` over K canonical 11-option ballots (one list question of 11 lists): what a
  verifier's worker does per ballot (decoding, shape, signature, proofs, adding it up);
- each curve operation that this needs, through Vecha's binding;
and from them the floor in instructions (the operations a ballot needs, counted as in
bench_floor.py, times their instruction counts) and the ratio of the real count to it.
Writes JSON (default benchmarks/results/instructions.json).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OPERATIONS = ("decode", "encode", "add", "sub", "table_mul", "base_double_mul", "public_mul", "double_mul", "base_mul")


def _inputs() -> dict[str, Any]:
    """An election context and canonical ballots for it (made once, outside callgrind)."""
    from bench_floor import count_operations
    from eleven_lists import definition

    from vecha.crypto import Point, Scalar
    from vecha.crypto.canonical import canonical_bytes
    from vecha.election.ballot import Ballot, encrypt_ballot, verify_ballot
    from vecha.election.context import ElectionContext
    from vecha.election.credentials import Credential, new_code
    from vecha.election.definition import parse_definition
    from vecha.workers import job_of

    ctx = ElectionContext(os.urandom(32), parse_definition(definition("instructions")), Point.base_mul(Scalar.random()))
    ballots = [
        canonical_bytes(
            encrypt_ballot(
                ctx, Credential.from_code(new_code(), ctx.fingerprint), [[1 if o == k % 11 else 0 for o in range(11)]]
            ).ballot.to_json()
        )
        for k in range(2)
    ]
    ballot = Ballot.from_json(json.loads(ballots[1]))
    operations = count_operations(lambda: verify_ballot(Ballot.from_json(json.loads(ballots[1])), ctx))
    operations.update({"add": len(ballot.answers[0].choices) * 2})  # adding the ballot to the chunk's sum
    return {"job": job_of(ctx), "ballots": ballots, "operations": dict(operations)}


def _child(inputs_file: str, what: str, repetitions: int) -> None:
    """Run `what` once to warm up (imports, the context, the key's table), then `repetitions` times."""
    from vecha.crypto import _decaf
    from vecha.environment import apply_environment
    from vecha.verify.parallel import check_chunk

    apply_environment()  # the parent set VECHA_BACKEND=libdecaf

    inputs = pickle.loads(Path(inputs_file).read_bytes())
    job, (first, ballot) = inputs["job"], inputs["ballots"]
    check_chunk(job, [(0, first)])
    if what == "check_chunk":
        check_chunk(job, [(1, ballot)] * repetitions)
        return
    p, q = _decaf.decode(job[2]), _decaf.decode(bytes.fromhex(json.loads(ballot)["credential"]))
    assert p is not None and q is not None
    n, table, encoded = bytes.fromhex("a5" * 31 + "05"), _decaf.precompute(p), _decaf.encode(p)
    calls = {
        "decode": lambda: _decaf.decode(encoded),
        "encode": lambda: _decaf.encode(p),
        "add": lambda: _decaf.add(p, q),
        "sub": lambda: _decaf.sub(p, q),
        "table_mul": lambda: _decaf.table_mul(table, n),
        "base_double_mul": lambda: _decaf.base_double_mul(n, q, n),
        "public_mul": lambda: _decaf.public_mul(q, n),
        "double_mul": lambda: _decaf.double_mul(p, n, q, n),
        "base_mul": lambda: _decaf.base_mul(n),
    }
    call = calls[what]
    for _ in range(repetitions):
        call()


def _instructions(inputs_file: str, what: str, repetitions: int) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [sys.executable, __file__, "--child", inputs_file, what, str(repetitions)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "VECHA_BACKEND": "libdecaf"},
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_call(inputs_file: str, what: str, repetitions: int) -> int:
    return (_instructions(inputs_file, what, repetitions) - _instructions(inputs_file, what, 0)) // repetitions


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=40, help="repetitions of the ballot check")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "instructions.json")
    args = parser.parse_args()
    from vecha.crypto.group import use_backend

    use_backend("libdecaf")
    inputs = _inputs()
    with tempfile.NamedTemporaryFile(suffix=".pickle") as f:
        f.write(pickle.dumps(inputs))
        f.flush()
        per_ballot = per_call(f.name, "check_chunk", args.ballots)
        costs = {op: per_call(f.name, op, 200) for op in OPERATIONS if op in inputs["operations"]}
    floor = sum(n * costs[op] for op, n in inputs["operations"].items())
    results = {
        "command": f"benchmarks/bench_instructions.py --ballots {args.ballots}",
        "what": "instructions per 11-option ballot in a verifier worker (check_chunk), and per curve operation",
        "check_chunk_per_ballot": per_ballot,
        "operations_per_ballot": inputs["operations"],
        "instructions_per_operation": costs,
        "floor_per_ballot": floor,
        "over_floor": round(per_ballot / floor, 3),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
