"""The application factory. Importing this module does nothing; `create_app` does it all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Tag

from app import __version__
from app.db import ConnectionSource, Repository, create_pool, provide_connection, provide_queries
from app.errors import exception_handlers
from app.log import RequestContextMiddleware
from app.migrations import expected_migrations
from app.settings import PROJECT_ROOT, Settings, load_settings
from app.sql import SqlQueries
from app.system.controller import SystemController

SQL_DIR = PROJECT_ROOT / "sql"

log = logging.getLogger(__name__)

OPENAPI_TAGS = [
    Tag(name="system", description="Liveness, readiness and list metrics."),
]

# Closing the pool waits for borrowed connections; past this, they are cut.
POOL_CLOSE_TIMEOUT_SECONDS = 10.0


def create_app(
    settings: Settings | None = None,
    *,
    connections: ConnectionSource | None = None,
    sql_dir: Path = SQL_DIR,
) -> Litestar:
    """Build the application. `connections` replaces the pool (tests hand in one connection)."""
    settings = settings or load_settings()
    sql = SqlQueries.load(sql_dir, Repository.required_queries())

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        for notice in settings.notices:
            log.warning("integration_disabled", extra={"reason": notice})
        if connections is not None:
            app.state.connections = connections
            yield
            return
        pool = await create_pool(settings.database)
        app.state.connections = pool
        try:
            yield
        finally:
            try:
                await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
            except TimeoutError:
                pool.terminate()

    app = Litestar(
        route_handlers=[SystemController],
        dependencies={
            "db_connection": Provide(provide_connection),
            "sql": Provide(provide_queries, sync_to_thread=False),
        },
        lifespan=[database],
        state=State(
            {
                "settings": settings,
                "queries": sql,
                "expected_migrations": expected_migrations(),
            }
        ),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="optimizer",
            version=__version__,
            description="Phone-list hygiene for SMS and ad-traffic operations.",
            tags=OPENAPI_TAGS,
            path="/schema",
        ),
        # Our own access line (without query strings) replaces Litestar's logging config.
        logging_config=None,
    )
    # Outermost, so that unmatched routes (404/405) get a request id and an access line
    # too: route-level middleware only runs once a route has matched.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    return app
