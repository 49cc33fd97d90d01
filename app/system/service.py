"""Readiness: the database answers and carries every migration this code ships."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from app.db import ConnectionSource
from app.sql import SqlQueries
from app.system.repository import SystemRepository
from app.system.schemas import Readiness

log = logging.getLogger(__name__)

# A readiness probe must answer quickly even when the database hangs.
READY_TIMEOUT_SECONDS = 3.0


async def check_readiness(
    connections: ConnectionSource, sql: SqlQueries, expected_migrations: frozenset[str]
) -> Readiness:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), connections.acquire() as conn:
            applied = await SystemRepository(conn, sql).applied_migrations()
    except asyncpg.UndefinedTableError:
        return Readiness(
            status="unavailable",
            database=True,
            pending_migrations=sorted(expected_migrations),
            detail="migrations have not been applied: run `optimizer migrate`",
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("readiness_database_unreachable", extra={"error": type(exc).__name__})
        return Readiness(
            status="unavailable",
            database=False,
            pending_migrations=[],
            detail="database unreachable",
        )
    pending = sorted(expected_migrations - applied)
    if pending:
        return Readiness(
            status="unavailable",
            database=True,
            pending_migrations=pending,
            detail="migrations pending: run `optimizer migrate`",
        )
    return Readiness(status="ready", database=True, pending_migrations=[])
