from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from app.jobs.repository import JobRepository
from app.main import load_queries
from app.sql import SqlQueries


@pytest.fixture
async def committed(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """The real pool, for tests whose work spans connections: their rows are committed,
    so the job tables are emptied afterwards instead of rolled back."""
    yield pool
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM schedule_runs")
        await conn.execute("DELETE FROM jobs")


@pytest.fixture(scope="session")
def sql() -> SqlQueries:
    return load_queries()


async def enqueue(pool: asyncpg.Pool, sql: SqlQueries, kind: str, payload: dict, attempts: int = 3):
    async with pool.acquire() as conn:
        return await JobRepository(conn, sql).enqueue(kind, payload, max_attempts=attempts)


async def fetch_job(pool: asyncpg.Pool, sql: SqlQueries, job_id):
    async with pool.acquire() as conn:
        return await JobRepository(conn, sql).get(job_id)
