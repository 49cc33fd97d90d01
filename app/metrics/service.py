"""One scrape: read the job queue, then write every series in Prometheus' text format."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from prometheus_client import generate_latest

from app.errors import DATABASE_GONE
from app.metrics.collectors import Combined, RuntimeCollector
from app.metrics.repository import MetricsRepository
from app.metrics.schemas import JobCount
from app.runtime import Runtime

log = logging.getLogger(__name__)

# A scrape must answer (with optimizer_database_up 0) even when the database hangs:
# that is when its metrics matter most. Prometheus' default scrape timeout is 10 s.
JOBS_QUERY_TIMEOUT_SECONDS = 3.0

_UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    *DATABASE_GONE,
)


async def job_counts(runtime: Runtime) -> list[JobCount] | None:
    """The queue's counts, or None when the database does not answer in time."""
    try:
        async with (
            asyncio.timeout(JOBS_QUERY_TIMEOUT_SECONDS),
            runtime.connections.acquire() as conn,
        ):
            return await MetricsRepository(conn, runtime.queries).job_counts()
    except _UNREACHABLE as exc:
        log.warning("metrics_jobs_unavailable", extra={"error": type(exc).__name__})
        return None


async def scrape(runtime: Runtime) -> bytes:
    """Everything this process exposes, in the text exposition format."""
    counts = await job_counts(runtime)
    # No await from here on: the exposition is one consistent read of the instruments.
    return generate_latest(Combined(runtime.metrics.registry, RuntimeCollector(runtime, counts)))
