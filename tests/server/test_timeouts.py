"""Finding 7: the server's deadlines and caps, against a real server on loopback. A client
that sends its headers or its body too slowly is cut off; a keep-alive connection that idles
is closed; connections past the cap are closed at once; live streams past theirs get 503."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vecha.record.entries import EntryType
from vecha.server import ServerSettings
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election

SETTINGS = ServerSettings(header_timeout=0.5, body_timeout=0.5, idle_timeout=1.0, max_connections=8, max_streams=1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    built = build_election(tmp_path, votes=[], stop_after=EntryType.OPEN)
    with LiveServer(built.board.engine, SETTINGS) as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection (recv gets EOF) within `seconds`."""
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_half_sent_headers_are_cut_off(server: LiveServer) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # the head never ends
    started = time.monotonic()
    assert _closed_within(sock, 5)
    assert time.monotonic() - started < 4
    sock.close()
    assert httpx.get(server.url + "/api/v1/health").status_code == 200  # others are still served


def test_a_connection_that_sends_nothing_is_cut_off(server: LiveServer) -> None:
    sock = _connect(server)
    assert _closed_within(sock, 5)
    sock.close()


def test_a_body_sent_too_slowly_is_cut_off(server: LiveServer) -> None:
    sock = _connect(server)
    sock.sendall(
        b"POST /api/v1/elections/small-test/ballots HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    for _ in range(3):  # a byte now and then is not enough: the body has one deadline
        time.sleep(0.2)
        try:
            sock.sendall(b" ")
        except OSError:
            break
    assert _closed_within(sock, 5)
    sock.close()


def test_an_idle_keep_alive_connection_is_closed(server: LiveServer) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(5)
    assert b"200 OK" in sock.recv(4096)
    assert _closed_within(sock, 5)
    sock.close()


def test_connections_past_the_cap_are_closed_at_once(server: LiveServer) -> None:
    held = [_connect(server) for _ in range(SETTINGS.max_connections)]
    try:
        time.sleep(0.1)
        extra = _connect(server)
        assert _closed_within(extra, 0.4)  # long before the head's deadline
        extra.close()
    finally:
        for s in held:
            s.close()
    time.sleep(0.2)
    assert httpx.get(server.url + "/api/v1/health").status_code == 200


def test_live_streams_past_the_cap_get_busy(server: LiveServer) -> None:
    url = server.url + "/api/v1/elections/small-test/board/stream"
    with httpx.Client(timeout=5) as client, client.stream("GET", url) as first:
        assert first.status_code == 200
        lines = first.iter_lines()  # kept: an iterator dropped half-read closes the connection
        next(lines)  # the stream is open and counted
        second = httpx.get(url, timeout=5)
        assert (second.status_code, second.json()["error"]) == (503, "busy")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the first one's place is given back when it ends
        with httpx.Client(timeout=5) as client, client.stream("GET", url) as again:
            if again.status_code == 200:
                break
        time.sleep(0.1)
    else:
        pytest.fail("the stream's place was not given back")
