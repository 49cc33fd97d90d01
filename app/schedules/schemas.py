"""Scheduled work as declared, and as `GET /schedules` shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from app.jobs.schemas import JobStatus


@dataclass(frozen=True, slots=True)
class Schedule:
    """Run `job_kind` at every tick of `cron` (UTC), once across all containers."""

    name: str
    cron: str
    job_kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    # False when its integration is not configured: shown, never run.
    enabled: bool = True


class ClaimedTick(msgspec.Struct, frozen=True):
    schedule_name: str
    tick: datetime


class LastRun(msgspec.Struct, frozen=True):
    schedule_name: str
    tick: datetime
    claimed_by: str
    claimed_at: datetime
    job_id: UUID | None
    status: JobStatus | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


class ScheduleView(msgspec.Struct, frozen=True):
    name: str
    cron: str
    job_kind: str
    enabled: bool
    next_run_at: datetime
    last_run: LastRun | None


class ScheduleList(msgspec.Struct, frozen=True):
    items: list[ScheduleView]
