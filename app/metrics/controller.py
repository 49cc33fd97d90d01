"""`GET /metrics`: the Prometheus scrape."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency
from litestar.types import ControllerRouterHandler
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4

from app.metrics.service import scrape
from app.runtime import Runtime
from app.settings import Settings

# The classic text format, which every Prometheus version scrapes.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


class MetricsController(Controller):
    tags = ("metrics",)

    @get(
        "/metrics",
        summary="Prometheus metrics",
        media_type=CONTENT_TYPE,
        # An admin key unless METRICS_PUBLIC is set (see metrics_routes).
        opt={"scope": "admin"},
    )
    async def metrics(self, runtime: NamedDependency[Runtime]) -> Response[bytes]:
        """Requests by route, jobs by kind and status, the database pool, the SQS consumer
        and vendor calls, in Prometheus' text format."""
        return Response(await scrape(runtime), media_type=CONTENT_TYPE)


def metrics_routes(settings: Settings) -> Sequence[ControllerRouterHandler]:
    """The scrape route, public when METRICS_PUBLIC says so: for a scraper on a private
    port that holds no key. A router per application, so the setting stays per app."""
    if not settings.metrics.public:
        return (MetricsController,)
    return (
        Router(
            path="/",
            route_handlers=[MetricsController],
            opt={"public": True},
            security=[{}],
        ),
    )
