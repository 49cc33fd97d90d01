"""SQL of schedule ticks and their runs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from app.db import Repository
from app.schedules.schemas import ClaimedTick, LastRun


class ScheduleRepository(Repository):
    domain = "schedules"
    queries = ("claim_schedule_tick", "attach_schedule_job", "list_last_schedule_runs")

    async def claim(self, name: str, tick: datetime, *, owner: str) -> bool:
        claimed = await self._fetch_one(
            "claim_schedule_tick", ClaimedTick, name=name, tick=tick, owner=owner
        )
        return claimed is not None

    async def attach_job(self, name: str, tick: datetime, job_id: UUID) -> None:
        await self._execute("attach_schedule_job", name=name, tick=tick, job_id=job_id)

    async def last_runs(self, names: list[str]) -> dict[str, LastRun]:
        runs = await self._fetch_all("list_last_schedule_runs", LastRun, names=names)
        return {run.schedule_name: run for run in runs}
