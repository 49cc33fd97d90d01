"""`GET /schedules`: what runs when, and how its last run ended."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from litestar import Controller, get
from litestar.di import NamedDependency, Provide

from app.runtime import Runtime
from app.schedules.repository import ScheduleRepository
from app.schedules.schemas import ScheduleList
from app.schedules.service import ScheduleService


def provide_schedule_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> ScheduleService:
    return ScheduleService(ScheduleRepository(db_connection, runtime.queries), runtime.schedules)


class ScheduleController(Controller):
    path = "/schedules"
    tags = ("jobs",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "schedules": Provide(provide_schedule_service, sync_to_thread=False)
    }

    @get("/", summary="Scheduled work")
    async def list_schedules(self, schedules: NamedDependency[ScheduleService]) -> ScheduleList:
        """Each schedule with its cron (UTC), next run, and last run with its job's outcome."""
        return await schedules.list(datetime.now(UTC))
