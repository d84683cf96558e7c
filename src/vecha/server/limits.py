"""Flood control for ballot submission, in the order the checks run.

1. **Globally**, a token bucket caps the ballots this process starts to check per second,
   and a cap on ballots waiting for the proof workers keeps the queue (and the latency of
   honest voters) bounded. Both answer before any curve operation: 503 `busy` with a
   Retry-After, which clients (the CLI, the booth) treat as "try again shortly".
2. **Per credential**, a token bucket allows a few quick re-votes and then one every few
   seconds: 429 `too-many-ballots`. A ballot is refused early, before any curve operation,
   when its credential's bucket is empty; but only a ballot whose credential signature
   verifies (which only the voter can make) takes a token, before its proofs are checked.
   Anyone can name a public credential (the board shows them all), so junk that merely
   names one must not be able to empty the voter's bucket and lock out the re-vote that is
   the voter's defence against coercion; a credential's holder who floods is still slowed.
   Only listed credentials get a bucket, so the table is bounded by the
   roll, whatever an attacker sends.

There is deliberately no limit per IP address: the server never sees one (it is removed
before any route runs, so that no log can tell who voted), and voters inside a country that
blocks the election share VPN exits and proxies with many others.

Limits are per server process; with several processes behind a proxy each applies its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from vecha.server.errors import ApiError

__all__ = ["TokenBucket", "Limits", "LimitSettings"]


@dataclass(frozen=True)
class LimitSettings:
    ballots_per_second: float = 1000.0  #: the whole process; above the proof workers' pace
    ballot_burst: int = 2000
    max_pending: int = 512  #: ballots waiting for, or in, the proof workers
    credential_per_minute: float = 6.0  #: steady re-votes per credential
    credential_burst: int = 5  #: quick re-votes before the steady rate applies


class TokenBucket:
    """`rate` tokens a second, up to `burst`; `take` returns 0 if a token was taken, else
    the seconds until one will be there."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "clock")

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = float(burst), clock()

    def wait(self) -> float:
        """The seconds until a token will be there (0 if one is), taking none."""
        now = self.clock()
        tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def take(self) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Limits:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._global = TokenBucket(settings.ballots_per_second, settings.ballot_burst, clock)
        self._credentials: dict[bytes, TokenBucket] = {}
        self._pending = 0

    def admit(self) -> None:
        """The global rate: checked first, before the ballot is even looked at."""
        with self._lock:
            wait = self._global.take()
        if wait:
            raise ApiError(
                503, "busy", "the ballot box is receiving too many ballots; try again shortly", retry_after=wait
            )

    def credential_room(self, credential: bytes) -> None:
        """Refuse a ballot of a (listed) credential whose bucket is empty; takes nothing."""
        with self._lock:
            bucket = self._credentials.get(credential)
            wait = 0.0 if bucket is None else bucket.wait()
        if wait:
            self._too_many(wait)

    def credential(self, credential: bytes) -> None:
        """Take a token for one (listed) credential: call it for a ballot that passed every check."""
        s = self.settings
        with self._lock:
            bucket = self._credentials.get(credential)
            if bucket is None:
                bucket = self._credentials[credential] = TokenBucket(
                    s.credential_per_minute / 60, s.credential_burst, self._clock
                )
            wait = bucket.take()
        if wait:
            self._too_many(wait)

    @staticmethod
    def _too_many(wait: float) -> None:
        if wait:
            raise ApiError(
                429,
                "too-many-ballots",
                "this credential has sent many ballots in a short time; wait and vote again",
                retry_after=wait,
            )

    @contextmanager
    def verifying(self) -> Iterator[None]:
        """Hold a place in the proof workers' queue for the duration of the block."""
        with self._lock:
            if self._pending >= self.settings.max_pending:
                full = True
            else:
                full = False
                self._pending += 1
        if full:
            raise ApiError(503, "busy", "the ballot box is checking many ballots; try again shortly", retry_after=1.0)
        try:
            yield
        finally:
            with self._lock:
                self._pending -= 1
