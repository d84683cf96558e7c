"""`vecha mirror`: a copy of a ballot box's board, checked as it arrives, served from another
origin, with ballots relayed to the box (threat model §2.1).

Who sits where: the voter talks to the mirror; the mirror talks to the box. The mirror holds
no key. It cannot change a ballot (the voter's credential signs it), forge a receipt (the
box's board key signs it, and the mirror hands on only a receipt it has checked against the
board key of entry 0 and the ballot's tracking code), or serve a board the box did not sign
without a verifier seeing it (every entry is checked here with the board's rules and
proofs, and every checkpoint of the box against this copy). It can refuse or delay ballots;
a voter then goes to another entry point.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from vecha.crypto.canonical import canonical_bytes
from vecha.election.ballot import tracker_of_json
from vecha.errors import InvalidSignature, VechaError
from vecha.record.checkpoint import Checkpoint
from vecha.record.receipt import Receipt
from vecha.store.replica import Replica

__all__ = ["Follower", "FollowStatus", "relay_ballot", "API"]

API = "/api/v1"
PAGE = 500


@dataclass
class FollowStatus:
    """What a mirror says about how far it is behind its box."""

    height: int = 0
    box_height: int | None = None
    last_contact: float | None = None  #: monotonic time of the last answer from the box
    error: str | None = None  #: the last failure (the box unreachable, an entry refused)
    refused: str | None = None  #: an entry or checkpoint the box sent that this copy refused: it stops
    checkpoints: int = 0
    #: the heights at which a peer holds a checkpoint of another head (the box forked)
    equivocations: list[int] = field(default_factory=list)
    #: each peer's latest height, or the error it gave
    peers: dict[str, int | str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        behind = None if self.box_height is None else max(0, self.box_height - self.height)
        age = None if self.last_contact is None else round(time.monotonic() - self.last_contact, 1)
        return {
            "height": self.height,
            "box_height": self.box_height,
            "behind": behind,
            "seconds_since_contact": age,
            "error": self.error,
            "refused": self.refused,
            "checkpoints": self.checkpoints,
            "equivocations": list(self.equivocations),
            "peers": dict(self.peers),
        }


class Follower:
    """Pulls the box's board page by page into a `Replica`, and its checkpoints."""

    def __init__(
        self, replica: Replica, client: httpx.Client, interval: float = 1.0, peers: tuple[str, ...] = ()
    ) -> None:
        self.replica, self.client, self.interval, self.peers = replica, client, interval, peers
        self.status = FollowStatus(height=replica.ledger.height)
        self.status.equivocations = [p.height for p in replica.equivocations()]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stepping = threading.Lock()  #: one step at a time (the loop, and a relay's look)

    @property
    def base(self) -> str:
        return f"{API}/elections/{self.replica.election_id}"

    def step(self) -> int:
        """Take every entry the box has beyond this copy, then its checkpoints; returns how
        many entries were taken. A refused entry stops the follower (`status.refused`)."""
        with self._stepping:
            return self._step()

    def _step(self) -> int:
        if self.status.refused is not None:
            return 0
        taken = 0
        try:
            while True:
                start = self.replica.ledger.height
                page = self._get(f"{self.base}/board", {"start": start, "limit": PAGE})
                self.status.box_height = int(page["height"])
                for obj in page["entries"]:
                    self.replica.take(canonical_bytes(obj))
                    taken += 1
                self.status.height = self.replica.ledger.height
                if not page["entries"] or self.status.height >= self.status.box_height:
                    break
            for obj in self._get(f"{self.base}/checkpoints"):
                if self.replica.take_checkpoint(Checkpoint.from_json(obj)):
                    self.status.checkpoints += 1
            self.status.error = None
        except VechaError as e:
            self.status.refused = f"{type(e).__name__}: {e}"
            self.status.error = self.status.refused
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
            self.status.error = f"the ballot box did not answer as it should: {e}"
        for peer in self.peers:
            self.compare_with(peer)
        return taken

    def compare_with(self, peer: str) -> None:
        """Fetch a peer's checkpoints (another mirror's, an observer's) and hold them
        against this copy's: a signed head that differs at a height both have is a proof
        of equivocation, kept and shown."""
        try:
            r = httpx.get(f"{peer.rstrip('/')}{self.base}/checkpoints", timeout=30)
            r.raise_for_status()
            theirs = [Checkpoint.from_json(obj) for obj in r.json()]
        except (httpx.HTTPError, ValueError, VechaError) as e:
            self.status.peers[peer] = f"unreachable or unreadable: {e}"
            return
        self.status.peers[peer] = max((cp.height for cp in theirs), default=0)
        for cp in theirs:
            try:
                proof = self.replica.compare(cp, peer)
            except VechaError:
                continue  # not the box's signature: a peer's junk proves nothing
            if proof is not None and proof.height not in self.status.equivocations:
                self.status.equivocations.append(proof.height)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        r = self.client.get(path, params=params)
        r.raise_for_status()
        self.status.last_contact = time.monotonic()
        return r.json()

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                self.step()
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=loop, name=f"follow-{self.replica.election_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


def relay_ballot(replica: Replica, client: httpx.Client, body: bytes) -> tuple[int, Any]:
    """Send a voter's ballot submission to the box as it came; hand back the box's answer,
    a receipt only once it is checked: signed by the board key of this copy's entry 0, for
    this election and for the tracking code of the ballot that was sent."""
    try:
        r = client.post(
            f"{API}/elections/{replica.election_id}/ballots",
            content=body,
            headers={"content-type": "application/json"},
        )
    except httpx.HTTPError as e:
        return 502, {"error": "box-unreachable", "message": f"the ballot box did not answer: {e}"}
    try:
        answer = r.json()
    except ValueError:
        return 502, {"error": "bad-gateway", "message": "the ballot box's answer is not JSON"}
    if r.status_code not in (200, 201):
        return r.status_code, answer
    try:
        ballot = json.loads(body)["ballot"]
        receipt = Receipt.from_json(answer)
        receipt.verify(replica.ledger.defined().board_key)
        if receipt.tracker != tracker_of_json(ballot) or receipt.election != replica.election_id:
            raise InvalidSignature("the receipt is for another ballot")
    except (VechaError, KeyError, TypeError, ValueError) as e:
        return 502, {"error": "bad-receipt", "message": f"the ballot box's receipt does not check out: {e}"}
    return r.status_code, answer
