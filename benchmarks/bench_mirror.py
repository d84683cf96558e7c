"""A mirror under load (threat model §2.1): how far behind its ballot box it runs while
voters cast at the box, what checking costs it per ballot, and how many ballots per second it
relays to the box.

    .venv/bin/python benchmarks/bench_mirror.py [--ballots 2000] [--clients 8] [--out FILE]

The box and the mirror run as real HTTP servers on loopback in this process's threads (on a
2-core machine they share the cores with the clients). Ballots are made before the clock
starts. Writes JSON (default benchmarks/results/mirror.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from vecha.crypto.canonical import canonical_bytes
from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.server import ServerSettings
from vecha.server.app import create_mirror_app
from vecha.server.limits import LimitSettings
from vecha.store.db import open_store
from vecha.store.replica import Replica
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election

UNLIMITED = LimitSettings(ballots_per_second=1e9, ballot_burst=10**9, credential_burst=10**9)


def _ballots(context: Any, codes: list[str]) -> list[dict[str, Any]]:
    out = []
    for k, code in enumerate(codes):
        cred = Credential.from_code(code, context.fingerprint)
        marks = {"council": ["North" if k % 2 else "South / Cat"], "yesno": ["Yes"]}
        sel = selections_from_labels(context.definition, marks)
        out.append({"ballot": encrypt_ballot(context, cred, sel).ballot.to_json(), "channel": "app"})
    return out


def _cast_all(url: str, election_id: str, ballots: list[dict[str, Any]], clients: int) -> float:
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for b in ballots:
        work.put(b)

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                r = http.post(f"{url}/api/v1/elections/{election_id}/ballots", json=body)
                assert r.status_code in (200, 201), r.text

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "mirror.json")
    args = parser.parse_args()
    n = args.ballots
    with tempfile.TemporaryDirectory() as tmp:
        e = build_election(Path(tmp) / "box", votes=[], voters=2 * n, stop_after=EntryType.OPEN)
        eid = e.board.election_id
        direct, relayed = _ballots(e.context, e.codes[:n]), _ballots(e.context, e.codes[n:])
        settings = ServerSettings(limits=UNLIMITED)
        with LiveServer(e.board.engine, settings) as box:
            page = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()
            engine = open_store(str(Path(tmp) / "mirror.sqlite"))
            Replica.start(engine, box.url, canonical_bytes(page["entries"][0]))
            app = create_mirror_app(engine, box.url, settings)
            with LiveServer(engine, settings, app=app) as mirror:
                status_url = f"{mirror.url}/api/v1/elections/{eid}/mirror"
                lag: list[tuple[int, float]] = []  # (entries behind, seconds since the mirror last heard)
                done = threading.Event()

                def sample() -> None:
                    while not done.is_set():
                        box_height = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()
                        s = httpx.get(status_url).json()
                        lag.append((box_height["height"] - s["height"], s["seconds_since_contact"] or 0.0))
                        time.sleep(0.25)

                sampler = threading.Thread(target=sample)
                sampler.start()
                direct_s = _cast_all(box.url, eid, direct, args.clients)
                done.set()
                sampler.join()
                target = e.board.ledger.height + n
                relay_s = _cast_all(mirror.url, eid, relayed, args.clients)
                deadline = time.monotonic() + 600
                while httpx.get(status_url).json()["height"] < target and time.monotonic() < deadline:
                    time.sleep(0.2)
                final = httpx.get(status_url).json()
                assert final["refused"] is None and final["height"] >= target, final
        # what checking costs a mirror: a fresh copy of the whole board, entry by entry
        bodies = list(e.board.entry_bodies())
        fresh = Replica.start(open_store(str(Path(tmp) / "fresh.sqlite")), box.url, bodies[0])
        start = time.perf_counter()
        for body in bodies[1:]:
            fresh.take(body)
        check_s = time.perf_counter() - start
    behind = [b for b, _ in lag]
    result = {
        "command": f"benchmarks/bench_mirror.py --ballots {n} --clients {args.clients}",
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "cast_at_the_box": {"ballots": n, "per_s": round(n / direct_s, 1)},
        "mirror_lag_while_casting": {
            "samples": len(behind),
            "entries_behind_median": sorted(behind)[len(behind) // 2] if behind else None,
            "entries_behind_max": max(behind, default=None),
            "seconds_since_contact_max": round(max((s for _, s in lag), default=0.0), 2),
        },
        "relayed_through_the_mirror": {"ballots": n, "per_s": round(n / relay_s, 1)},
        "mirror_check_ms_per_ballot": round(check_s / (len(bodies) - 1) * 1000, 2),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
