"""The schedules domain: periodic work declared by every domain, claimed once per tick."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from app.domain import Domain
from app.jobs.worker import worker_name
from app.runtime import Loop, Runtime
from app.schedules.controller import ScheduleController
from app.schedules.repository import ScheduleRepository
from app.schedules.scheduler import Scheduler


@contextlib.asynccontextmanager
async def scheduler(runtime: Runtime) -> AsyncIterator[Loop | None]:
    settings = runtime.settings.jobs
    if not settings.scheduler_enabled:
        yield None
        return
    yield Scheduler(
        connections=runtime.connections,
        sql=runtime.queries,
        schedules=runtime.schedules,
        owner=worker_name(),
        max_attempts=settings.max_attempts,
    )


# Its routes carry the jobs tag: a schedule's runs are jobs.
DOMAIN = Domain(
    name="schedules",
    routes=(ScheduleController,),
    repositories=(ScheduleRepository,),
    loops=(scheduler,),
)
