"""Periodic work: at each cron tick, one container claims the tick and queues a job.

The work itself runs as a durable job (retried, recovered after a crash, visible at
`/jobs/{id}`), so the scheduler only decides *when*. A tick missed while every container
was down is caught up once, at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from croniter import croniter

from app.db import ConnectionSource, acquire
from app.jobs.repository import JobRepository
from app.schedules.repository import ScheduleRepository
from app.schedules.schemas import Schedule
from app.sql import SqlQueries

log = logging.getLogger(__name__)

# Checked at least this often, so a changed clock or a failed claim is retried soon.
MAX_SLEEP_SECONDS = 30.0


def last_tick(schedule: Schedule, now: datetime) -> datetime:
    tick: datetime = croniter(schedule.cron, now).get_prev(datetime)
    return tick


def next_tick(schedule: Schedule, now: datetime) -> datetime:
    tick: datetime = croniter(schedule.cron, now).get_next(datetime)
    return tick


class Scheduler:
    def __init__(
        self,
        *,
        connections: ConnectionSource,
        sql: SqlQueries,
        schedules: Sequence[Schedule],
        owner: str,
        max_attempts: int,
    ) -> None:
        self._connections = connections
        self._sql = sql
        # A disabled schedule (its integration is not configured) is shown, never run.
        self._schedules = [s for s in schedules if s.enabled]
        self._owner = owner
        self._max_attempts = max_attempts
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        log.info("scheduler_started", extra={"schedules": len(self._schedules)})
        while not self._stopping.is_set():
            try:
                await self.tick(datetime.now(UTC))
            except Exception:  # the database away: try again at the next wake-up
                log.exception("scheduler_iteration_failed")
            try:
                async with asyncio.timeout(self._sleep_seconds(datetime.now(UTC))):
                    await self._stopping.wait()
            except TimeoutError:
                pass
        log.info("scheduler_stopped")

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self, now: datetime) -> list[str]:
        """Claim every schedule's latest due tick; returns the names this call claimed."""
        claimed = []
        for schedule in self._schedules:
            due = last_tick(schedule, now)
            if await self._claim(schedule, due):
                claimed.append(schedule.name)
        return claimed

    async def _claim(self, schedule: Schedule, due: datetime) -> bool:
        async with acquire(self._connections) as conn, conn.transaction():
            if not await ScheduleRepository(conn, self._sql).claim(
                schedule.name, due, owner=self._owner
            ):
                return False
            payload = {**schedule.payload, "tick": due.isoformat()}
            job = await JobRepository(conn, self._sql).enqueue(
                schedule.job_kind, payload, max_attempts=self._max_attempts
            )
            await ScheduleRepository(conn, self._sql).attach_job(schedule.name, due, job.id)
        log.info(
            "schedule_tick_claimed",
            extra={"schedule": schedule.name, "tick": due.isoformat(), "job_id": str(job.id)},
        )
        return True

    def _sleep_seconds(self, now: datetime) -> float:
        if not self._schedules:
            return MAX_SLEEP_SECONDS
        soonest = min(next_tick(s, now) for s in self._schedules)
        # A little past the tick, so that croniter's "previous tick" is the new one.
        return max(0.5, min(MAX_SLEEP_SECONDS, (soonest - now).total_seconds() + 0.5))
