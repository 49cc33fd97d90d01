"""The CSV jobs domain: the Ongage drip, its routes and its runner."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from litestar.openapi.spec import Tag

from app.clients.ongage import OngageClient
from app.csv_jobs.controller import CsvJobController
from app.csv_jobs.repository import CsvJobRepository, DripRepository
from app.csv_jobs.runner import DripRunner
from app.domain import Domain
from app.jobs.worker import worker_name
from app.runtime import Loop, Runtime


@contextlib.asynccontextmanager
async def drip_runner(runtime: Runtime) -> AsyncIterator[Loop | None]:
    """The runner, where this process runs background work (WORKERS_ENABLED)."""
    jobs = runtime.settings.jobs
    if not jobs.workers_enabled:
        yield None
        return
    yield DripRunner(
        connections=runtime.connections,
        sql=runtime.queries,
        clients=runtime.clients,
        owner=worker_name(),
        lease_seconds=jobs.lease_seconds,
        poll_seconds=jobs.poll_seconds,
    )


DOMAIN = Domain(
    name="csv_jobs",
    tag=Tag(name="csv_jobs", description="Contact lists dripped into Ongage at a set pace."),
    routes=(CsvJobController,),
    repositories=(CsvJobRepository, DripRepository),
    loops=(drip_runner,),
    clients=(OngageClient,),
)
