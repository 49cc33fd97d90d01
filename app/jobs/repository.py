"""SQL of the durable job queue. Every write checks the lease, so a worker that lost
its job (lease lapsed, job recovered elsewhere) can no longer touch it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.db import Repository
from app.jobs.schemas import Job, JobId, JobOutcome


class JobRepository(Repository):
    domain = "jobs"
    queries = (
        "enqueue_job",
        "claim_job",
        "renew_job_lease",
        "report_job_progress",
        "complete_job",
        "fail_job",
        "release_job",
        "recover_expired_jobs",
        "get_job",
        "purge_finished_jobs",
    )

    async def enqueue(self, kind: str, payload: dict[str, Any], *, max_attempts: int) -> Job:
        job = await self._fetch_one(
            "enqueue_job", Job, kind=kind, payload=payload, max_attempts=max_attempts
        )
        assert job is not None
        return job

    async def claim(self, *, owner: str, kinds: list[str], lease_seconds: float) -> Job | None:
        return await self._fetch_one(
            "claim_job", Job, owner=owner, kinds=kinds, lease_seconds=lease_seconds
        )

    async def renew_lease(self, job_id: UUID, *, owner: str, lease_seconds: float) -> bool:
        renewed = await self._fetch_one(
            "renew_job_lease", JobId, id=job_id, owner=owner, lease_seconds=lease_seconds
        )
        return renewed is not None

    async def report_progress(
        self, job_id: UUID, *, owner: str, done: int, total: int | None, message: str | None
    ) -> bool:
        reported = await self._fetch_one(
            "report_job_progress",
            JobId,
            id=job_id,
            owner=owner,
            done=done,
            total=total,
            message=message,
        )
        return reported is not None

    async def complete(self, job_id: UUID, *, owner: str) -> bool:
        return await self._fetch_one("complete_job", JobId, id=job_id, owner=owner) is not None

    async def fail(
        self,
        job_id: UUID,
        *,
        owner: str,
        error: str,
        retryable: bool,
        retry_after_seconds: float,
    ) -> JobOutcome | None:
        return await self._fetch_one(
            "fail_job",
            JobOutcome,
            id=job_id,
            owner=owner,
            error=error,
            retryable=retryable,
            retry_after_seconds=retry_after_seconds,
        )

    async def release(self, job_id: UUID, *, owner: str) -> bool:
        return await self._fetch_one("release_job", JobId, id=job_id, owner=owner) is not None

    async def recover_expired(self) -> list[JobOutcome]:
        return await self._fetch_all("recover_expired_jobs", JobOutcome)

    async def get(self, job_id: UUID) -> Job | None:
        return await self._fetch_one("get_job", Job, id=job_id)

    async def purge_finished(self, *, retention_days: int) -> str:
        return await self._execute("purge_finished_jobs", retention_days=retention_days)
