"""Publishing the ballot box or a mirror as a Tor onion service (threat model §2.1).

A voter whose state blocks the box's address, or who does not want the network to see that
they connect to it, reaches it through Tor at its onion address: no DNS, no certificate
authority, and the address is the service's own key. Vecha runs Debian's `tor` beside the
HTTP server and controls it with `stem`: the service's keys (so its address) and Tor's state
live in one folder, kept across restarts, so the address voters were given stays the same.

Tor's proof-of-work defence for onion services (Tor ≥ 0.4.8) is on by default: under a flood
of introduction requests, clients must solve a puzzle whose difficulty rises with the load,
so an attacker pays for every attempt while honest voters' Tor clients solve it on their own.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vecha.errors import VechaError

__all__ = ["OnionError", "OnionService", "onion_address_key", "running_onion"]

_SUFFIX = ".onion"


class OnionError(VechaError):
    """Tor is missing, would not start, or its service folder does not hold a valid service."""


@dataclass(frozen=True)
class OnionService:
    """How Vecha's onion service is set up. `directory` keeps Tor's state and the service's
    keys; `target_port` is where the HTTP server listens on loopback; voters use port
    `virtual_port` of the onion address (80: an onion address needs no TLS, Tor encrypts and
    authenticates the whole way to the service's key)."""

    directory: Path
    target_port: int
    virtual_port: int = 80
    pow_defense: bool = True
    #: a single onion service: one hop from the service instead of three, so faster and
    #: lighter; it hides the voters, not the server's location (which the box's public
    #: address gives away anyway). A mirror that must hide where it runs keeps this off.
    single_hop: bool = False

    @property
    def service_dir(self) -> Path:
        return self.directory / "service"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def control_socket(self) -> Path:
        return self.data_dir / "control"

    def config(self) -> dict[str, str | list[str]]:
        """Tor's options (torrc keywords), as `stem` hands them to `tor`."""
        options: dict[str, str | list[str]] = {
            "DataDirectory": str(self.data_dir),
            "SocksPort": "0",  # a service only: this Tor offers no proxy to anyone
            "ControlSocket": str(self.control_socket),
            "CookieAuthentication": "1",
            "HiddenServiceDir": str(self.service_dir),
            "HiddenServicePort": f"{self.virtual_port} 127.0.0.1:{self.target_port}",
            "HiddenServicePoWDefensesEnabled": "1" if self.pow_defense else "0",
            "Log": "notice stdout",
        }
        if self.single_hop:
            options["HiddenServiceSingleHopMode"] = "1"
            options["HiddenServiceNonAnonymousMode"] = "1"
        return options

    def torrc(self) -> str:
        """The same options as a torrc, for an operator who runs Tor as a system service."""
        lines = []
        for key, value in self.config().items():
            for v in value if isinstance(value, list) else [value]:
                lines.append(f"{key} {v}")
        return "\n".join(lines) + "\n"

    def address(self) -> str:
        """The service's onion address, read from its folder and checked against its key."""
        try:
            hostname = (self.service_dir / "hostname").read_text("ascii").strip()
            public = (self.service_dir / "hs_ed25519_public_key").read_bytes()
        except (OSError, UnicodeDecodeError) as e:
            raise OnionError(f"no onion service in {self.service_dir}: {e}") from None
        # the key file: a 32-byte header "== ed25519v1-public: type0 ==" padded, then the key
        if len(public) != 64 or onion_address_key(hostname) != public[32:]:
            raise OnionError(f"{self.service_dir}: the hostname is not the address of the service's key")
        return hostname


def onion_address_key(address: str) -> bytes:
    """The ed25519 public key a version-3 onion address names (Tor's rend-spec-v3 §6:
    base32(key ‖ checksum ‖ 0x03) with checksum = SHA3-256(".onion checksum" ‖ key ‖ 0x03)[:2]);
    `OnionError` for anything else."""
    name = address.removesuffix(_SUFFIX)
    if len(name) != 56 or name != name.lower():
        raise OnionError(f"{address!r} is not a version-3 onion address (56 lower-case base32 letters)")
    try:
        raw = base64.b32decode(name.upper())
    except ValueError:
        raise OnionError(f"{address!r} is not a version-3 onion address (not base32)") from None
    key, checksum, version = raw[:32], raw[32:34], raw[34:]
    if version != b"\x03":
        raise OnionError(f"{address!r} is not a version-3 onion address")
    if hashlib.sha3_256(b".onion checksum" + key + version).digest()[:2] != checksum:
        raise OnionError(f"{address!r}: its checksum is wrong (a typo?)")
    return key


@dataclass(frozen=True)
class RunningOnion:
    service: OnionService
    address: str
    controller: Any  #: a `stem.control.Controller` on the service's Tor

    def pow_defense_on(self) -> bool:
        """Tor's own word for it (GETCONF): the proof-of-work defence is on."""
        return bool(self.controller.get_conf("HiddenServicePoWDefensesEnabled") == "1")

    def bootstrap(self) -> str:
        """Tor's bootstrap status, e.g. 'NOTICE BOOTSTRAP PROGRESS=100 TAG=done …'."""
        return str(self.controller.get_info("status/bootstrap-phase"))


@contextmanager
def running_onion(
    service: OnionService, tor: str = "tor", extra: dict[str, str] | None = None, timeout: float = 90
) -> Iterator[RunningOnion]:
    """Start `tor` with the service's options (and `extra`, e.g. a test network's), wait until
    it has the service's keys, and stop it when the block ends. Tor goes on connecting to the
    network in the background; `bootstrap()` says how far it is."""
    import stem
    import stem.control
    import stem.process

    if shutil.which(tor) is None:
        raise OnionError(f"{tor!r} is not installed: on Debian, apt-get install tor")
    for folder in (service.directory, service.data_dir, service.service_dir):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # Tor refuses a service folder others can read
    config = {**service.config(), **(extra or {})}
    try:
        process = stem.process.launch_tor_with_config(
            config=config, tor_cmd=tor, completion_percent=0, take_ownership=True, timeout=timeout
        )
    except (OSError, stem.SocketError, stem.ProtocolError) as e:
        raise OnionError(f"tor did not start: {e}") from None
    try:
        controller = stem.control.Controller.from_socket_file(str(service.control_socket))
        controller.authenticate()
        try:
            deadline = time.monotonic() + timeout
            while not (service.service_dir / "hostname").exists():  # written once the keys are
                if time.monotonic() > deadline:
                    raise OnionError("tor started but made no onion service")
                time.sleep(0.1)
            yield RunningOnion(service, service.address(), controller)
        finally:
            controller.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
