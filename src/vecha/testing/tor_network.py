"""A private Tor network on loopback, for testing an onion service without the internet.

Three directory authorities (also relays), three more relays and a client, each a `tor`
process of Debian's package with `TestingTorNetwork` on: the authorities vote a consensus
within seconds, an onion service started with `network.options()` publishes its descriptor
to them, and the client reaches it through its SOCKS port exactly as a voter's Tor Browser
would reach the real one. Nothing here leaves 127.0.0.1.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TorNetwork", "free_port"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


#: the options every node of the test network shares: a testing network that votes fast and
#: gives every relay the flags a small network needs (guard, exit, onion-service directory)
_COMMON = {
    "TestingTorNetwork": "1",
    "AssumeReachable": "1",
    "PathsNeededToBuildCircuits": "0.25",
    "TestingDirAuthVoteExit": "*",
    "TestingDirAuthVoteGuard": "*",
    "TestingDirAuthVoteHSDir": "*",
    "TestingMinExitFlagThreshold": "0",
    "V3AuthNIntervalsValid": "2",
    "ShutdownWaitLength": "0",
    "SafeLogging": "0",
    "ProtocolWarnings": "1",
}

_AUTHORITY = {
    "AuthoritativeDirectory": "1",
    "V3AuthoritativeDirectory": "1",
    "TestingV3AuthInitialVotingInterval": "5",
    "V3AuthVotingInterval": "10",
    "TestingV3AuthInitialVoteDelay": "2",
    "V3AuthVoteDelay": "2",
    "TestingV3AuthInitialDistDelay": "2",
    "V3AuthDistDelay": "2",
}


@dataclass
class _Node:
    name: str
    directory: Path
    options: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def torrc(self, authorities: list[str]) -> Path:
        lines = [f"{k} {v}" for k, v in self.options.items()]
        lines += [f"DirAuthority {a}" for a in authorities]
        path = self.directory / "torrc"
        path.write_text("\n".join(lines) + "\n")
        return path


@dataclass
class TorNetwork:
    """`with TorNetwork(folder) as net:` three authorities, three relays and a client;
    `net.socks_port` is the client's SOCKS5 port; `net.options()` makes an onion service's
    Tor a member of this network."""

    directory: Path
    tor: str = "tor"
    authorities: list[str] = field(default_factory=list)
    socks_port: int = 0
    _nodes: list[_Node] = field(default_factory=list)

    def options(self) -> dict[str, str | list[str]]:
        return {**_COMMON, "DirAuthority": list(self.authorities)}

    def __enter__(self) -> TorNetwork:
        try:
            self._configure()
            for node in self._nodes:
                torrc = node.torrc(self.authorities)
                log = (node.directory / "tor.log").open("wb")
                node.process = subprocess.Popen([self.tor, "-f", str(torrc)], stdout=log, stderr=subprocess.STDOUT)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for node in self._nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
        for node in self._nodes:
            if node.process is not None:
                try:
                    node.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    node.process.kill()

    def _node(self, name: str, options: dict[str, str]) -> _Node:
        folder = self.directory / name
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        node = _Node(name, folder, {**_COMMON, "DataDirectory": str(folder), "Nickname": name, **options})
        node.options["Log"] = f"notice file {folder / 'notice.log'}"
        self._nodes.append(node)
        return node

    def _relay_options(self, or_port: int, dir_port: int) -> dict[str, str]:
        return {
            "SocksPort": "0",
            "ORPort": str(or_port),
            "DirPort": str(dir_port),
            "Address": "127.0.0.1",
            "ExitRelay": "0",
            "ContactInfo": "vecha-test@127.0.0.1",
        }

    def _configure(self) -> None:
        for k in range(3):
            or_port, dir_port = free_port(), free_port()
            node = self._node(f"auth{k}", {**self._relay_options(or_port, dir_port), **_AUTHORITY})
            v3ident = self._authority_keys(node.directory, dir_port)
            fingerprint = self._fingerprint(node)
            self.authorities.append(f"auth{k} orport={or_port} v3ident={v3ident} 127.0.0.1:{dir_port} {fingerprint}")
        for k in range(3):
            self._node(f"relay{k}", self._relay_options(free_port(), free_port()))
        self.socks_port = free_port()
        self._node("client", {"SocksPort": f"127.0.0.1:{self.socks_port}"})

    def _authority_keys(self, folder: Path, dir_port: int) -> str:
        keys = folder / "keys"
        keys.mkdir(mode=0o700, exist_ok=True)
        subprocess.run(
            [
                "tor-gencert",
                "--create-identity-key",
                "--passphrase-fd",
                "0",
                "-m",
                "12",
                "-a",
                f"127.0.0.1:{dir_port}",
                "-i",
                str(keys / "authority_identity_key"),
                "-s",
                str(keys / "authority_signing_key"),
                "-c",
                str(keys / "authority_certificate"),
            ],
            input=b"\n",
            capture_output=True,
            check=True,
            timeout=60,
        )
        found = re.search(r"^fingerprint ([0-9A-F]{40})$", (keys / "authority_certificate").read_text(), re.M)
        if found is None:
            raise RuntimeError("tor-gencert wrote no fingerprint")
        return found.group(1)

    def _fingerprint(self, node: _Node) -> str:
        done = subprocess.run(
            [
                self.tor,
                "--list-fingerprint",
                "--ignore-missing-torrc",
                "-f",
                "/dev/null",
                "--DataDirectory",
                str(node.directory),
                "--ORPort",
                "1",
                "--Nickname",
                node.name,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        found = re.search(rf"^{node.name} ([0-9A-F ]{{49}})$", done.stdout, re.M)
        if found is None:
            raise RuntimeError(f"tor listed no fingerprint: {done.stdout[-300:]}")
        return found.group(1).replace(" ", "")

    def wait_bootstrapped(self, timeout: float = 120) -> None:
        """Until the client's Tor says it is 100% bootstrapped."""
        log = self.directory / "client" / "notice.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log.exists() and "Bootstrapped 100%" in log.read_text(errors="replace"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"the test network's client did not bootstrap in {timeout} s")
