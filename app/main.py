"""The application factory. Importing this module does nothing; `create_app` does it all."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide

from app.auth.guards import authorize
from app.background import background_lifespan
from app.db import ConnectionSource, required_queries
from app.domain import Domain
from app.domains import load_domains
from app.errors import exception_handlers
from app.hygiene import (
    BodyLimitMiddleware,
    GuardedRequest,
    SecurityHeadersMiddleware,
    media_type_guard,
    one_value_per_query_parameter,
)
from app.lifespan import runtime_lifespan
from app.log import RequestContextMiddleware
from app.openapi import openapi_config, openapi_plugins
from app.runtime import provide_connection, provide_runtime
from app.settings import Settings, load_settings
from app.sql import SQL_DIR, SqlQueries

log = logging.getLogger(__name__)


def load_queries(sql_dir: Path = SQL_DIR, domains: Sequence[Domain] | None = None) -> SqlQueries:
    """The SQL files, checked against what the domains' repositories use."""
    domains = load_domains() if domains is None else domains
    return SqlQueries.load(sql_dir, required_queries(r for d in domains for r in d.repositories))


def create_app(
    settings: Settings | None = None,
    *,
    connections: ConnectionSource | None = None,
    sql_dir: Path = SQL_DIR,
) -> Litestar:
    """Build the application. `connections` replaces the pool (tests hand in one connection)."""
    settings = settings or load_settings()
    domains = load_domains()
    queries = load_queries(sql_dir, domains)
    app = Litestar(
        route_handlers=[
            route
            for domain in domains
            for route in (*domain.routes, *domain.configured_routes(settings))
        ],
        middleware=[middleware for domain in domains for middleware in domain.middleware],
        # Every route is protected unless its handler says `opt={"public": True}`.
        guards=[authorize, media_type_guard, one_value_per_query_parameter],
        dependencies={
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            "db_connection": Provide(provide_connection),
        },
        lifespan=[
            runtime_lifespan(settings, queries, domains, connections),
            background_lifespan(domains),
        ],
        request_class=GuardedRequest,
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        plugins=openapi_plugins(),
        openapi_config=openapi_config(settings, [d.tag for d in domains if d.tag]),
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
