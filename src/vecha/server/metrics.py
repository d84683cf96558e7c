"""Prometheus metrics: ballots accepted and rejected (by reason), and request latency.

Each app has its own registry, so that several apps in one process (the tests) do not share
counters. No label ever carries anything about a voter."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.accepted = Counter(
            "vecha_ballots_accepted", "Ballots put on the board", ["election"], registry=self.registry
        )
        self.resubmitted = Counter(
            "vecha_ballots_resubmitted",
            "Ballots already on the board, sent again",
            ["election"],
            registry=self.registry,
        )
        self.rejected = Counter(
            "vecha_ballots_rejected", "Ballots refused, by reason", ["reason"], registry=self.registry
        )
        self.ballot_seconds = Histogram(
            "vecha_ballot_seconds",
            "Time to check and commit an accepted ballot",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.requests = Histogram(
            "vecha_http_request_seconds",
            "HTTP request latency by route and status",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.batch_size = Histogram(
            "vecha_ballot_batch_size",
            "Ballots a proof worker checked together, in one batch (spec §4.7)",
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
