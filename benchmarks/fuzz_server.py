"""A long fuzz run against a live ballot box: every route, mutated valid ballots, every token
role. Counts the answers by status; any 5xx, broken stream or dropped connection is a bug
and is written out with the request that caused it. Outside CI (it runs for minutes).

    .venv/bin/python benchmarks/fuzz_server.py [--requests 200000] [--seed 1] [--out FILE]

Writes JSON (default benchmarks/results/fuzz.json).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.server import ServerSettings
from vecha.server.limits import LimitSettings
from vecha.store.tokens import Role, create_token
from vecha.testing.live import LiveServer
from vecha.testing.records import SMALL_DEFINITION, build_election

WEIRD: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    2**64 + 7,
    -(2**70),
    1.5,
    "",
    "\ud800",
    "x" * 5000,
    "00" * 32,
    "ff" * 32,
    [],
    {},
    [[]],
    {"a": {"b": {"c": []}}},
]
INTS = ["0", "1", "-1", "9223372036854775807", "9223372036854775808", "1e9", "abc", "", "99999999999999999999"]


def mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """One random change somewhere inside a JSON value."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        out = dict(value)
        roll = rng.random()
        if roll < 0.15:
            del out[key]
        elif roll < 0.25:
            out["extra"] = rng.choice(WEIRD)
        elif roll < 0.4 or depth > 12:
            out[key] = rng.choice(WEIRD)
        else:
            out[key] = mutate(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and rng.random() < 0.8:
        out_list = list(value)
        i = rng.randrange(len(out_list))
        roll = rng.random()
        if roll < 0.15:
            del out_list[i]
        elif roll < 0.25:
            out_list.append(out_list[i])
        else:
            out_list[i] = mutate(out_list[i], rng, depth + 1)
        return out_list
    if isinstance(value, str) and value and rng.random() < 0.7:
        i = rng.randrange(len(value))
        return value[:i] + rng.choice("0123456789abcdefABCDEF\u0000\u00e9\U0001f600") + value[i + 1 :]
    return rng.choice(WEIRD)


class Fuzz:
    def __init__(
        self, url: str, election: str, chaos: str, tokens: dict[str, str], ballots: list[dict[str, Any]], seed: int
    ):
        self.url, self.election, self.chaos = url, election, chaos
        self.tokens, self.ballots = tokens, ballots
        self.rng = random.Random(seed)
        self.http = httpx.Client(base_url=url, timeout=30)
        self.answers: Counter[str] = Counter()
        self.bugs: list[dict[str, Any]] = []

    def headers(self) -> dict[str, str]:
        role = self.rng.choice([*self.tokens, "none", "garbage"])
        if role == "none":
            return {}
        if role == "garbage":
            return {"Authorization": self.rng.choice(["Bearer", "Bearer vecha_x", "Basic abc", "Bearer " + "a" * 3000])}
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def send(self, op: str, method: str, path: str, **kw: Any) -> None:
        try:
            r = self.http.request(method, path, **kw)
            status = r.status_code
        except httpx.HTTPError as e:
            self.bugs.append({"op": op, "path": path, "error": repr(e)})
            self.answers[f"{op} error"] += 1
            return
        self.answers[f"{op} {status}"] += 1
        if status >= 500 and status != 503:
            self.bugs.append({"op": op, "method": method, "path": path, "status": status, "body": r.text[:300]})

    def eid(self) -> str:
        return self.rng.choice([self.election, self.chaos, "nope", "UPPER", "a" * 70, "%00", "../etc"])

    def one(self) -> None:
        rng = self.rng
        e = self.eid()
        base = f"/api/v1/elections/{e}"
        op = rng.choice(
            [
                "ballot",
                "ballot",
                "ballot",
                "raw",
                "read",
                "read",
                "query",
                "stream",
                "admin",
                "admin",
                "create",
                "static",
            ]
        )
        if op == "ballot":
            ballot = mutate(rng.choice(self.ballots), rng) if rng.random() < 0.9 else rng.choice(self.ballots)
            body: Any = {"ballot": ballot, "channel": rng.choice(["web", "app", "app"])}
            if rng.random() < 0.2:
                body = mutate(body, rng)
            self.send("ballot", "POST", f"/api/v1/elections/{self.election}/ballots", content=json.dumps(body).encode())
        elif op == "raw":
            data = rng.choice(
                [
                    b"",
                    b"{",
                    b"[]",
                    b"null",
                    bytes(rng.randrange(256) for _ in range(rng.randrange(64))),
                    b'{"ballot":' * 60,
                ]
            )
            self.send("raw", "POST", base + "/ballots", content=data, headers={"content-type": "application/json"})
        elif op == "read":
            suffix = rng.choice(
                ["", "/package", "/checkpoints", "/turnout", "/result", "/ceremony", "/record", "/nothing"]
            )
            self.send("read", "GET", base + suffix)
        elif op == "query":
            path = rng.choice(["/board", "/credentials"])
            params = {k: rng.choice(INTS) for k in rng.sample(["start", "limit", "junk"], rng.randrange(4))}
            tracker = "".join(rng.choice("0123456789abcdefXYZ") for _ in range(rng.choice([0, 10, 63, 64, 65])))
            if rng.random() < 0.3:
                self.send("query", "GET", f"{base}/trackers/{tracker}")
            else:
                self.send("query", "GET", base + path, params=params)
        elif op == "stream":
            since = rng.choice(INTS)
            try:
                with self.http.stream("GET", f"{base}/board/stream", params={"since": since}, timeout=5) as r:
                    self.answers[f"stream {r.status_code}"] += 1
                    if r.status_code >= 500 and r.status_code != 503:
                        self.bugs.append({"op": "stream", "since": since, "status": r.status_code})
                    if r.status_code == 200:
                        for _ in zip(range(3), r.iter_lines(), strict=False):
                            pass
            except httpx.HTTPError as ex:
                self.answers["stream error"] += 1
                self.bugs.append({"op": "stream", "since": since, "error": repr(ex)})
        elif op == "admin":
            path = rng.choice(
                [
                    "/ceremony/announcement",
                    "/ceremony/shares",
                    "/ceremony/confirmation",
                    "/ceremony/finish",
                    "/credentials",
                    "/decryptions",
                    "/checkpoint",
                    "/result",
                    "/audit",
                    "/ceremony/shares",
                ]
            )
            # phase changes only on the chaos election: the ballots' election stays open
            if rng.random() < 0.05:
                path = rng.choice(["/open", "/close", "/tally"])
                e = self.chaos
            method = "GET" if path in ("/audit",) or (path == "/ceremony/shares" and rng.random() < 0.5) else "POST"
            body = mutate(
                rng.choice([{}, [], {"election": "00" * 32, "trustee": 1, "shares": []}, {"credentials": ["00" * 32]}]),
                rng,
            )
            self.send(
                "admin",
                method,
                f"/api/v1/elections/{e}{path}",
                content=json.dumps(body).encode(),
                headers=self.headers(),
            )
        elif op == "create":
            definition = mutate(dict(SMALL_DEFINITION, id=f"fuzz-{rng.randrange(10**6)}"), rng)
            self.send(
                "create", "POST", "/api/v1/elections", content=json.dumps(definition).encode(), headers=self.headers()
            )
        else:
            page = rng.choice(
                [
                    "/",
                    "/booth.html",
                    "/board.html?election=x",
                    "/results.html",
                    "/js/nothing.js",
                    "/%2e%2e/",
                    "/metrics",
                    "/api/v1/health",
                ]
            )
            self.send("static", "GET", page)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "fuzz.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = build_election(Path(tmp) / "open", votes=[], voters=20, stop_after=EntryType.OPEN)
        chaos = build_election(
            Path(tmp) / "chaos",
            definition={**SMALL_DEFINITION, "id": "chaos"},
            votes=[],
            stop_after=EntryType.OPEN,
            store=str(Path(tmp) / "open" / "box.sqlite"),
        )
        engine = built.board.engine
        tokens = {
            "admin": create_token(engine, Role.ADMIN, "fuzz admin"),
            "organizer": create_token(engine, Role.ORGANIZER, "fuzz organizer", "small-test"),
            "chaos-organizer": create_token(engine, Role.ORGANIZER, "fuzz organizer", "chaos"),
            "trustee": create_token(engine, Role.TRUSTEE, "fuzz trustee", "small-test", trustee=1),
        }
        ctx = built.context
        ballots = []
        for k, code in enumerate(built.codes):
            choice = {"council": [["North", "North / Ann", "South / Cat"][k % 3]], "yesno": [["Yes", "No"][k % 2]]}
            ballots.append(
                encrypt_ballot(
                    ctx, Credential.from_code(code, ctx.fingerprint), selections_from_labels(ctx.definition, choice)
                ).ballot.to_json()
            )
        settings = ServerSettings(
            limits=LimitSettings(credential_burst=10**9, ballots_per_second=1e9, ballot_burst=10**9)
        )
        del chaos
        with LiveServer(engine, settings) as server:
            fuzz = Fuzz(server.url, "small-test", "chaos", tokens, ballots, args.seed)
            started = time.perf_counter()
            for i in range(args.requests):
                fuzz.one()
                if (i + 1) % 10_000 == 0:
                    print(f"{i + 1} requests, {len(fuzz.bugs)} bugs", flush=True)
            wall = time.perf_counter() - started
    by_status: Counter[str] = Counter()
    for key, n in fuzz.answers.items():
        by_status[key.rsplit(" ", 1)[1]] += n
    out = {
        "command": f"benchmarks/fuzz_server.py --requests {args.requests} --seed {args.seed}",
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "requests": args.requests,
        "wall_s": round(wall, 1),
        "answers_by_status": dict(sorted(by_status.items())),
        "answers_by_operation": dict(sorted(fuzz.answers.items())),
        "bugs": fuzz.bugs[:50],
        "bug_count": len(fuzz.bugs),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps({k: out[k] for k in ("requests", "wall_s", "answers_by_status", "bug_count")}, indent=2))


if __name__ == "__main__":
    main()
