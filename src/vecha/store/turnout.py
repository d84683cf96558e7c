"""Live turnout from the ballot index: ballots and distinct credentials per hour and per day,
per channel. All of it can be recomputed from the public board (each ballot entry carries its
time and channel); nothing here is about a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from vecha.store.schema import ballots

__all__ = ["turnout"]


def _buckets(engine: Engine, election_id: str, width: int) -> list[dict[str, Any]]:
    period = func.substr(ballots.c.time, 1, width).label("period")
    query = (
        select(
            period,
            ballots.c.channel,
            func.count().label("ballots"),
            func.count(ballots.c.credential.distinct()).label("voters"),
        )
        .where(ballots.c.election_id == election_id)
        .group_by(period, ballots.c.channel)
        .order_by(period, ballots.c.channel)
    )
    with engine.connect() as conn:
        return [
            {"period": r.period, "channel": r.channel, "ballots": int(r.ballots), "voters": int(r.voters)}
            for r in conn.execute(query)
        ]


def turnout(engine: Engine, election_id: str, credentials: int) -> dict[str, Any]:
    """`voters` counts distinct credentials; a voter who re-voted counts once per bucket."""
    with engine.connect() as conn:
        totals = conn.execute(
            select(func.count(), func.count(ballots.c.credential.distinct())).where(
                ballots.c.election_id == election_id
            )
        ).one()
        per_channel = conn.execute(
            select(ballots.c.channel, func.count(), func.count(ballots.c.credential.distinct()))
            .where(ballots.c.election_id == election_id)
            .group_by(ballots.c.channel)
            .order_by(ballots.c.channel)
        ).all()
    return {
        "credentials": credentials,
        "ballots": int(totals[0]),
        "voters": int(totals[1]),
        "channels": {r[0]: {"ballots": int(r[1]), "voters": int(r[2])} for r in per_channel},
        "hours": [dict(b, period=b["period"] + ":00Z") for b in _buckets(engine, election_id, 13)],
        "days": _buckets(engine, election_id, 10),
    }
