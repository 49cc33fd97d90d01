"""What runs when, and how its last run ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from app.schedules.repository import ScheduleRepository
from app.schedules.scheduler import next_tick
from app.schedules.schemas import Schedule, ScheduleList, ScheduleView


class ScheduleService:
    def __init__(self, repository: ScheduleRepository, schedules: Sequence[Schedule]) -> None:
        self._repository = repository
        self._schedules = schedules

    async def list(self, now: datetime) -> ScheduleList:
        last = await self._repository.last_runs([s.name for s in self._schedules])
        return ScheduleList(
            items=[
                ScheduleView(
                    name=s.name,
                    cron=s.cron,
                    job_kind=s.job_kind,
                    enabled=s.enabled,
                    next_run_at=next_tick(s, now),
                    last_run=last.get(s.name),
                )
                for s in self._schedules
            ]
        )
