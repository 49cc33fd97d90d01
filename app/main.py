"""The application factory. Importing this module does nothing; `create_app` does it all."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag

from app import __version__
from app.auth.controller import ApiKeyController, issue_stream_token
from app.auth.guards import authorize
from app.auth.repository import ApiKeyRepository
from app.auth.tokens import SigningSecret
from app.background import background_lifespan, job_handlers, schedules
from app.cleaning.controller import CLEANING, CleaningController
from app.cleaning.repository import CleaningRepository
from app.db import (
    ConnectionSource,
    create_pool,
    provide_connection,
    provide_queries,
    required_queries,
)
from app.encryption.controller import ENCRYPTION, EncryptionController
from app.errors import exception_handlers
from app.exports.controller import ExportController
from app.exports.repository import ExportRepository
from app.files.controller import lifecycle_routes
from app.files.repository import FileRepository
from app.hygiene import BodyLimitMiddleware, SecurityHeadersMiddleware, media_type_guard
from app.imports.controller import ImportController
from app.imports.repository import ImportRepository
from app.jobs.controller import JobController
from app.jobs.repository import JobRepository
from app.live_events.controller import LiveEventController
from app.live_events.repository import LiveEventRepository
from app.log import RequestContextMiddleware
from app.migrations import expected_migrations
from app.phones.controller import PhoneController
from app.phones.repository import PhoneRepository
from app.schedules.controller import ScheduleController
from app.schedules.repository import ScheduleRepository
from app.settings import Settings, load_settings
from app.sql import SQL_DIR, SqlQueries
from app.storage import open_storage
from app.system.controller import SystemController
from app.system.repository import SystemRepository

log = logging.getLogger(__name__)

OPENAPI_TAGS = [
    Tag(name="system", description="Liveness, readiness and list metrics."),
    Tag(name="auth", description="API keys (admin scope) and stream tokens for browsers."),
    Tag(name="jobs", description="Background work: progress, and the scheduled runs."),
    Tag(name="cleaning", description="Upload CSV lists and clean them against the lists."),
    Tag(name="imports", description="Manual decisions: import numbers onto a list."),
    Tag(name="exports", description="Whole tables as CSV (admin scope)."),
    Tag(name="encryption", description="Phone tokens for links (AES-256-GCM)."),
    Tag(name="live_events", description="Voluum live click events from SQS."),
    Tag(name="phones", description="Where one number stands; its Voluum traffic."),
]

_SECURITY_SCHEMES = {
    "ApiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
    "Bearer": SecurityScheme(type="http", scheme="bearer", description="The same API key"),
}

# Every repository: start-up checks that each query they use has its SQL file.
REPOSITORIES = (
    SystemRepository,
    ApiKeyRepository,
    JobRepository,
    ScheduleRepository,
    FileRepository,
    PhoneRepository,
    CleaningRepository,
    ImportRepository,
    ExportRepository,
    LiveEventRepository,
)

# Closing the pool waits for borrowed connections; past this, they are cut.
POOL_CLOSE_TIMEOUT_SECONDS = 3.0


def load_queries(sql_dir: Path = SQL_DIR) -> SqlQueries:
    """The SQL files, checked against what the repositories use."""
    return SqlQueries.load(sql_dir, required_queries(REPOSITORIES))


def create_app(
    settings: Settings | None = None,
    *,
    connections: ConnectionSource | None = None,
    sql_dir: Path = SQL_DIR,
) -> Litestar:
    """Build the application. `connections` replaces the pool (tests hand in one connection)."""
    settings = settings or load_settings()
    sql = load_queries(sql_dir)

    @asynccontextmanager
    async def storage(app: Litestar) -> AsyncIterator[None]:
        async with open_storage(settings) as opened:
            app.state.storage = opened
            yield

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
        route_handlers=[
            SystemController,
            ApiKeyController,
            issue_stream_token,
            JobController,
            ScheduleController,
            *lifecycle_routes(CLEANING),
            CleaningController,
            ImportController,
            ExportController,
            *lifecycle_routes(ENCRYPTION),
            EncryptionController,
            PhoneController,
            LiveEventController,
        ],
        # Every route is protected unless its handler says `opt={"public": True}`.
        guards=[authorize, media_type_guard],
        dependencies={
            "db_connection": Provide(provide_connection),
            "sql": Provide(provide_queries, sync_to_thread=False),
        },
        lifespan=[
            storage,
            database,
            background_lifespan(settings, job_handlers(settings), schedules(settings)),
        ],
        state=State(
            {
                "settings": settings,
                "queries": sql,
                "expected_migrations": expected_migrations(),
                "signing_secret": SigningSecret(),
            }
        ),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        openapi_config=_openapi_config(settings),
        cors_config=_cors_config(settings),
        # Chunked bodies are cut off here; declared lengths earlier, in BodyLimitMiddleware.
        request_max_body_size=settings.api.max_upload_bytes,
        # Our own access line (without query strings) replaces Litestar's logging config.
        logging_config=None,
    )
    # Wrapped around the whole application, so that unmatched routes (404/405) and refused
    # bodies get a request id, security headers and an access line too: route-level
    # middleware only runs once a route has matched.
    limited = BodyLimitMiddleware(
        app.asgi_handler,
        max_json_bytes=settings.api.max_json_bytes,
        max_upload_bytes=settings.api.max_upload_bytes,
    )
    app.asgi_handler = RequestContextMiddleware(SecurityHeadersMiddleware(limited))
    return app


def _openapi_config(settings: Settings) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="optimizer",
        version=__version__,
        description="Phone-list hygiene for SMS and ad-traffic operations.",
        tags=OPENAPI_TAGS,
        path="/schema",
        components=Components(security_schemes=_SECURITY_SCHEMES),
        security=[{"ApiKey": []}, {"Bearer": []}],
        # The docs are protected like any route unless DOCS_PUBLIC says otherwise.
        openapi_router=Router(
            path="/schema", route_handlers=[], opt={"public": settings.api.docs_public}
        ),
    )


def _cors_config(settings: Settings) -> CORSConfig | None:
    if not settings.api.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.api.cors_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "X-API-Key",
            "Authorization",
            "Content-Type",
            "X-Request-ID",
            "Last-Event-ID",
        ],
        expose_headers=["X-Request-ID", "Content-Disposition"],
        max_age=600,
    )
