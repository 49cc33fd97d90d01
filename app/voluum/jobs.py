"""The syncs as durable jobs, and their schedules.

A job's payload holds its windows (`[[from, to], ...]`, ISO instants on whole hours), or
`scheduled: true`: the conversions schedule then reads from its watermark (the end of its
last successful window, less an overlap that idempotency makes harmless), and the report
schedule takes yesterday (UTC). Each finished sync stores its counts for the route that
waits for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from app.clients.ongage import OngageCredentialsError
from app.clients.voluum import Window, floor_hour
from app.db import acquire
from app.jobs.kinds import JobContext, JobFailedError, JobKind
from app.schedules.schemas import Schedule
from app.settings import Settings
from app.voluum.repository import VoluumRepository
from app.voluum.sync import Progress, VoluumSync

REPORTS = "voluum.sync_reports"
CONVERSIONS = "voluum.sync_conversions"
CONVERSIONS_WATERMARK = "conversions"
# A schedule that was off for long catches up this far back at most.
MAX_CATCH_UP = timedelta(days=7)


def window_payload(windows: Sequence[Window]) -> list[list[str]]:
    return [[w.start.isoformat(), w.end.isoformat()] for w in windows]


def _windows(payload: dict[str, Any]) -> list[Window]:
    try:
        return [
            Window.of(datetime.fromisoformat(start), datetime.fromisoformat(end))
            for start, end in payload["windows"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise JobFailedError(f"unreadable sync windows: {exc}") from exc


def yesterday(now: datetime) -> Window:
    today = floor_hour(now).replace(hour=0)
    return Window.of(today - timedelta(days=1), today)


def _progress_of(context: JobContext) -> Progress:
    async def progress(done: int, message: str) -> None:
        await context.progress(done, None, message)

    return progress


async def sync_reports(context: JobContext, payload: dict[str, Any]) -> None:
    runtime = context.runtime
    windows = [yesterday(datetime.now(UTC))] if payload.get("scheduled") else _windows(payload)
    sync = VoluumSync(runtime, context.job.id, _progress_of(context))
    result = await sync.reports(windows)
    await _save(context, result)


async def sync_conversions(context: JobContext, payload: dict[str, Any]) -> None:
    runtime = context.runtime
    sync = VoluumSync(runtime, context.job.id, _progress_of(context))
    try:
        if not payload.get("scheduled"):
            await _save(context, await sync.conversions(_windows(payload), retry=False))
        else:
            await _scheduled_conversions(context, sync)
    except OngageCredentialsError as exc:
        # Retrying cannot fix a password; the contacts wait, pending, for the next tick.
        raise JobFailedError(str(exc)) from exc
    # Names last: the conversions are in and pushed, and the watermark moved, whatever
    # Voluum answers about them.
    await sync.refresh_names()


async def _scheduled_conversions(context: JobContext, sync: VoluumSync) -> None:
    runtime = context.runtime
    now = datetime.now(UTC)
    overlap = timedelta(minutes=runtime.settings.voluum_sync.overlap_minutes)
    async with acquire(runtime.connections) as conn:
        mark = await VoluumRepository(conn, runtime.queries).watermark(CONVERSIONS_WATERMARK)
    start = max((mark or now) - overlap, now - MAX_CATCH_UP)
    # The window ends at the next whole hour: the current hour so far is in it.
    result = await sync.conversions([Window.of(start, now)], retry=True)
    async with acquire(runtime.connections) as conn:
        repository = VoluumRepository(conn, runtime.queries)
        await repository.set_watermark(CONVERSIONS_WATERMARK, now)
    await _save(context, result)


async def _save(context: JobContext, result: dict[str, Any]) -> None:
    runtime = context.runtime
    async with acquire(runtime.connections) as conn:
        await VoluumRepository(conn, runtime.queries).save_result(context.job.id, result)


JOB_KINDS = (JobKind(REPORTS, sync_reports), JobKind(CONVERSIONS, sync_conversions))


def schedules(settings: Settings) -> Sequence[Schedule]:
    """Shown without Voluum credentials too, as disabled."""
    enabled = settings.voluum is not None
    sync = settings.voluum_sync
    return (
        Schedule(
            name="voluum-conversions",
            cron=sync.conversions_cron,
            job_kind=CONVERSIONS,
            payload={"scheduled": True},
            enabled=enabled,
        ),
        Schedule(
            name="voluum-reports",
            cron=sync.reports_cron,
            job_kind=REPORTS,
            payload={"scheduled": True},
            enabled=enabled and bool(settings.voluum and settings.voluum.traffic_source_ids),
        ),
    )
