"""The ballot box and a mirror as Tor onion services (threat model §2.1), with Debian's tor.

Without the internet: the generated configuration (Tor itself checks it), the onion address
held to the service's key and kept across restarts, Tor's proof-of-work defence on by Tor's
own word, and `vecha serve --onion`. Then a private Tor network on loopback (three
authorities, three relays, a client): the box and a mirror each published as an onion
service, and a voter whose only way out is Tor votes through the mirror's onion address,
gets the box's receipt and finds the ballot at the box's onion address."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from vecha.cli.main import main
from vecha.crypto.canonical import canonical_bytes
from vecha.record.entries import EntryType
from vecha.server.app import create_mirror_app
from vecha.server.onion import OnionError, OnionService, onion_address_key, running_onion
from vecha.store.db import open_store
from vecha.store.replica import Replica
from vecha.testing.live import LiveServer
from vecha.testing.records import build_election
from vecha.testing.tor_network import TorNetwork, free_port

OFFLINE = {"DisableNetwork": "1"}  # Tor makes the service's keys, and connects to nothing


@pytest.fixture(scope="module")
def tor() -> str:
    exe, gencert = shutil.which("tor"), shutil.which("tor-gencert")
    if exe is None or gencert is None:
        if os.environ.get("VECHA_REQUIRE_TOR"):
            pytest.fail("VECHA_REQUIRE_TOR is set but Debian's tor is missing (run scripts/setup)")
        pytest.skip("Debian's tor is missing (run scripts/setup)")
    return exe


def test_the_configuration_is_one_tor_accepts_with_the_defence_on(tor: str, tmp_path: Path) -> None:
    service = OnionService(tmp_path / "onion", 8080)
    options = service.config()
    assert options["HiddenServicePort"] == "80 127.0.0.1:8080"
    assert options["HiddenServicePoWDefensesEnabled"] == "1" and options["SocksPort"] == "0"
    assert "HiddenServiceNonAnonymousMode" not in options
    single = OnionService(tmp_path / "single", 8080, single_hop=True).config()
    assert single["HiddenServiceSingleHopMode"] == single["HiddenServiceNonAnonymousMode"] == "1"
    for s in (service, OnionService(tmp_path / "single", 8080, single_hop=True)):
        torrc = tmp_path / "torrc"
        torrc.write_text(s.torrc())
        done = subprocess.run([tor, "--verify-config", "-f", str(torrc)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Configuration was valid" in done.stdout, done.stdout[-500:]


def test_an_onion_address_is_its_key_and_a_typo_is_caught() -> None:
    import hashlib

    key = bytes(range(32))
    checksum = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    address = base64.b32encode(key + checksum + b"\x03").decode().lower() + ".onion"
    assert onion_address_key(address) == key
    typo = address[:10] + ("a" if address[10] != "a" else "b") + address[11:]
    for bad in (typo, address.upper(), "expyuzz4wqqyqhjn.onion", address.replace(".onion", "x.onion")):
        with pytest.raises(OnionError):
            onion_address_key(bad)


def test_the_service_keeps_its_address_and_tor_says_the_defence_is_on(tor: str, tmp_path: Path) -> None:
    service = OnionService(tmp_path / "onion", free_port())
    with running_onion(service, tor, extra=OFFLINE) as onion:
        first = onion.address
        assert onion.pow_defense_on()
        assert "BOOTSTRAP" in onion.bootstrap()
        assert onion_address_key(first) == (service.service_dir / "hs_ed25519_public_key").read_bytes()[32:]
    with running_onion(service, tor, extra=OFFLINE) as again:
        assert again.address == first  # the address voters were given stays the one
    (service.service_dir / "hostname").write_text("a" * 56 + ".onion\n")  # a folder tampered with
    with pytest.raises(OnionError):
        service.address()


def test_vecha_serve_publishes_the_box_as_an_onion_service(tor: str, tmp_path: Path) -> None:
    """The CLI path: `vecha serve --onion DIR` starts Tor beside the server and prints the
    address that DIR's keys give; stopping the server stops Tor. (Offline here, Tor goes on
    trying to reach the network in the background; the private network test reaches it.)"""
    db = tmp_path / "box.sqlite"
    folder = tmp_path / "onion"
    port = free_port()
    command = [sys.executable, "-c", "from vecha.cli.main import run; run()", "serve", "--db", str(db)]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--onion", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "300"},  # one line per message
    )
    try:
        lines = []
        deadline = time.monotonic() + 90
        assert server.stdout is not None
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "onion service:" in line or not line:
                break
        printed = "".join(lines)
        assert "onion service: http://" in printed and "defence on" in printed, printed
        address = printed.split("onion service: http://", 1)[1].split("/", 1)[0]
        assert address == OnionService(folder, port).address()
        _reachable(f"http://127.0.0.1:{port}/api/v1/elections", None, timeout=60)  # and the server itself
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert not (folder / "data" / "control").exists() or _tor_gone(folder)


def _tor_gone(folder: Path) -> bool:
    """No process still holds the service's folder (Tor stopped with the server)."""
    done = subprocess.run(["pgrep", "-f", str(folder)], capture_output=True, text=True, check=False)
    return done.stdout.strip() == ""


@pytest.mark.slow
def test_a_voter_reaches_the_box_and_a_mirror_only_through_tor(
    tor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    e = build_election(tmp_path / "box", votes=[], voters=2, stop_after=EntryType.OPEN)
    eid = e.board.election_id
    mirror_engine = open_store(str(tmp_path / "mirror.sqlite"))
    with TorNetwork(tmp_path / "net", tor) as net, LiveServer(e.board.engine) as box:
        first = httpx.get(f"{box.url}/api/v1/elections/{eid}/board", params={"limit": 1}).json()["entries"][0]
        Replica.start(mirror_engine, box.url, canonical_bytes(first))
        with LiveServer(mirror_engine, app=create_mirror_app(mirror_engine, box.url)) as mirror:
            box_port, mirror_port = (int(s.url.rsplit(":", 1)[1]) for s in (box, mirror))
            with (
                running_onion(OnionService(tmp_path / "box-onion", box_port), tor, extra=net.options()) as box_onion,
                running_onion(
                    OnionService(tmp_path / "mirror-onion", mirror_port), tor, extra=net.options()
                ) as mirror_onion,
            ):
                net.wait_bootstrapped(180)
                proxy = f"socks5h://127.0.0.1:{net.socks_port}"
                onion_url = f"http://{mirror_onion.address}"
                _reachable(f"{onion_url}/api/v1/elections/{eid}", proxy)
                _reachable(f"http://{box_onion.address}/api/v1/elections/{eid}", proxy)
                # the voter's CLI goes out only through Tor (the proxy settings httpx reads)
                monkeypatch.setenv("ALL_PROXY", proxy)
                monkeypatch.setenv("NO_PROXY", "")
                receipt = tmp_path / "receipt.json"
                args = ["vote", "--server", onion_url, "--id", eid, "--credential", e.codes[0]]
                code = main([*args, "--choice", "council=North", "--choice", "yesno=Yes", "--receipt", str(receipt)])
                assert code == 0, capsys.readouterr()
                tracker = json.loads(receipt.read_text())["tracker"]
                capsys.readouterr()
                assert main(["track", tracker, "--server", f"http://{box_onion.address}", "--id", eid]) == 0
                assert "counts" in capsys.readouterr().out
                page = httpx.get(f"{onion_url}/booth.html?election={eid}", proxy=proxy, timeout=60)
                assert page.status_code == 200 and "/js/booth.js" in page.text
                assert box_onion.pow_defense_on() and mirror_onion.pow_defense_on()


def _reachable(url: str, proxy: str | None, timeout: float = 180) -> None:
    """Until the onion service answers through the test network (its descriptor must reach
    the network's directories first)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, proxy=proxy, timeout=30).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer through Tor"
        time.sleep(1)
