"""Registration under load: applications (with sealed evidence) the registrar's service
accepts per second over HTTP, what refusing a flood application costs it, what the
applicant's device spends on the puzzle, and what each application costs a reviewer.

    .venv/bin/python benchmarks/bench_registration.py [--applications 300] [--photo-kb 200] [--out FILE]

Applications are made and their puzzles solved before the clock starts (that is the
applicant's work, measured apart). Writes JSON (default benchmarks/results/registration.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from vecha.election.application import Application, Evidence, PendingCredential, SealedEvidence
from vecha.election.trustees import local_ceremony
from vecha.registrar.app import RegistrarSettings, create_registrar_app
from vecha.registrar.service import PUZZLE_EPOCH_S
from vecha.store.board import Board, open_store
from vecha.store.organizer import record_ceremony
from vecha.testing.live import LiveServer
from vecha.testing.records import SMALL_DEFINITION, fixed_identities
from vecha.testing.registration import make_registrars, open_registrars, with_registration


def _post_all(url: str, bodies: list[Any], clients: int) -> tuple[float, list[int]]:
    def send(chunk: list[Any]) -> list[int]:
        with httpx.Client(timeout=60) as http:
            return [http.post(url, json=b).status_code for b in chunk]

    chunks = [bodies[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        codes = [c for part in pool.map(send, chunks) for c in part]
    return time.perf_counter() - start, codes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--photo-kb", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--puzzle-bits", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "registration.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    setups = make_registrars(["bloc-a"], bits=3072)
    definition = with_registration(SMALL_DEFINITION, setups, puzzle_bits=args.puzzle_bits)
    rules = definition.registration
    assert rules is not None
    board = Board.create(open_store(str(tmp / "box.sqlite")), definition)
    fp = board.ledger.fingerprint
    _, anns, confs = local_ceremony(fp, 2, fixed_identities(3))
    record_ceremony(board, anns, confs)
    [service] = open_registrars(tmp, board, setups)
    settings = RegistrarSettings(applications_per_second=100_000, application_burst=100_000)
    photo = os.urandom(args.photo_kb * 1024)
    seed = service.registrar.puzzle_seed(int(time.time()) // PUZZLE_EPOCH_S)
    bodies, solve_s = [], []
    for k in range(args.applications):
        pending = PendingCredential.new(fp, rules, ["bloc-a"])
        person = {"name": f"Person {k}", "document": f"MP{k:07d}", "born": "1990-01-01", "country": "PL"}
        evidence = Evidence.make(rules, person, {"photo": ("image/jpeg", "passport.jpg", photo)})
        app = Application.make(pending, rules, "bloc-a", evidence)
        t = time.perf_counter()
        bodies.append(app.to_json(seed, rules.puzzle_bits))
        solve_s.append(time.perf_counter() - t)
    flood = [{**b, "puzzle": {**b["puzzle"], "nonce": "00" * 8}} for b in bodies]
    app = create_registrar_app(service.engine, [setups[0].key], settings)
    with LiveServer(service.engine, app=app) as live:
        url = f"{live.url}/api/v1/registrar/{board.election_id}/applications"
        flood_s, flood_codes = _post_all(url, flood, args.clients)
        accept_s, accept_codes = _post_all(url, bodies, args.clients)
    assert set(flood_codes) == {422} and set(accept_codes) == {201}, (set(flood_codes), set(accept_codes))
    # a reviewer: fetch, open and decide each application (the registrar signs at approval)
    who = service.registrar.reviewer(service.tokens[0])
    t = time.perf_counter()
    decided = 0
    while True:
        page = service.registrar.pending(who, limit=100)
        if not page:
            break
        for item in page:
            sealed = SealedEvidence.from_json(item["evidence"], len(setups[0].reviewers), 1 << 40)
            opened = sealed.open(fp, "bloc-a", 1, setups[0].reviewers[0], rules)
            service.registrar.decide(who, item["code"], True, "", opened.duplicate_values(rules))
            decided += 1
    review_s = time.perf_counter() - t
    size = len(json.dumps(bodies[0]))
    result = {
        "command": f"benchmarks/bench_registration.py --applications {args.applications} --photo-kb {args.photo_kb} "
        f"--clients {args.clients} --puzzle-bits {args.puzzle_bits}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "store": "SQLite (WAL, synchronous=FULL, secure_delete)",
        "application_bytes": size,
        "accepted_per_s": round(args.applications / accept_s, 1),
        "flood_refused_per_s": round(args.applications / flood_s, 1),
        "note": "a flood application is refused at the puzzle check, before anything is decrypted or stored; "
        "receiving and parsing its body is most of what it costs the server",
        "device_puzzle_s": {
            "bits": args.puzzle_bits,
            "median": round(sorted(solve_s)[len(solve_s) // 2], 3),
            "max": round(max(solve_s), 3),
        },
        "reviewer_ms_per_application": {
            "open_and_approve_with_3072_bit_signature": round(review_s / decided * 1000, 1),
            "note": "decrypting on the reviewer's side, approving and signing on the registrar's, one process",
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
