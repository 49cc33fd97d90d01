"""The daily schedule: yesterday's costs pushed to Voluum, then yesterday's history saved
(the old `update_costs.py` cron, 05:00 UTC), as one durable job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from app.broadcasts.daily import push_costs, save_history, yesterday
from app.jobs.kinds import JobContext, JobFailedError, JobKind
from app.schedules.schemas import Schedule
from app.settings import Settings

DAILY = "broadcasts.daily"


def _day(payload: dict[str, Any]) -> date:
    """The payload's `date`, else the day before the schedule's tick (or now)."""
    try:
        if "date" in payload:
            return date.fromisoformat(payload["date"])
        tick = payload.get("tick")
        return yesterday(datetime.fromisoformat(tick) if tick else datetime.now(UTC))
    except (TypeError, ValueError) as exc:
        raise JobFailedError(f"unreadable date: {exc}") from exc


async def run_daily(context: JobContext, payload: dict[str, Any]) -> None:
    day = _day(payload)
    await context.progress(0, 2, f"pushing the costs of {day.isoformat()}")
    pushed = await push_costs(context.runtime, day)
    failed = sum(1 for u in pushed.updates if u.outcome == "failed")
    await context.progress(
        1, 2, f"{pushed.total_rows} campaign cost(s) pushed, {failed} failed; saving history"
    )
    count = await save_history(context.runtime, day)
    await context.progress(2, 2, f"{count} broadcast(s) saved for {day.isoformat()}")


JOB_KINDS = (JobKind(DAILY, run_daily),)


def schedules(settings: Settings) -> Sequence[Schedule]:
    """Shown without credentials too, as disabled."""
    return (
        Schedule(
            name="broadcasts-daily",
            cron=settings.broadcasts.daily_cron,
            job_kind=DAILY,
            payload={"scheduled": True},
            enabled=settings.messagewhiz is not None and settings.voluum is not None,
        ),
    )
