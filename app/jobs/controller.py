"""Job progress for the frontend: a snapshot, and a Server-Sent Events stream."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent

from app.db import acquire
from app.jobs.repository import JobRepository
from app.jobs.schemas import JobView
from app.jobs.service import get_job_view, job_event_stream
from app.sql import SqlQueries


class JobController(Controller):
    path = "/jobs"
    tags = ("jobs",)

    @get("/{job_id:uuid}", summary="A job's state and progress")
    async def get_job(
        self,
        job_id: FromPath[UUID],
        db_connection: NamedDependency[asyncpg.Connection],
        sql: NamedDependency[SqlQueries],
    ) -> JobView:
        """Status, attempts, progress (done of total, with a message) and the last error."""
        return await get_job_view(JobRepository(db_connection, sql), job_id)

    @get(
        "/{job_id:uuid}/events",
        summary="Follow a job (Server-Sent Events)",
        opt={"stream": True},
    )
    async def job_events(
        self, job_id: FromPath[UUID], request: Request[Any, Any, State]
    ) -> ServerSentEvent:
        """`progress` events, then `done` or `failed`. Accepts `?token=` from /auth/stream-token."""
        state = request.app.state
        # Checked before streaming, so an unknown id is a plain 404, not an event.
        async with acquire(state.connections) as conn:
            await get_job_view(JobRepository(conn, state.queries), job_id)
        return ServerSentEvent(
            job_event_stream(
                connections=state.connections,
                sql=state.queries,
                events=state.job_events,
                job_id=job_id,
                last_event_id=_last_event_id(request.headers.get("last-event-id", "")),
            )
        )


def _last_event_id(header: str) -> int:
    """The version a reconnecting browser saw last; anything unreadable means none."""
    return int(header) if header.isascii() and header.isdigit() and len(header) < 19 else 0
