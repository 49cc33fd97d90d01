"""Reading jobs for the frontend: one snapshot, or a stream of progress events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from litestar.response import ServerSentEventMessage

from app.db import ConnectionSource, acquire
from app.errors import AppError, NotFoundError
from app.jobs.events import JobEvents
from app.jobs.repository import JobRepository
from app.jobs.schemas import FINISHED, Job, JobView
from app.jobs.worker import JobContext, JobHandler
from app.sql import SqlQueries

# A comment line this often keeps proxies from cutting a quiet stream. Between two, the
# stream looks at the job when notified, and once anyway (a notification can be missed
# while the listener reconnects).
HEARTBEAT_SECONDS = 15.0


class JobNotFoundError(NotFoundError):
    detail = "Job not found"


async def get_job_view(repository: JobRepository, job_id: UUID) -> JobView:
    job = await repository.get(job_id)
    if job is None:
        raise JobNotFoundError
    return JobView.of(job)


async def _read(connections: ConnectionSource, sql: SqlQueries, job_id: UUID) -> Job | None:
    # A connection per read, returned at once: a stream may stay open for hours.
    async with acquire(connections) as conn:
        return await JobRepository(conn, sql).get(job_id)


def _message(event: str, job: Job) -> ServerSentEventMessage:
    data = msgspec.json.encode(JobView.of(job)).decode()
    return ServerSentEventMessage(event=event, data=data, id=str(job.version))


async def job_event_stream(
    *,
    connections: ConnectionSource,
    sql: SqlQueries,
    events: JobEvents,
    job_id: UUID,
    last_event_id: int = 0,
) -> AsyncIterator[ServerSentEventMessage]:
    """`progress` events as the job changes (id = its version), then `done` or `failed`.

    A reconnecting client sends Last-Event-ID and gets only what is newer. Progress that
    changes faster than it is read arrives coalesced, never out of order.
    """
    seen = last_event_id
    while True:
        try:
            job = await _read(connections, sql, job_id)
        except AppError:  # the database away: say so, and let the browser reconnect
            yield ServerSentEventMessage(event="error", data="Job state unavailable")
            return
        if job is None:
            yield ServerSentEventMessage(event="error", data="Job not found")
            return
        if job.status in FINISHED:
            yield _message("done" if job.status == "succeeded" else "failed", job)
            return
        if job.version > seen:
            yield _message("progress", job)
            seen = job.version
        if not await events.wait(str(job_id), HEARTBEAT_SECONDS):
            yield ServerSentEventMessage(comment="keep-alive")


def purge_finished_jobs(retention_days: int) -> JobHandler:
    """The housekeeping job: finished jobs older than the retention go."""

    async def purge(context: JobContext, _payload: dict[str, Any]) -> None:
        async with acquire(context.connections) as conn:
            result = await JobRepository(conn, context.sql).purge_finished(
                retention_days=retention_days
            )
        await context.progress(int(result.split()[-1]), message="finished jobs purged")

    return purge
