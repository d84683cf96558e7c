"""The FastAPI application: routes under /api/v1, metrics at /metrics, the OpenAPI schema at
/openapi.json; middleware for the body limit, security headers and latency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from vecha.server import admin, ballots, public, registration
from vecha.server.errors import ApiError, install_error_handlers
from vecha.server.middleware import BallotAdmission, BodyLimit, ForgetClient, RequestMetrics, SecurityHeaders
from vecha.server.pins import STATIC as PAGES
from vecha.server.state import ServerSettings, ServerState
from vecha.store.board import election_ids

__all__ = ["create_app", "create_mirror_app", "ServerSettings", "API_PREFIX"]

API_PREFIX = "/api/v1"

STATIC = PAGES  #: the booth and the public pages, built from booth/ (see booth/build.mjs)


def create_app(engine: Engine, settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    state = ServerState(engine, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Load every election's board before the first request (replaying a board takes a
        # moment): otherwise the first voters would wait for it, all at once.
        for election_id in election_ids(engine):
            await run_in_threadpool(state.boards.get, election_id)
        yield
        state.verifier.close()
        state.records.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Vecha ballot box",
        version="1",
        summary="End-to-end verifiable elections: the ballot box and the public bulletin board.",
        docs_url=None,  # the interactive docs load scripts from a CDN: not on a server for voters
        redoc_url=None,
    )
    app.state.vecha = state
    install_error_handlers(app, lambda code: state.metrics.rejected.labels(code).inc())
    app.include_router(public.router, prefix=API_PREFIX)
    app.include_router(ballots.router, prefix=API_PREFIX)
    app.include_router(registration.router, prefix=API_PREFIX)
    app.include_router(admin.router, prefix=API_PREFIX)
    app.add_api_route("/metrics", public.metrics, include_in_schema=False)
    # Last, so that every route above takes precedence; anything else is a static file.
    app.mount("/", StaticFiles(directory=STATIC, html=True), name="pages")
    # Starlette runs the last added middleware first: the client's address is forgotten, then
    # the global ballot rate and the body limit see the request, before anything else.
    app.add_middleware(RequestMetrics, metrics=state.metrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        BodyLimit, limit=settings.max_body, metrics=state.metrics, trustee_limit=settings.max_trustee_body
    )
    app.add_middleware(BallotAdmission, limits=state.limits, metrics=state.metrics)
    app.add_middleware(ForgetClient)
    return app


def create_mirror_app(
    engine: Engine,
    source: str,
    settings: ServerSettings | None = None,
    peers: tuple[str, ...] = (),
    static: Path = STATIC,
) -> FastAPI:
    """`vecha mirror`: the read-only API, the pages and the booth over this store's copies
    of `source`'s boards (followed in the background, every entry checked), and ballots
    relayed to `source` with its receipts checked before they are handed on."""
    import httpx

    from vecha.server.mirror import Follower, relay_ballot
    from vecha.store.replica import Replica

    settings = settings or ServerSettings()
    state = ServerState(engine, settings)
    client = httpx.Client(base_url=source.rstrip("/"), timeout=30.0)
    followers: dict[str, Follower] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for election_id in election_ids(engine):
            board = await run_in_threadpool(state.boards.get, election_id)
            if isinstance(board, Replica):
                followers[election_id] = Follower(board, client, peers=peers)
                followers[election_id].start()
        yield
        for f in followers.values():
            f.stop()
        client.close()
        state.verifier.close()
        state.records.close()

    app = FastAPI(lifespan=lifespan, title="Vecha mirror", version="1", docs_url=None, redoc_url=None)
    app.state.vecha = state
    app.state.followers = followers
    install_error_handlers(app, lambda code: state.metrics.rejected.labels(code).inc())
    app.include_router(public.router, prefix=API_PREFIX)

    @app.post(f"{API_PREFIX}/elections/{{election_id}}/ballots", tags=["mirror"])
    async def relay(election_id: str, request: Request) -> JSONResponse:
        """Hand the ballot to the box; answer with the box's receipt, once checked."""
        board = await run_in_threadpool(state.boards.get, election_id)
        if not isinstance(board, Replica):
            raise ApiError(404, "unknown-election", f"this mirror does not follow election {election_id!r}")
        body = await request.body()
        status, answer = await run_in_threadpool(relay_ballot, board, client, body)
        follower = followers.get(election_id)
        if follower is not None and status in (200, 201):
            await run_in_threadpool(follower.step)  # the voter looks the ballot up here next
        return JSONResponse(answer, status_code=status)

    @app.get(f"{API_PREFIX}/elections/{{election_id}}/mirror", tags=["mirror"])
    async def mirror_status(election_id: str) -> dict[str, object]:
        """How far this mirror is behind its box, when it last heard from it, and whether
        it refused anything the box sent."""
        follower = followers.get(election_id)
        if follower is None:
            raise ApiError(404, "unknown-election", f"this mirror does not follow election {election_id!r}")
        return {"source": source, **follower.status.to_json()}

    @app.get(f"{API_PREFIX}/elections/{{election_id}}/equivocation", tags=["mirror"])
    async def equivocation(election_id: str) -> dict[str, object]:
        """The proof, if this mirror found one, that the box signed two histories."""
        board = await run_in_threadpool(state.boards.get, election_id)
        found = board.equivocations() if isinstance(board, Replica) else []
        if not found:
            raise ApiError(404, "no-equivocation", "this mirror has seen no second history")
        return found[0].to_json()

    app.mount("/", StaticFiles(directory=static, html=True), name="pages")
    app.add_middleware(RequestMetrics, metrics=state.metrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=settings.max_body, metrics=state.metrics)
    app.add_middleware(ForgetClient)
    return app
