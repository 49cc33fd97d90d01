"""Job progress for the frontend: a snapshot, and a Server-Sent Events stream."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import ServerSentEvent

from app.jobs.repository import JobRepository
from app.jobs.schemas import JobView
from app.jobs.service import JobService, job_event_stream
from app.runtime import Runtime


def provide_job_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> JobService:
    return JobService(JobRepository(db_connection, runtime.queries))


class JobController(Controller):
    path = "/jobs"
    tags = ("jobs",)
    dependencies = {"jobs": Provide(provide_job_service, sync_to_thread=False)}  # noqa: RUF012

    @get("/{job_id:uuid}", summary="A job's state and progress")
    async def get_job(self, job_id: FromPath[UUID], jobs: NamedDependency[JobService]) -> JobView:
        """Status, attempts, progress (done of total, with a message) and the last error."""
        return await jobs.get(job_id)

    @get(
        "/{job_id:uuid}/events",
        summary="Follow a job (Server-Sent Events)",
        opt={"stream": True},
    )
    async def job_events(
        self,
        job_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        jobs: NamedDependency[JobService],
        runtime: NamedDependency[Runtime],
    ) -> ServerSentEvent:
        """`progress` events, then `done` or `failed`. Accepts `?token=` from /auth/stream-token."""
        # Checked before streaming, so an unknown id is a plain 404, not an event. The
        # request's connection is returned before the stream starts; the stream takes one
        # per read (it may stay open for hours).
        await jobs.get(job_id)
        last_event_id = _last_event_id(request.headers.get("last-event-id", ""))
        return ServerSentEvent(job_event_stream(runtime, job_id, last_event_id))


def _last_event_id(header: str) -> int:
    """The version a reconnecting browser saw last; anything unreadable means none."""
    return int(header) if header.isascii() and header.isdigit() and len(header) < 19 else 0
