"""Readiness (the database answers and carries every migration this code ships) and the
list metrics."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable

import asyncpg

from app.db import acquire
from app.errors import DATABASE_GONE
from app.migrations import expected_migrations
from app.runtime import Runtime
from app.system.repository import SystemRepository
from app.system.schemas import Metrics, Readiness

log = logging.getLogger(__name__)

_UNREACHABLE: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    *DATABASE_GONE,
)

# A readiness probe must answer quickly even when the database hangs.
READY_TIMEOUT_SECONDS = 3.0


@functools.cache
def _shipped_migrations() -> frozenset[str]:
    """Read once: the migration files do not change while the process runs."""
    return expected_migrations()


class ListCounts:
    """The list counts of /get-metrics, read at most once per `ttl` seconds per process.

    Why a cache, and not counters or estimates: the counts are six full counts (three of
    them over millions of rows), and under load every caller counting them kept
    PostgreSQL busy and every route slow. Counters kept by triggers would tax every write
    path, the million-row imports first, and make one row every writer updates; the
    planner's estimates cannot say "added in the last 24 hours" and are not exact. The
    numbers are a dashboard's, so a few seconds old is fine.

    Callers share one query: while it runs, every caller waits for that one (the first
    read, or when `ttl` is 0) or is served the previous counts (up to twice `ttl` old),
    so 50 simultaneous calls cost one query, and a refresh never makes a caller wait
    behind it. The refresh is a task of its own, so a caller that goes away does not
    cancel what the others wait for.
    """

    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._value: Metrics | None = None
        self._read_at = -math.inf  # when the query that read `_value` started
        self._refresh: asyncio.Task[Metrics] | None = None

    async def get(self, read: Callable[[], Awaitable[Metrics]]) -> Metrics:
        """The counts, from `read` when the last ones are too old."""
        age = self._clock() - self._read_at
        if self._value is not None and age < self._ttl:
            return self._value
        refresh = self._refresh
        if refresh is None:
            refresh = self._refresh = asyncio.create_task(self._read(read), name="list-counts")
            refresh.add_done_callback(_retrieve)
        if self._value is not None and age < 2 * self._ttl:
            return self._value
        return await asyncio.shield(refresh)

    async def _read(self, read: Callable[[], Awaitable[Metrics]]) -> Metrics:
        started = self._clock()
        try:
            value = await read()
        finally:
            self._refresh = None
        self._value, self._read_at = value, started
        return value


def _retrieve(task: asyncio.Task[Metrics]) -> None:
    """A refresh that failed while every caller was served the previous counts: logged
    here, since no caller awaits it (the next call tries again)."""
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("list_counts_refresh_failed", extra={"error": type(exc).__name__})


class SystemService:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        settings = runtime.settings.metrics
        self._counts = runtime.shared(ListCounts, lambda: ListCounts(settings.cache_seconds))

    async def metrics(self) -> Metrics:
        return await self._counts.get(self._read_counts)

    async def _read_counts(self) -> Metrics:
        # A connection of its own, not a request's: the read outlives a caller that leaves.
        async with acquire(self._runtime.connections) as conn:
            return await SystemRepository(conn, self._runtime.queries).metrics()


async def check_readiness(runtime: Runtime) -> Readiness:
    """Takes its own connection under a timeout: a probe answers even when none is free."""
    shipped = _shipped_migrations()
    try:
        async with (
            asyncio.timeout(READY_TIMEOUT_SECONDS),
            runtime.connections.acquire() as conn,
        ):
            applied = await SystemRepository(conn, runtime.queries).applied_migrations()
    except asyncpg.UndefinedTableError:
        return Readiness(
            status="unavailable",
            database=True,
            pending_migrations=sorted(shipped),
            detail="migrations have not been applied: run `optimizer migrate`",
        )
    except _UNREACHABLE as exc:
        log.warning("readiness_database_unreachable", extra={"error": type(exc).__name__})
        return Readiness(
            status="unavailable",
            database=False,
            pending_migrations=[],
            detail="database unreachable",
        )
    pending = sorted(shipped - applied)
    if pending:
        return Readiness(
            status="unavailable",
            database=True,
            pending_migrations=pending,
            detail="migrations pending: run `optimizer migrate`",
        )
    return Readiness(status="ready", database=True, pending_migrations=[])
