from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from app.jobs.kinds import JobHandler, JobKind
from app.jobs.repository import JobRepository
from app.sql import SqlQueries


def kinds_of(handlers: Mapping[str, JobHandler]) -> dict[str, JobKind]:
    """Job kinds without failure hooks, for handlers of the tests' own."""
    return {name: JobKind(name, handler) for name, handler in handlers.items()}


async def enqueue(pool: asyncpg.Pool, sql: SqlQueries, kind: str, payload: dict, attempts: int = 3):
    async with pool.acquire() as conn:
        return await JobRepository(conn, sql).enqueue(kind, payload, max_attempts=attempts)


async def fetch_job(pool: asyncpg.Pool, sql: SqlQueries, job_id):
    async with pool.acquire() as conn:
        return await JobRepository(conn, sql).get(job_id)
