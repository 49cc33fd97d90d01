"""Reading jobs for the frontend: one snapshot, or a stream of progress events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import msgspec
from litestar.response import ServerSentEventMessage

from app.db import acquire
from app.errors import AppError, NotFoundError
from app.jobs.kinds import JobContext
from app.jobs.repository import JobRepository
from app.jobs.schemas import FINISHED, Job, JobView
from app.runtime import Runtime

# A comment line this often keeps proxies from cutting a quiet stream.
HEARTBEAT_SECONDS = 15.0
# While notifications do not arrive (the listener is connecting or reconnecting), a
# stream looks at its job this often instead.
POLL_SECONDS = 1.0


class JobNotFoundError(NotFoundError):
    detail = "Job not found"


class JobService:
    def __init__(self, repository: JobRepository) -> None:
        self._repository = repository

    async def get(self, job_id: UUID) -> JobView:
        job = await self._repository.get(job_id)
        if job is None:
            raise JobNotFoundError
        return JobView.of(job)


async def _read(runtime: Runtime, job_id: UUID) -> Job | None:
    # A connection per read, returned at once: a stream may stay open for hours.
    async with acquire(runtime.connections) as conn:
        return await JobRepository(conn, runtime.queries).get(job_id)


def _message(event: str, job: Job) -> ServerSentEventMessage:
    data = msgspec.json.encode(JobView.of(job)).decode()
    return ServerSentEventMessage(event=event, data=data, id=str(job.version))


async def job_event_stream(
    runtime: Runtime, job_id: UUID, last_event_id: int = 0
) -> AsyncIterator[ServerSentEventMessage]:
    """`progress` events as the job changes (id = its version), then `done` or `failed`.

    A reconnecting client sends Last-Event-ID and gets only what is newer. Progress that
    changes faster than it is read arrives coalesced, never out of order.
    """
    events = runtime.job_events
    seen = last_event_id
    sent_at = time.monotonic()
    with events.follow(str(job_id)) as changed:
        while True:
            changed.clear()
            try:
                job = await _read(runtime, job_id)
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
                seen, sent_at = job.version, time.monotonic()
            if time.monotonic() - sent_at >= HEARTBEAT_SECONDS:
                # No data line: a browser would dispatch an empty message for one.
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                sent_at = time.monotonic()
            within = HEARTBEAT_SECONDS if events.listening else POLL_SECONDS
            try:
                async with asyncio.timeout(within):
                    await changed.wait()
            except TimeoutError:
                pass


async def purge_finished_jobs(context: JobContext, _payload: dict[str, Any]) -> None:
    """The housekeeping job: finished jobs older than the retention go."""
    runtime = context.runtime
    async with acquire(runtime.connections) as conn:
        result = await JobRepository(conn, runtime.queries).purge_finished(
            retention_days=runtime.settings.jobs.retention_days
        )
    await context.progress(int(result.split()[-1]), message="finished jobs purged")
