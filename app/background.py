"""The application's background loops, owned by its lifespan: the LISTEN connection,
the job worker and the scheduler. Each is switched on by settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar

from app.cleaning import jobs as cleaning
from app.encryption import jobs as encryption
from app.exports import service as exports
from app.jobs.events import JOB_EVENTS_CHANNEL, JOBS_QUEUED_CHANNEL, JobEvents, PgListener
from app.jobs.service import purge_finished_jobs
from app.jobs.worker import JobHandler, JobWorker, worker_name
from app.schedules.scheduler import Scheduler
from app.schedules.schemas import Schedule
from app.settings import Settings

log = logging.getLogger(__name__)

# Past the jobs' own grace period, a loop that will not stop is cancelled.
STOP_TIMEOUT_SECONDS = 2.0


def job_handlers(settings: Settings) -> dict[str, JobHandler]:
    """Every kind of job this service runs, by name."""
    return {
        "jobs.purge": purge_finished_jobs(settings.jobs.retention_days),
        cleaning.JOB_KIND: cleaning.process_cleaning,
        exports.JOB_KIND: exports.export_table,
        encryption.JOB_KIND: encryption.process_encryption,
    }


def schedules(settings: Settings) -> list[Schedule]:
    return [Schedule(name="jobs.purge", cron=settings.jobs.purge_cron, job_kind="jobs.purge")]


def background_lifespan(
    settings: Settings, handlers: Mapping[str, JobHandler], declared: Sequence[Schedule]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def background(app: Litestar) -> AsyncIterator[None]:
        state = app.state
        state.job_events = events = JobEvents()
        state.schedules = list(declared)
        owner = worker_name()
        worker = None
        if settings.jobs.workers_enabled:
            worker = JobWorker(
                connections=state.connections,
                sql=state.queries,
                handlers=handlers,
                settings=settings.jobs,
                name=owner,
                storage=state.storage,
                app_settings=settings,
            )
        scheduler = None
        if settings.jobs.scheduler_enabled:
            scheduler = Scheduler(
                connections=state.connections,
                sql=state.queries,
                schedules=declared,
                owner=owner,
                max_attempts=settings.jobs.max_attempts,
            )
        assert settings.database.url is not None
        listener = PgListener(
            settings.database.url.reveal(),
            {
                JOB_EVENTS_CHANNEL: events.notify,
                JOBS_QUEUED_CHANNEL: lambda _job_id: worker.wake() if worker else None,
            },
        )
        tasks = [asyncio.create_task(listener.run(), name="pg-listener")]
        if worker:
            tasks.append(asyncio.create_task(worker.run(), name="job-worker"))
        if scheduler:
            tasks.append(asyncio.create_task(scheduler.run(), name="scheduler"))
        try:
            yield
        finally:
            if scheduler:
                scheduler.stop()
            if worker:
                worker.stop()
            listener.stop()
            # The worker's own grace period first, then a little for the others.
            limit = settings.jobs.shutdown_grace_seconds + STOP_TIMEOUT_SECONDS
            _, stuck = await asyncio.wait(tasks, timeout=limit)
            for task in stuck:
                log.warning("background_task_cancelled", extra={"task": task.get_name()})
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    return background
