"""The ballot box server under concurrent clients: sustained accepted ballots per second and
latency percentiles, each ballot fully verified and durably committed before its receipt.

    .venv/bin/python benchmarks/bench_server.py [--ballots 2000] [--clients 32] [--db URL] [--out FILE]

The server runs as its own process (`vecha serve`); the clients are one asyncio process on
loopback. The ballots (11 options: one list question with 11 lists) are encrypted
beforehand, so only the server's work is timed. Writes JSON (default
benchmarks/results/server.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from eleven_lists import definition, encrypt_ballots

from vecha.crypto.group import BACKEND
from vecha.record.entries import EntryType
from vecha.testing.records import build_election

DEFINITION = definition("bench-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(url: str, election: str, ballots: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for b in ballots:
        queue.put_nowait(b)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            while not queue.empty():
                ballot = queue.get_nowait()
                t = time.perf_counter()
                r = await http.post(f"/api/v1/elections/{election}/ballots", json={"ballot": ballot})
                latencies.append(time.perf_counter() - t)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {
        "ballots": len(ballots),
        "clients": clients,
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "accepted_per_s": round(statuses.get(201, 0) / wall, 1),
        "latency_ms": {
            "p50": round(q[49] * 1000, 1),
            "p95": round(q[94] * 1000, 1),
            "p99": round(q[98] * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--db", help="a database URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "server.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "box.sqlite")
        built = build_election(
            Path(tmp), definition=DEFINITION, votes=[], voters=args.ballots, stop_after=EntryType.OPEN, store=db
        )
        ctx, codes = built.context, built.codes
        half = len(codes) // 2
        with ProcessPoolExecutor(2) as pool:
            parts = list(pool.map(encrypt_ballots, [(ctx, codes[:half], 0), (ctx, codes[half:], 5)]))
        ballots = parts[0] + parts[1]
        port = _free_port()
        command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "serve", "--db", db]
        server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    httpx.get(url + "/api/v1/health")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            figures = asyncio.run(_load(url, DEFINITION["id"], ballots, args.clients))  # type: ignore[arg-type]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    results = {
        "command": f"benchmarks/bench_server.py --ballots {args.ballots} --clients {args.clients}"
        + (" --db URL" if args.db else ""),
        "store": "postgresql" if args.db and args.db.startswith("postgres") else "sqlite",
        "backend": BACKEND,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        **figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
