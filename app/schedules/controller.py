"""`GET /schedules`: what runs when, and how its last run ended."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from app.schedules.repository import ScheduleRepository
from app.schedules.scheduler import next_tick
from app.schedules.schemas import ScheduleList, ScheduleView
from app.sql import SqlQueries


class ScheduleController(Controller):
    path = "/schedules"
    tags = ("jobs",)

    @get("/", summary="Scheduled work")
    async def list_schedules(
        self,
        request: Request[Any, Any, State],
        db_connection: NamedDependency[asyncpg.Connection],
        sql: NamedDependency[SqlQueries],
    ) -> ScheduleList:
        """Each schedule with its cron (UTC), next run, and last run with its job's outcome."""
        schedules = request.app.state.schedules
        last = await ScheduleRepository(db_connection, sql).last_runs([s.name for s in schedules])
        now = datetime.now(UTC)
        return ScheduleList(
            items=[
                ScheduleView(
                    name=s.name,
                    cron=s.cron,
                    job_kind=s.job_kind,
                    next_run_at=next_tick(s, now),
                    last_run=last.get(s.name),
                )
                for s in schedules
            ]
        )
