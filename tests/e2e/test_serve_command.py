"""`vecha serve` as a real process: it starts on an empty store, serves the API and the
metrics, and stops cleanly on SIGTERM. `vecha token create` prints a token once."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from vecha.cli.main import main
from vecha.testing.records import trustees_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_on_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, port = tmp_path / "box.sqlite", _free_port()
    command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "serve", "--db", str(db)]
    server = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v1/health").json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert httpx.get(url + "/api/v1/elections").json() == []
        assert "vecha_http_request_seconds" in httpx.get(url + "/metrics").text
        assert main(["token", "create", "--db", str(db), "--role", "admin", "--label", "commission"]) == 0
        token = capsys.readouterr().out.strip()
        assert token.startswith("vecha_") and len(token) > 40
        definition = tmp_path / "def.yaml"
        definition.write_text(
            "id: e1\ntitle: T\nquestions: [{id: q, title: Q, options: [a, b]}]\n"
            f"trustees: {json.dumps(trustees_of(1, 1))}\n"
        )
        assert main(["election", "create", str(definition), "--server", url, "--token", token]) == 0
        assert [e["id"] for e in httpx.get(url + "/api/v1/elections").json()] == ["e1"]
        assert main(["election", "create", str(definition), "--server", url, "--token", "vecha_wrong"]) == 1
        assert "401" in capsys.readouterr().err
        assert main(["token", "create", "--db", str(db), "--role", "trustee", "--label", "t", "--id", "e1"]) == 1
        assert "trustee's number" in capsys.readouterr().err
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    # Uvicorn shuts down gracefully, then re-raises the signal: killed by SIGTERM is its clean exit.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Traceback" not in output
    assert "127.0.0.1:" not in output.replace(f"http://127.0.0.1:{port}", "")  # no access log lines
