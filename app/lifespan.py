"""The lifespan step that opens what the application holds and makes it its Runtime:
storage, the database pool (unless a test hands in its connections) and the vendor
clients, closed again in reverse order at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import cast

from litestar import Litestar

from app.auth.tokens import SigningSecret
from app.clients import open_clients
from app.db import ConnectionSource, create_pool
from app.domain import Domain
from app.jobs.events import JobEvents
from app.metrics.instruments import Instruments
from app.runtime import Runtime, install
from app.settings import Settings
from app.sql import SqlQueries
from app.storage import open_storage

log = logging.getLogger(__name__)

# Closing the pool waits for borrowed connections; past this, they are cut.
POOL_CLOSE_TIMEOUT_SECONDS = 3.0


@contextlib.asynccontextmanager
async def _pool(
    settings: Settings, given: ConnectionSource | None
) -> AsyncIterator[ConnectionSource]:
    if given is not None:
        yield given
        return
    pool = await create_pool(settings.database)
    try:
        # A pool hands out proxies that behave as connections (the stubs type them apart).
        yield cast("ConnectionSource", pool)
    finally:
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            pool.terminate()


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings,
    queries: SqlQueries,
    domains: Sequence[Domain],
    connections: ConnectionSource | None = None,
) -> AsyncIterator[Runtime]:
    """Everything the routes, jobs and loops share, open for as long as the context lasts."""
    for notice in settings.notices:
        log.warning("integration_disabled", extra={"reason": notice})
    for reason in settings.ignored:
        log.warning("setting_ignored", extra={"reason": reason})
    for warm_up in (step for domain in domains for step in domain.warm_up):
        await asyncio.to_thread(warm_up)
    clients = [client for domain in domains for client in domain.clients]
    # One registry per application: the suite builds many in one process.
    metrics = Instruments()
    async with (
        open_storage(settings) as storage,
        _pool(settings, connections) as pool,
        open_clients(settings, list(dict.fromkeys(clients)), metrics) as opened,
    ):
        yield Runtime(
            settings=settings,
            queries=queries,
            connections=pool,
            storage=storage,
            clients=opened,
            signing_secret=SigningSecret(),
            job_events=JobEvents(),
            job_kinds={kind.name: kind for domain in domains for kind in domain.jobs},
            schedules=tuple(s for domain in domains for s in domain.schedules(settings)),
            metrics=metrics,
        )


def runtime_lifespan(
    settings: Settings,
    queries: SqlQueries,
    domains: Sequence[Domain],
    connections: ConnectionSource | None,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings, queries, domains, connections) as runtime:
            install(app.state, runtime)
            yield

    return lifespan
