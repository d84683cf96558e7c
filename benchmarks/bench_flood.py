"""Flood resistance, in figures.

1. The server's cost of each kind of refused request, from the cheapest check to the
   costliest, next to an accepted ballot (in-process, through the ASGI app, no network:
   median of many requests each; 11-option ballots).
2. Honest voters under a flood: a `vecha serve` process on loopback, honest voters casting
   with and without a flood of junk from many concurrent clients (junk of every kind, and
   forged ballots from malicious voters who hold real credentials).

    .venv/bin/python benchmarks/bench_flood.py [--voters 600] [--junk-clients 32] [--out FILE]

Writes JSON (default benchmarks/results/flood.json).
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from eleven_lists import definition, encrypt_ballots

from vecha.crypto.group import backend
from vecha.election.credentials import Credential
from vecha.environment import apply_environment
from vecha.record.entries import EntryType
from vecha.server import ServerSettings, create_app
from vecha.server.limits import LimitSettings
from vecha.testing.flood import flood, forged_ballot, junk_kinds
from vecha.testing.records import build_election

apply_environment()  # VECHA_BACKEND chooses the group backend
BACKEND_NAME = backend()

DEFINITION = definition("bench-flood")
UNLIMITED = LimitSettings(ballots_per_second=1e9, ballot_burst=10**9, credential_burst=10**9)


class Asgi:
    """Calls the app directly, as the server would, with no client and no network in the
    measurement: what the server itself spends on a request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def request(self, method: str, path: str, body: bytes = b"") -> int:
        return self.loop.run_until_complete(self._request(method, path, body))

    async def _request(self, method: str, path: str, body: bytes) -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status


def _median_us(send: Callable[[], int], expect: int, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status = send()
        times.append(time.perf_counter() - t)
        assert status == expect, (status, expect)
    return round(statistics.median(times) * 1e6, 1)


def rejection_costs(tmp: Path, ballots: list[dict[str, Any]], codes: list[str], built: Any) -> dict[str, Any]:
    ctx, engine, eid = built.context, built.board.engine, DEFINITION["id"]
    path = f"/api/v1/elections/{eid}/ballots"
    settings = ServerSettings(max_body=256 * 1024, limits=UNLIMITED)
    valid = ballots[0]
    junk = junk_kinds(valid, settings.max_body)
    cred = Credential.from_code(codes[0], ctx.fingerprint)
    forged = json.dumps({"ballot": forged_ballot(ctx, cred, valid)}).encode()
    bad_point = json.loads(json.dumps(valid))
    bad_point["answers"][0]["choices"][0]["alpha"] = "ff" * 32
    bad_sig = json.loads(json.dumps(valid))
    bad_sig["signature"]["response"] = bad_sig["answers"][0]["proofs"][0][0][3]  # a valid scalar, the wrong one
    costs: dict[str, Any] = {}
    app = Asgi(create_app(engine, settings))

    def post(body: bytes) -> Callable[[], int]:
        return lambda: app.request("POST", path, body)

    costs["GET /health (the framework's floor)"] = _median_us(lambda: app.request("GET", "/api/v1/health"), 200, 500)
    for kind, status in (
        ("oversized", 413),
        ("malformed-json", 400),
        ("wrong-schema", 422),
        ("wrong-election", 422),
        ("unlisted-credential", 403),
    ):
        costs[f"{kind} ({status})"] = _median_us(post(junk[kind]), status, 500)
    costs["invalid point (422, decoding)"] = _median_us(post(json.dumps({"ballot": bad_point}).encode()), 422, 300)
    costs["bad signature (422, decoding + signature)"] = _median_us(
        post(json.dumps({"ballot": bad_sig}).encode()), 422, 300
    )
    costs["forged proof (422, every check)"] = _median_us(post(forged), 422, 200)
    fresh = iter(ballots[1:])
    costs["valid ballot (201, checked and committed)"] = _median_us(
        lambda: app.request("POST", path, json.dumps({"ballot": next(fresh)}).encode()), 201, 200
    )
    tight = ServerSettings(limits=LimitSettings(ballots_per_second=0.001, ballot_burst=1, credential_burst=1))
    engine2 = build_election(
        tmp / "tight", definition=DEFINITION, votes=[], voters=2, stop_after=EntryType.OPEN
    ).board.engine
    http = Asgi(create_app(engine2, tight))
    http.request("POST", path, b"{}")  # spends the one token
    costs["over the global rate (503, body unread)"] = _median_us(lambda: http.request("POST", path, forged), 503, 500)
    other = build_election(tmp / "credential", definition=DEFINITION, votes=[], voters=2, stop_after=EntryType.OPEN)
    (mine,) = encrypt_ballots((other.context, other.codes[:1], 0))
    own = Credential.from_code(other.codes[0], other.context.fingerprint)
    forged_here = json.dumps({"ballot": forged_ballot(other.context, own, mine)}).encode()
    per_credential = ServerSettings(limits=LimitSettings(credential_burst=1, credential_per_minute=0.001))
    http = Asgi(create_app(other.board.engine, per_credential))
    assert http.request("POST", path, forged_here) == 422  # validly signed: it spends the burst
    costs["credential over its rate (429, before decoding)"] = _median_us(
        lambda: http.request("POST", path, forged_here), 429, 500
    )
    return costs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def under_flood(
    db: str, ballots: list[dict[str, Any]], junk: dict[str, bytes], voters: int, junk_clients: int
) -> dict[str, Any]:
    port = _free_port()
    command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "serve", "--db", db, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(url + "/api/v1/health")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        result = asyncio.run(flood(url, DEFINITION["id"], ballots, junk, voters=voters, junk_clients=junk_clients))
        return result.summary()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=600, help="honest ballots in each flood run")
    parser.add_argument("--junk-clients", type=int, default=32)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "flood.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        n = 2 * args.voters + 210
        built = build_election(tmp / "e", definition=DEFINITION, votes=[], voters=n, stop_after=EntryType.OPEN)
        ctx, codes = built.context, built.codes
        with ProcessPoolExecutor(2) as pool:
            half = n // 2
            parts = list(pool.map(encrypt_ballots, [(ctx, codes[:half], 0), (ctx, codes[half:], 5)]))
        ballots = parts[0] + parts[1]
        costs = rejection_costs(tmp, ballots[:202], codes[:202], built)
        honest = ballots[202:]
        settings = ServerSettings()
        junk = junk_kinds(honest[0], settings.max_body)
        # five malicious voters, each with a real credential, sending forged ballots
        for k in range(5):
            cred = Credential.from_code(codes[202 + 2 * args.voters + k], ctx.fingerprint)
            junk[f"forged-{k}"] = json.dumps({"ballot": forged_ballot(ctx, cred, honest[0])}).encode()
        db = str(tmp / "e" / "box.sqlite")
        built.board.engine.dispose()
        quiet = under_flood(db, honest[: args.voters], {}, voters=8, junk_clients=0)
        flooded = under_flood(db, honest[args.voters : 2 * args.voters], junk, voters=8, junk_clients=args.junk_clients)
    results = {
        "command": f"benchmarks/bench_flood.py --voters {args.voters} --junk-clients {args.junk_clients}",
        "backend": BACKEND_NAME,
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count(), "platform": platform.platform()},
        "cost_per_request_us": costs,
        "honest_voters_alone": quiet,
        "honest_voters_under_flood": flooded,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
