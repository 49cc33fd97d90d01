"""The metrics domain: the Prometheus scrape, and the request counts every route adds to."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.metrics.controller import metrics_routes
from app.metrics.middleware import RequestMetricsMiddleware
from app.metrics.repository import MetricsRepository

DOMAIN = Domain(
    name="metrics",
    tag=Tag(name="metrics", description="Prometheus metrics for operators."),
    configured_routes=metrics_routes,
    repositories=(MetricsRepository,),
    middleware=(RequestMetricsMiddleware,),
)
