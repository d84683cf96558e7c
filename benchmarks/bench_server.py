"""The ballot box server under concurrent clients: sustained accepted ballots per second and
latency percentiles, each ballot fully verified and durably committed before its receipt.

    .venv/bin/python benchmarks/bench_server.py [--ballots 2000] [--clients 32] [--db URL] [--out FILE]

The server runs as its own process (`vecha serve`); the clients are one asyncio process on
loopback: wrk (C, two threads, a Lua script that posts distinct pre-encoded ballots), or a
Python asyncio client with `--client httpx`. The ballots (11 options: one list question with
11 lists) are encrypted beforehand, so only the server's work is timed; the client still
shares the machine's two cores with the server. Writes JSON (default
benchmarks/results/server.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
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

from vecha.crypto.group import backend
from vecha.environment import apply_environment
from vecha.record.entries import EntryType
from vecha.testing.records import build_election

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()

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


def _load_wrk(url: str, election: str, ballots: list[dict[str, Any]], clients: int, tmp: Path) -> dict[str, Any]:
    """The same load from wrk (C, two threads), which takes far less of the shared CPU than a
    Python client: the server's figures, not the client's. wrk runs for a set time whatever its
    threads do, so this watches the board and interrupts it once every ballot is on it."""
    bodies = tmp / "bodies.jsonl"
    bodies.write_text("".join(json.dumps({"ballot": b}, separators=(",", ":")) + "\n" for b in ballots))
    env = {**os.environ, "BALLOTS": str(bodies), "THREADS": "2", "TARGET_PATH": f"/api/v1/elections/{election}/ballots"}
    script = Path(__file__).parent / "wrk_ballots.lua"
    command = ["wrk", "-t2", f"-c{clients}", "-d3600s", "--timeout", "30s", "-s", str(script), url]
    # wrk's first thread spends one request on checking the script before the load starts.
    expected = len(ballots) - 1
    wrk = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    start = time.perf_counter()
    on_board, now = 0, start
    before = (now, on_board)
    with httpx.Client(base_url=url) as watcher:
        # A look every quarter second costs the server little; the moment the last ballot
        # arrived is interpolated between the last two looks.
        while on_board < expected and wrk.poll() is None and time.perf_counter() - start < 900:
            time.sleep(0.25)
            before = (now, on_board)
            on_board = watcher.get(f"/api/v1/elections/{election}").json()["ballots"]
            now = time.perf_counter()
    (t0, n0), t1 = before, now
    wall = t0 - start + (t1 - t0) * (expected - n0) / max(on_board - n0, 1)
    wrk.send_signal(signal.SIGINT)
    out, _ = wrk.communicate(timeout=60)
    figures = json.loads(out.strip().splitlines()[-1])
    if on_board < expected:
        raise SystemExit(f"only {on_board} of {expected} ballots reached the board: {figures}")
    return {
        "ballots": on_board,
        "clients": clients,
        "client": "wrk",
        "statuses": {"201": figures["created"], "other": figures["refused"]},
        "wall_s": round(wall, 2),
        "accepted_per_s": round(on_board / wall, 1),
        "latency_ms": {k: figures[f"{k}_ms"] for k in ("p50", "p95", "p99", "max")},
    }


def _batch_sizes(metrics: str) -> dict[str, Any]:
    """The box's tasks of proof checking, from its metrics: how many, and the ballots in them."""
    values = {}
    for line in metrics.splitlines():
        if line.startswith("vecha_ballot_batch_size_"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    tasks, ballots = values.get("vecha_ballot_batch_size_count", 0.0), values.get("vecha_ballot_batch_size_sum", 0.0)
    alone = values.get('vecha_ballot_batch_size_bucket{le="1.0"}', 0.0)
    return {
        "tasks": int(tasks),
        "ballots": int(ballots),
        "mean_ballots_per_task": round(ballots / tasks, 2) if tasks else None,
        "tasks_of_one_ballot": int(alone),
    }


def _run(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    """A fresh election, its ballots encrypted, a fresh `vecha serve` (batched or not), the load."""
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
        if mode == "per-proof":
            command.append("--no-batch")
        server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    httpx.get(url + "/api/v1/health")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            if args.client == "wrk":
                figures = _load_wrk(url, str(DEFINITION["id"]), ballots, args.clients, Path(tmp))
            else:
                figures = asyncio.run(_load(url, DEFINITION["id"], ballots, args.clients))  # type: ignore[arg-type]
            return {**figures, "proof_tasks": _batch_sizes(httpx.get(url + "/metrics").text)}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--db", help="a database URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "server.json")
    parser.add_argument(
        "--batch",
        default="both",
        choices=["batched", "per-proof", "both"],
        help="how the box's workers check waiting ballots (spec §4.7): both runs one after the other",
    )
    args = parser.parse_args()
    modes = {"batched": ["batched"], "per-proof": ["per-proof"], "both": ["batched", "per-proof"]}[args.batch]
    runs = {mode: _run(args, mode) for mode in modes}
    figures = runs[modes[0]] if len(modes) == 1 else {"batched": runs["batched"], "per_proof": runs["per-proof"]}
    results = {
        "command": f"benchmarks/bench_server.py --ballots {args.ballots} --clients {args.clients}"
        f" --client {args.client} --batch {args.batch}" + (" --db URL" if args.db else ""),
        "store": "postgresql" if args.db and args.db.startswith("postgres") else "sqlite",
        "backend": BACKEND_NAME,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        **figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
