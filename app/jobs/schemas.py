"""Jobs as stored, and as the progress routes show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

JobStatus = Literal["queued", "running", "succeeded", "failed"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed"})


class Job(msgspec.Struct, frozen=True):
    id: UUID
    kind: str
    payload: dict[str, Any]
    status: JobStatus
    attempts: int
    max_attempts: int
    run_after: datetime
    progress_done: int
    progress_total: int | None
    progress_message: str | None
    error: str | None
    version: int
    created_at: datetime
    started_at: datetime | None
    attempt_started_at: datetime | None
    finished_at: datetime | None


class JobProgress(msgspec.Struct, frozen=True):
    done: int
    total: int | None
    message: str | None


class JobView(msgspec.Struct, frozen=True):
    """A job for the frontend: its state and progress, not its internal payload."""

    id: UUID
    kind: str
    status: JobStatus
    attempts: int
    max_attempts: int
    progress: JobProgress
    error: str | None
    created_at: datetime
    # The first attempt's start, and the current (or last) attempt's.
    started_at: datetime | None
    attempt_started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobView:
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            progress=JobProgress(
                done=job.progress_done, total=job.progress_total, message=job.progress_message
            ),
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            attempt_started_at=job.attempt_started_at,
            finished_at=job.finished_at,
        )


class JobId(msgspec.Struct, frozen=True):
    id: UUID


class JobOutcome(msgspec.Struct, frozen=True):
    id: UUID
    kind: str
    status: JobStatus
    error: str | None
