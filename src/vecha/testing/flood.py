"""A flood of junk mixed with honest voters, for the flood test and benchmark: kinds of bad
request, each refused at a different check, and a bounded asyncio client that runs the
voters and the flood together against a server on loopback."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from vecha.crypto.group import Point, Scalar
from vecha.crypto.proofs import RangeProof
from vecha.election.ballot import Answer, Ballot, sign_ballot
from vecha.election.context import ElectionContext
from vecha.election.credentials import Credential

__all__ = ["junk_kinds", "forged_ballot", "FloodResult", "flood"]


def forged_ballot(ctx: ElectionContext, credential: Credential, valid: dict[str, Any]) -> dict[str, Any]:
    """A well-formed ballot signed by a real (listed) credential whose first 0-or-1 proof is
    broken: it fails only at the last, costliest check — what a malicious voter would send."""
    ballot = Ballot.from_json(valid)
    first = ballot.answers[0]
    # a changed response: the hash still matches (the commitments are the proof's own), the
    # equations do not
    broken = RangeProof(tuple(replace(b, response=b.response + Scalar(1)) for b in first.proofs[0].branches))
    answers = (Answer(first.choices, (broken, *first.proofs[1:]), first.overall), *ballot.answers[1:])
    return sign_ballot(ctx.fingerprint, credential, answers).to_json()


def junk_kinds(valid: dict[str, Any], max_body: int) -> dict[str, bytes]:
    """Request bodies an attacker without a credential can send, by the check that stops them."""
    other_election = dict(valid, election="ab" * 32)
    unlisted = dict(valid, credential=Point.base_mul(Scalar.random()).hex())
    return {
        "oversized": b"{" + b" " * (max_body + 1) + b"}",
        "malformed-json": b'{"ballot": {"election": ',
        "wrong-schema": json.dumps({"ballot": {"election": "zz", "answers": []}}).encode(),
        "wrong-election": json.dumps({"ballot": other_election}).encode(),
        "unlisted-credential": json.dumps({"ballot": unlisted}).encode(),
    }


@dataclass
class FloodResult:
    receipts: list[dict[str, Any]] = field(default_factory=list)
    voter_latency: list[float] = field(default_factory=list)  #: first try to receipt, seconds
    voter_retries: int = 0  #: 503s a voter waited out
    junk: Counter[str] = field(default_factory=Counter)  #: "kind status" -> count
    wall: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.voter_latency)
        q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0] if lat else 0.0] * 99
        junk_total = sum(self.junk.values())
        return {
            "voters_accepted": len(self.receipts),
            "voter_retries_after_busy": self.voter_retries,
            "voter_latency_ms": {
                "p50": round(q[49] * 1000, 1),
                "p95": round(q[94] * 1000, 1),
                "p99": round(q[98] * 1000, 1),
            },
            "junk_requests": junk_total,
            "junk_per_s": round(junk_total / self.wall, 1) if self.wall else 0.0,
            "junk_answers": dict(sorted(self.junk.items())),
            "wall_s": round(self.wall, 2),
        }


async def flood(
    url: str,
    election: str,
    ballots: list[dict[str, Any]],
    junk: dict[str, bytes | tuple[str, bytes]],
    voters: int = 8,
    junk_clients: int = 16,
    path: str | None = None,
) -> FloodResult:
    """Cast `ballots` with `voters` concurrent honest clients (retrying after 503 busy, as a
    client should) while `junk_clients` send junk of every kind until the voters are done.
    A ballot is sent as `{"ballot": …}`, or as it is when it is a whole submission (it has a
    `ballot` member). Junk goes to the ballots' route, or to its own (`(path, body)`).
    `path`: another honest route instead (the registrar's applications), items sent as they are."""
    result = FloodResult()
    todo: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for b in ballots:
        todo.put_nowait(b if path is not None or "ballot" in b else {"ballot": b})
    done = asyncio.Event()
    path = path or f"/api/v1/elections/{election}/ballots"
    headers = {"content-type": "application/json"}

    async def voter(http: httpx.AsyncClient) -> None:
        while not todo.empty():
            ballot = todo.get_nowait()
            start = time.perf_counter()
            while True:
                r = await http.post(path, json=ballot)
                if r.status_code != 503:
                    break
                result.voter_retries += 1
                await asyncio.sleep(min(float(r.headers.get("retry-after", "1")), 1.0) / 4)
            if r.status_code not in (200, 201):
                raise AssertionError(f"an honest request was refused: {r.status_code} {r.text}")
            result.voter_latency.append(time.perf_counter() - start)
            result.receipts.append(r.json())

    async def attacker(http: httpx.AsyncClient, seed: int) -> None:
        rng = random.Random(seed)
        kinds = sorted(junk)
        while not done.is_set():
            kind = rng.choice(kinds)
            sent = junk[kind]
            target, body = sent if isinstance(sent, tuple) else (path, sent)
            try:
                r = await http.post(target, content=body, headers=headers)
                result.junk[f"{kind} {r.status_code}"] += 1
            except httpx.HTTPError:
                result.junk[f"{kind} connection-closed"] += 1

    limits = httpx.Limits(max_connections=voters + junk_clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        start = time.perf_counter()
        attackers = [asyncio.create_task(attacker(http, i)) for i in range(junk_clients)]
        try:
            await asyncio.gather(*(voter(http) for _ in range(voters)))
        finally:
            done.set()
            await asyncio.gather(*attackers, return_exceptions=True)
        result.wall = time.perf_counter() - start
    return result
