"""The application's background loops, owned by its lifespan: the LISTEN connection,
the job worker and the scheduler. Each is switched on by settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from aiobotocore.session import get_session
from litestar import Litestar
from litestar.datastructures import State

from app.cleaning import jobs as cleaning
from app.encryption import jobs as encryption
from app.encryption.crypto import PhoneCipher
from app.exports import service as exports
from app.jobs.events import JOB_EVENTS_CHANNEL, JOBS_QUEUED_CHANNEL, JobEvents, PgListener
from app.jobs.service import purge_finished_jobs
from app.jobs.worker import JobHandler, JobWorker, worker_name
from app.live_events.consumer import LiveEventConsumer
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


@contextlib.asynccontextmanager
async def live_event_consumer(
    settings: Settings, state: State
) -> AsyncIterator[LiveEventConsumer | None]:
    """The SQS consumer, with its one client, when SQS_QUEUE_URL is set."""
    aws = settings.aws
    if not aws.sqs_queue_url:
        yield None
        return
    async with get_session().create_client(
        "sqs",
        region_name=aws.region,
        endpoint_url=aws.sqs_endpoint_url,
        # None falls back to botocore's chain: environment, profile, instance role.
        aws_access_key_id=aws.access_key_id.reveal() if aws.access_key_id else None,
        aws_secret_access_key=aws.secret_access_key.reveal() if aws.secret_access_key else None,
    ) as client:
        cipher = PhoneCipher(settings.encryption.key_bytes()) if settings.encryption else None
        yield LiveEventConsumer(
            client=client,
            queue_url=aws.sqs_queue_url,
            connections=state.connections,
            sql=state.queries,
            cipher=cipher,
            default_region=settings.phones.default_region,
            wait_seconds=aws.sqs_wait_seconds,
            visibility_timeout=aws.sqs_visibility_timeout,
        )


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
        stack = contextlib.AsyncExitStack()
        consumer = await stack.enter_async_context(live_event_consumer(settings, state))
        state.live_events = consumer
        tasks = [asyncio.create_task(listener.run(), name="pg-listener")]
        if consumer:
            tasks.append(asyncio.create_task(consumer.run(), name="sqs-consumer"))
        if worker:
            tasks.append(asyncio.create_task(worker.run(), name="job-worker"))
        if scheduler:
            tasks.append(asyncio.create_task(scheduler.run(), name="scheduler"))
        try:
            yield
        finally:
            if consumer:
                consumer.stop()
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
            await stack.aclose()

    return background
