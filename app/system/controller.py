"""`/`, `/health`, `/ready` and `/get-metrics`."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from app import __version__
from app.runtime import Runtime
from app.system.schemas import Health, Metrics, Readiness, ServiceInfo
from app.system.service import SystemService, check_readiness

# The only routes that answer without a key: probes and the service's name.
PUBLIC = {"public": True}


def provide_system_service(runtime: NamedDependency[Runtime]) -> SystemService:
    return SystemService(runtime)


class SystemController(Controller):
    tags = ("system",)

    @get("/", summary="Service name and version", opt=PUBLIC, security=[{}])
    async def root(self) -> ServiceInfo:
        """Says the service is running, and which version."""
        return ServiceInfo(message="Optimizer Backend is running!", version=__version__)

    @get("/health", summary="Liveness", opt=PUBLIC, security=[{}])
    async def health(self) -> Health:
        """Answers while the process serves requests; does not touch the database."""
        return Health()

    @get("/ready", summary="Readiness", opt=PUBLIC, security=[{}])
    async def ready(self, runtime: NamedDependency[Runtime]) -> Response[Readiness]:
        """503 until the database answers and every migration is applied."""
        readiness = await check_readiness(runtime)
        status = HTTP_200_OK if readiness.status == "ready" else HTTP_503_SERVICE_UNAVAILABLE
        return Response(readiness, status_code=status)

    @get(
        "/get-metrics",
        summary="List sizes",
        dependencies={"system": Provide(provide_system_service, sync_to_thread=False)},
    )
    async def get_metrics(self, system: NamedDependency[SystemService]) -> Metrics:
        """Each table as [total, added in the last 24 hours, added in the last 7 days]; the
        counts may be a few seconds old (METRICS_CACHE_SECONDS)."""
        return await system.metrics()
