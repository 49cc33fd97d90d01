"""What a kind of job is: its handler, and what happens to its subject when it fails.

A handler is an async function `(context, payload) -> None`. It reports progress
through the context; raising `JobFailedError` fails the job for good, any other
exception is retried with backoff until the job's attempts run out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.db import acquire
from app.jobs.repository import JobRepository
from app.jobs.schemas import Job, JobOutcome
from app.runtime import Runtime
from app.sql import SqlQueries


class JobFailedError(Exception):
    """A failure that retrying cannot fix (bad input, a missing file): no more attempts."""


class LeaseLostError(Exception):
    """The job's lease lapsed and it may now run elsewhere; this attempt must stop."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets besides its payload: its job, and the application's runtime."""

    job: Job
    owner: str
    runtime: Runtime

    async def progress(
        self, done: int, total: int | None = None, message: str | None = None
    ) -> None:
        runtime = self.runtime
        async with acquire(runtime.connections) as conn:
            held = await JobRepository(conn, runtime.queries).report_progress(
                self.job.id, owner=self.owner, done=done, total=total, message=message
            )
        if not held:
            raise LeaseLostError(str(self.job.id))


JobHandler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]
# Runs in the transaction that fails the job for good (its last attempt failed, or its
# worker died on the last one), so the job and its subject never disagree.
FailureHook = Callable[[asyncpg.Connection, SqlQueries, JobOutcome], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    handler: JobHandler
    on_failed: FailureHook | None = None
