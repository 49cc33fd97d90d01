"""CSV jobs as the operator drives them: upload, list, pace, start / pause / resume, and
the history and records the runner leaves behind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from app.clients import Clients
from app.clients.ongage import OngageClient
from app.csv_jobs.repository import CsvJobRepository
from app.csv_jobs.schemas import (
    CsvJobList,
    CsvJobPatched,
    CsvJobTransitioned,
    CsvJobUploaded,
    CsvRecordList,
    CsvTickList,
    JobState,
)
from app.csv_jobs.upload import parse_contacts
from app.errors import BadRequestError, ConflictError, NotFoundError
from app.files.sniff import check_csv_name

# The shortest interval between ticks, as the old route had it: 60 itself is allowed,
# whatever its message ("greater than") says.
MIN_INTERVAL_SECONDS = 60


class CsvJobNotFoundError(NotFoundError):
    detail = "Job not found"


class IllegalTransitionError(ConflictError):
    """start / pause / resume from a status that does not allow it (the old strings)."""


# transition -> (the statuses it leaves, the status it reaches, the old refusal).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "start": (("draft", "paused"), "running", "Job not in a startable state"),
    "pause": (("running",), "paused", "Job not running"),
    "resume": (("paused",), "running", "Job not paused"),
}


def utc_now() -> datetime:
    return datetime.now(UTC)


class CsvJobService:
    def __init__(
        self,
        repository: CsvJobRepository,
        clients: Clients,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._clients = clients
        self._clock = clock

    async def upload(self, filename: str, raw: bytes) -> CsvJobUploaded:
        """Checks the whole file first, then creates the job and its rows together."""
        check_csv_name(filename)
        parsed = await asyncio.to_thread(parse_contacts, raw)
        job = await self._repository.create(filename, parsed.rows)
        return CsvJobUploaded(
            ok=True,
            job_id=job.id,
            original_filename=filename,
            total_records=len(parsed.rows),
            status=job.status,
            valid_records=len(parsed.rows) - parsed.invalid,
            invalid_records=parsed.invalid,
            invalid_examples=parsed.examples,
        )

    async def list(self) -> CsvJobList:
        return CsvJobList(items=await self._repository.all())

    async def set_pace(
        self, job_id: UUID, *, interval_seconds: int, lower_limit: int, upper_limit: int
    ) -> CsvJobPatched:
        if upper_limit < lower_limit:
            raise BadRequestError("upper_limit must be >= lower_limit")
        if interval_seconds < MIN_INTERVAL_SECONDS:
            raise BadRequestError("Interval Time must be greater than 60 seconds")
        updated = await self._repository.set_pace(
            job_id,
            interval_seconds=interval_seconds,
            lower_limit=lower_limit,
            upper_limit=upper_limit,
        )
        if updated is None:
            raise CsvJobNotFoundError
        return CsvJobPatched(ok=True, job_id=str(job_id))

    async def transition(self, job_id: UUID, action: str) -> CsvJobTransitioned:
        sources, target, refusal = TRANSITIONS[action]
        if target == "running":
            # A job cannot run without Ongage: say so now (503), not at every tick.
            self._clients.get(OngageClient)
        moved = await self._repository.transition(
            job_id, from_statuses=list(sources), to_status=target, now=self._clock()
        )
        if moved is None:
            await self._existing(job_id)
            raise IllegalTransitionError(refusal)
        return CsvJobTransitioned(ok=True, status=moved.status)

    async def ticks(self, job_id: UUID, *, limit: int) -> CsvTickList:
        await self._existing(job_id)
        return CsvTickList(items=await self._repository.ticks(job_id, limit=limit))

    async def records(
        self, job_id: UUID, *, send_status: str | None, limit: int, offset: int
    ) -> CsvRecordList:
        await self._existing(job_id)
        found = await self._repository.records(
            job_id, send_status=send_status, limit=limit, offset=offset
        )
        return CsvRecordList(items=found)

    async def _existing(self, job_id: UUID) -> JobState:
        state = await self._repository.status(job_id)
        if state is None:
            raise CsvJobNotFoundError
        return state
