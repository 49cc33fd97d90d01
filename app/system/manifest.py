"""The system domain: probes, the service's name, and the list metrics."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.system.controller import SystemController
from app.system.repository import SystemRepository

DOMAIN = Domain(
    name="system",
    tag=Tag(name="system", description="Liveness, readiness and list metrics."),
    routes=(SystemController,),
    repositories=(SystemRepository,),
)
