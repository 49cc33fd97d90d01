"""SQL of CSV jobs, their records and their ticks. Every write the runner makes checks
its claim on the job, so a runner that lost it can no longer touch the job."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from app.csv_jobs.schemas import (
    ClaimedJob,
    CsvJobItem,
    CsvRecordView,
    CsvTick,
    Held,
    JobState,
    PendingRecord,
    TickId,
    Written,
)
from app.db import Repository
from app.jobs.schemas import JobId

# The columns a record is copied in with, in this order.
RECORD_COLUMNS = (
    "file_id", "position", "list_id", "email", "country", "source", "mobile",
    "conversion_type", "original_source", "hlr_status", "uuid", "send_status",
    "error_message",
)  # fmt: skip


class CsvJobRepository(Repository):
    domain = "csv_jobs"
    queries = (
        "insert_csv_job",
        "list_csv_jobs",
        "get_csv_job_status",
        "update_csv_job_pace",
        "transition_csv_job",
        "list_csv_ticks",
        "list_csv_records",
    )

    async def create(self, original_filename: str, rows: Sequence[tuple[Any, ...]]) -> JobState:
        """The draft job and every row, in one transaction: no orphan draft."""
        async with self.transaction():
            job = await self._fetch_one(
                "insert_csv_job",
                JobState,
                original_filename=original_filename,
                total_records=len(rows),
            )
            assert job is not None
            await self.conn.copy_records_to_table(
                "csv_active_records",
                records=[(job.id, *row) for row in rows],
                columns=RECORD_COLUMNS,
            )
        return job

    async def all(self) -> list[CsvJobItem]:
        return await self._fetch_all("list_csv_jobs", CsvJobItem)

    async def status(self, job_id: UUID) -> JobState | None:
        return await self._fetch_one("get_csv_job_status", JobState, job_id=job_id)

    async def set_pace(
        self, job_id: UUID, *, interval_seconds: int, lower_limit: int, upper_limit: int
    ) -> JobState | None:
        return await self._fetch_one(
            "update_csv_job_pace",
            JobState,
            job_id=job_id,
            interval_seconds=interval_seconds,
            lower_limit=lower_limit,
            upper_limit=upper_limit,
        )

    async def transition(
        self, job_id: UUID, *, from_statuses: list[str], to_status: str, now: datetime
    ) -> JobState | None:
        return await self._fetch_one(
            "transition_csv_job",
            JobState,
            job_id=job_id,
            from_statuses=from_statuses,
            to_status=to_status,
            now=now,
        )

    async def ticks(self, job_id: UUID, *, limit: int) -> list[CsvTick]:
        return await self._fetch_all("list_csv_ticks", CsvTick, job_id=job_id, limit=limit)

    async def records(
        self, job_id: UUID, *, send_status: str | None, limit: int, offset: int
    ) -> list[CsvRecordView]:
        return await self._fetch_all(
            "list_csv_records",
            CsvRecordView,
            job_id=job_id,
            send_status=send_status,
            limit=limit,
            offset=offset,
        )


class DripRepository(Repository):
    """The runner's statements: claim, take, record, finish."""

    domain = "csv_jobs"
    queries = (
        "claim_due_csv_job",
        "insert_csv_tick",
        "renew_csv_claim",
        "take_csv_batch",
        "record_csv_outcomes",
        "record_csv_send_error",
        "finish_csv_tick",
    )

    async def claim(
        self,
        *,
        owner: str,
        now: datetime,
        lease_seconds: float,
        planned: Callable[[ClaimedJob], int],
    ) -> tuple[ClaimedJob, int, int] | None:
        """Claims the job due longest and opens its tick; (job, tick id, planned count).
        `planned` picks the count from the job's limits."""
        async with self.transaction():
            job = await self._fetch_one(
                "claim_due_csv_job", ClaimedJob, owner=owner, now=now, lease_seconds=lease_seconds
            )
            if job is None:
                return None
            count: int = planned(job)
            tick = await self._fetch_one(
                "insert_csv_tick",
                TickId,
                job_id=job.id,
                runner=owner,
                started_at=now,
                planned=count,
            )
            assert tick is not None
        return job, tick.id, count

    async def renew(self, job_id: UUID, *, owner: str, now: datetime, lease_seconds: float) -> bool:
        renewed = await self._fetch_one(
            "renew_csv_claim",
            JobId,
            job_id=job_id,
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
        )
        return renewed is not None

    async def take(self, job_id: UUID, *, owner: str, limit: int) -> list[PendingRecord]:
        return await self._fetch_all(
            "take_csv_batch", PendingRecord, job_id=job_id, owner=owner, limit=limit
        )

    async def record_outcomes(
        self,
        job_id: UUID,
        tick_id: int,
        outcomes: Sequence[tuple[int, str, str | None]],
        *,
        owner: str,
        now: datetime,
        lease_seconds: float,
    ) -> bool:
        """Writes (record id, status, error) for each record; False when the claim is lost."""
        ids, statuses, errors = zip(*outcomes, strict=True) if outcomes else ((), (), ())
        written = await self._fetch_one(
            "record_csv_outcomes",
            Written,
            job_id=job_id,
            tick_id=tick_id,
            ids=list(ids),
            statuses=list(statuses),
            errors=list(errors),
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
        )
        return written is not None and written.held > 0

    async def record_send_error(
        self,
        job_id: UUID,
        tick_id: int,
        record_ids: Sequence[int],
        *,
        error: str,
        max_attempts: int,
        owner: str,
        now: datetime,
        lease_seconds: float,
    ) -> bool:
        held = await self._fetch_one(
            "record_csv_send_error",
            Held,
            job_id=job_id,
            tick_id=tick_id,
            ids=list(record_ids),
            error=error,
            max_attempts=max_attempts,
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
        )
        return held is not None and held.held > 0

    async def finish(
        self,
        job_id: UUID,
        tick_id: int,
        *,
        owner: str,
        tick_at: datetime,
        now: datetime,
        error: str | None,
    ) -> JobState | None:
        return await self._fetch_one(
            "finish_csv_tick",
            JobState,
            job_id=job_id,
            tick_id=tick_id,
            owner=owner,
            tick_at=tick_at,
            now=now,
            error=error,
        )
