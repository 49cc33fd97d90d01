"""The Voluum routes' work: queue a sync, wait for it a little, answer its counts; read
and replace the OS-version rules."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from app.clients.voluum import VoluumClient, Window
from app.db import acquire
from app.errors import AppError, BadRequestError, IntegrationDisabledError, NotFoundError
from app.jobs.repository import JobRepository
from app.jobs.schemas import FINISHED
from app.runtime import Runtime
from app.voluum.jobs import CONVERSIONS, REPORTS, window_payload
from app.voluum.repository import VoluumRepository
from app.voluum.rules import OsRule
from app.voluum.schemas import SyncDataInRangeRequest, SyncDate

# While notifications do not arrive, a waiting route looks at its job this often.
_POLL_SECONDS = 0.5
# The windows a single-window route accepts (the range routes' schema bounds theirs to
# the same years and 92 days).
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_SPAN = timedelta(days=92)
_EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC)


class SyncFailedError(AppError):
    """The sync's job failed for good (Voluum kept failing, most likely)."""

    status_code = 502
    code = "sync_failed"


class SyncResultNotFoundError(NotFoundError):
    detail = "No finished sync with this job id"


class VoluumService:
    """Takes a connection per step, never one for the whole request: a route that waits
    for its sync must not hold a pooled connection meanwhile."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    # --- windows -------------------------------------------------------------------

    @staticmethod
    def window(body: SyncDate) -> Window:
        """The body's window, widened to whole hours, within years MIN_YEAR..MAX_YEAR and
        at most MAX_SPAN long: a date at the calendar's edge overflows when moved to UTC
        or rounded up, and one request must not start years of work."""
        try:
            start = datetime.fromisoformat(body.from_date)
            end = datetime.fromisoformat(body.to_date)
            window = Window.of(start, end)
        except (ValueError, OverflowError) as exc:
            raise BadRequestError(
                "from_date and to_date must be ISO-8601 instants, to_date after from_date"
            ) from exc
        if window.start < _EARLIEST or window.end > _LATEST:
            raise BadRequestError(f"from_date and to_date must lie in {MIN_YEAR} to {MAX_YEAR}")
        if window.end - window.start > MAX_SPAN:
            raise BadRequestError(f"a window spans {MAX_SPAN.days} days at most")
        return window

    @staticmethod
    def days(body: SyncDataInRangeRequest) -> list[Window]:
        """One window per day, end-exclusive, by real date arithmetic."""
        try:
            first = date(body.year, body.month, body.start_day)
        except ValueError as exc:
            raise BadRequestError(
                f"{body.year}-{body.month:02d} has no day {body.start_day}"
            ) from exc
        if body.end_day <= body.start_day:
            raise BadRequestError("end_day must be after start_day (it is not included)")
        windows = []
        for offset in range(body.end_day - body.start_day):
            day = datetime.combine(first + timedelta(days=offset), datetime.min.time(), UTC)
            windows.append(Window.of(day, day + timedelta(days=1)))
        return windows

    # --- syncs ---------------------------------------------------------------------

    def _require_voluum(self, *, reports: bool) -> None:
        settings = self._runtime.settings.voluum
        if settings is None:
            raise IntegrationDisabledError("voluum", VoluumClient.settings_hint)
        if reports and not settings.traffic_source_ids:
            raise IntegrationDisabledError("voluum reports", "VOLUUM_TRAFFIC_SOURCE_IDS")

    async def start(self, kind: str, windows: list[Window]) -> UUID:
        self._require_voluum(reports=kind == REPORTS)
        async with acquire(self._runtime.connections) as conn:
            job = await JobRepository(conn, self._runtime.queries).enqueue(
                kind,
                {"windows": window_payload(windows)},
                max_attempts=self._runtime.settings.jobs.max_attempts,
            )
        return job.id

    async def start_reports(self, windows: list[Window]) -> UUID:
        return await self.start(REPORTS, windows)

    async def start_conversions(self, windows: list[Window]) -> UUID:
        return await self.start(CONVERSIONS, windows)

    async def wait(self, job_id: UUID) -> dict[str, Any] | None:
        """The sync's counts if it finishes within the wait setting; None otherwise. A
        sync that failed answers its error (502 when Voluum failed it)."""
        runtime = self._runtime
        deadline = time.monotonic() + runtime.settings.voluum_sync.wait_seconds
        with runtime.job_events.follow(str(job_id)) as changed:
            while True:
                changed.clear()
                async with acquire(runtime.connections) as conn:
                    job = await JobRepository(conn, runtime.queries).get(job_id)
                    if job is not None and job.status in FINISHED:
                        result = await VoluumRepository(conn, runtime.queries).result(job_id)
                        if job.status == "succeeded" and result is not None:
                            return result
                        raise SyncFailedError(job.error or "the sync failed")
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                within = min(left, 5.0 if runtime.job_events.listening else _POLL_SECONDS)
                try:
                    async with asyncio.timeout(within):
                        await changed.wait()
                except TimeoutError:
                    pass

    async def result(self, job_id: UUID) -> dict[str, Any]:
        async with acquire(self._runtime.connections) as conn:
            found = await VoluumRepository(conn, self._runtime.queries).result(job_id)
        if found is None:
            raise SyncResultNotFoundError
        return found

    # --- rules ---------------------------------------------------------------------

    async def rules(self) -> list[OsRule]:
        async with acquire(self._runtime.connections) as conn:
            return await VoluumRepository(conn, self._runtime.queries).rules()

    async def replace_rules(self, rules: list[OsRule]) -> list[OsRule]:
        problems = [p for rule in rules if (p := rule.problem()) is not None]
        positions = [rule.position for rule in rules]
        if len(set(positions)) != len(positions):
            problems.append("each rule needs its own position")
        if problems:
            raise BadRequestError("; ".join(problems))
        async with acquire(self._runtime.connections) as conn:
            repository = VoluumRepository(conn, self._runtime.queries)
            await repository.replace_rules(rules)
            return await repository.rules()
