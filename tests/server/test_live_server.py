"""Against a real server on loopback: the live stream of the board, and privacy (nothing about
a client's address or browser is kept, in the logs or in the store)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from vecha.election.ballot import encrypt_ballot, selections_from_labels
from vecha.election.credentials import Credential
from vecha.record.entries import EntryType
from vecha.store.db import open_store
from vecha.store.schema import metadata
from vecha.testing.live import LiveServer
from vecha.testing.records import BuiltElection, build_election

PROBE_AGENT = "PrivacyProbe/7.7 (identifying-browser)"
CLIENT_ADDRESS = "127.0.0.77"


def _ballot(built: BuiltElection, voter: int) -> dict[str, object]:
    ctx = built.context
    sel = selections_from_labels(ctx.definition, {"council": ["South"], "yesno": ["No"]})
    return encrypt_ballot(ctx, Credential.from_code(built.codes[voter], ctx.fingerprint), sel).ballot.to_json()


def test_stream_sends_the_board_then_new_entries(tmp_path: Path) -> None:
    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    from vecha.server import ServerSettings

    settings = ServerSettings(stream_poll=0.05)
    with LiveServer(open_store(str(tmp_path / "box.sqlite")), settings) as server:
        base = f"{server.url}/api/v1/elections/small-test"
        height = built.board.ledger.height
        seen: list[dict[str, object]] = []
        with httpx.stream("GET", base + "/board/stream", params={"since": 2}, timeout=30) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            sender = threading.Timer(0.3, lambda: httpx.post(base + "/ballots", json={"ballot": _ballot(built, 0)}))
            sender.start()
            for line in lines:
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:]))
                    if len(seen) == height - 2 + 1:
                        break
            sender.join()
    assert [e["index"] for e in seen] == list(range(2, height + 1))
    assert seen[-1]["type"] == "ballot"


@pytest.mark.slow
def test_no_address_or_user_agent_is_kept(tmp_path: Path, store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN, store=store_url)
    caplog.set_level(logging.DEBUG)
    live = LiveServer(open_store(store_url), log_level="info")
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # they do not propagate to the root logger
        logging.getLogger(name).addHandler(caplog.handler)
    with live as server:
        base = f"{server.url}/api/v1/elections/small-test"
        headers = {"User-Agent": PROBE_AGENT, "X-Forwarded-For": "203.0.113.9"}
        # The client connects from its own loopback address, which appears nowhere else.
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
        with httpx.Client(headers=headers, timeout=60, transport=transport) as http:
            receipt = http.post(base + "/ballots", json={"ballot": _ballot(built, 1), "channel": "web"})
            assert receipt.status_code == 201
            assert http.post(base + "/ballots", json={"ballot": {}}).status_code == 422
            assert http.get(f"{base}/trackers/{receipt.json()['tracker']}").status_code == 200
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).removeHandler(caplog.handler)
    assert any(r.name.startswith("uvicorn") for r in caplog.records)  # the server's logs were captured
    secrets = (CLIENT_ADDRESS, "203.0.113.9", "PrivacyProbe", "identifying-browser")
    # Everything the server side logged (the test's own HTTP client logs its requests: not those).
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(r.getMessage() + repr(r.args) for r in server_side)
    for s in secrets:
        assert s not in logged, s
    engine = open_store(store_url)
    with engine.connect() as conn:
        stored = "\n".join(repr(row) for table in metadata.sorted_tables for row in conn.execute(select(table)))
    assert "small-test" in stored  # the dump did read the store
    for s in secrets:
        assert s not in stored and s.encode().hex() not in stored, s
    if "://" not in store_url:  # and the raw SQLite files, journal included
        raw = b"".join(p.read_bytes() for p in Path(store_url).parent.glob(Path(store_url).name + "*"))
        for s in secrets:
            assert s.encode() not in raw, s
