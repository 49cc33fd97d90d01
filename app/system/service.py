"""Readiness (the database answers and carries every migration this code ships) and the
list metrics."""

from __future__ import annotations

import asyncio
import functools
import logging

import asyncpg

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


class SystemService:
    def __init__(self, repository: SystemRepository) -> None:
        self._repository = repository

    async def metrics(self) -> Metrics:
        return await self._repository.metrics()


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
