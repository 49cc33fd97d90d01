"""The jobs domain: the queue's routes, its housekeeping, and the loops that run jobs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from litestar.openapi.spec import Tag

from app.domain import Domain
from app.jobs.controller import JobController
from app.jobs.events import JOB_EVENTS_CHANNEL, JOBS_QUEUED_CHANNEL, PgListener
from app.jobs.kinds import JobKind
from app.jobs.repository import JobRepository
from app.jobs.service import purge_finished_jobs
from app.jobs.worker import JobWorker
from app.runtime import Loop, Runtime
from app.schedules.schemas import Schedule
from app.settings import Settings

PURGE = "jobs.purge"


@contextlib.asynccontextmanager
async def listener(runtime: Runtime) -> AsyncIterator[Loop | None]:
    """One LISTEN connection: job changes wake their streams, queued jobs the worker."""
    url = runtime.settings.database.url
    if url is None:
        raise RuntimeError("no database URL: the CLI resolves one before the app starts")
    events = runtime.job_events
    yield PgListener(
        url.reveal(),
        {JOB_EVENTS_CHANNEL: events.notify, JOBS_QUEUED_CHANNEL: events.queued},
        on_listening=events.set_listening,
    )


@contextlib.asynccontextmanager
async def worker(runtime: Runtime) -> AsyncIterator[Loop | None]:
    if not runtime.settings.jobs.workers_enabled:
        yield None
        return
    job_worker = JobWorker(runtime, runtime.job_kinds)
    runtime.job_events.on_queued(job_worker.wake)
    yield job_worker


def schedules(settings: Settings) -> tuple[Schedule, ...]:
    return (Schedule(name=PURGE, cron=settings.jobs.purge_cron, job_kind=PURGE),)


DOMAIN = Domain(
    name="jobs",
    tag=Tag(name="jobs", description="Background work: progress, and the scheduled runs."),
    routes=(JobController,),
    repositories=(JobRepository,),
    jobs=(JobKind(PURGE, purge_finished_jobs),),
    schedules=schedules,
    loops=(listener, worker),
)
