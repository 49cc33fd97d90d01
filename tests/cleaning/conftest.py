from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.auth.repository import ApiKeyRepository
from app.auth.service import ApiKeyService
from app.main import create_app, load_queries
from tests.conftest import make_settings, serve_in_loop

# What an end-to-end test commits, emptied afterwards.
_TABLES = (
    "csv_processing_stats",
    "files",
    "schedule_runs",
    "jobs",
    "phone_lists",
    "main_database",
    "api_voluum_conversions",
    "api_keys",
)


@pytest.fixture
async def live(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The whole service as it runs: its own pool, worker and storage; a write key."""
    async with pool.acquire() as conn:
        created = await ApiKeyService(ApiKeyRepository(conn, load_queries())).create("e2e", "admin")
    settings = make_settings(
        database_url, WORKERS_ENABLED="true", UPLOAD_ROOT=str(tmp_path), JOB_POLL_SECONDS="1"
    )
    try:
        async with serve_in_loop(create_app(settings)) as client:
            client.headers["X-API-Key"] = created.key
            yield client
    finally:
        async with pool.acquire() as conn:
            for table in _TABLES:
                await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
