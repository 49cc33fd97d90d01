"""A database restart drops every connection the pool holds: the requests that meet a dead
connection answer 503 with the error body, never 500, and the service recovers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from app.auth.repository import ApiKeyRepository
from app.auth.service import ApiKeyService
from app.main import create_app
from app.sql import SqlQueries
from tests.conftest import make_settings, serve_in_loop

APP_NAME = "optimizer-restart-test"


@pytest.fixture
async def service(
    committed: asyncpg.Pool, database_url: str, sql: SqlQueries
) -> AsyncIterator[httpx.AsyncClient]:
    """The service with a pool of its own, whose connections can be told apart."""
    async with committed.acquire() as conn:
        created = await ApiKeyService(ApiKeyRepository(conn, sql)).create("restart", "read")
    separator = "&" if "?" in database_url else "?"
    url = f"{database_url}{separator}application_name={APP_NAME}"
    settings = make_settings(url, DB_POOL_MIN="2", DB_POOL_MAX="2")
    try:
        async with serve_in_loop(create_app(settings)) as client:
            client.headers["X-API-Key"] = created.key
            yield client
    finally:
        async with committed.acquire() as conn:
            await conn.execute("DELETE FROM api_keys WHERE id = $1", created.id)


async def _restart(committed: asyncpg.Pool) -> int:
    """What a restart does to the service's connections: the server ends them."""
    async with committed.acquire() as conn:
        return len(
            await conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = $1",
                APP_NAME,
            )
        )


async def _cut_while_waiting(
    service: httpx.AsyncClient, committed: asyncpg.Pool, path: str, table: str
) -> httpx.Response:
    """Calls `path` while its query waits on a lock of `table`, and meanwhile restarts:
    the query's connection dies under it (deterministically, unlike a restart between
    two requests, which the pool may or may not have noticed)."""
    async with committed.acquire() as locker:
        async with locker.transaction():
            await locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            call = asyncio.create_task(service.get(path))
            for _ in range(100):
                waiting = await locker.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = $1 AND wait_event_type = 'Lock'",
                    APP_NAME,
                )
                if waiting:
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail(f"{path} never waited on {table}")
            assert await _restart(committed) >= 1
        return await call


async def _recovers(service: httpx.AsyncClient, path: str) -> None:
    for _ in range(50):  # the pool replaces the dead connections by itself
        if (await service.get(path)).status_code == 200:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{path} did not come back after the restart")


async def test_a_request_whose_connection_dies_is_503_then_the_service_recovers(
    service: httpx.AsyncClient, committed: asyncpg.Pool
) -> None:
    # Every request with a key reads api_keys first (the guard).
    answer = await _cut_while_waiting(service, committed, "/get-metrics", "api_keys")
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"] == "Database unavailable"
    assert answer.json()["code"] == "unavailable"
    await _recovers(service, "/get-metrics")


async def test_ready_says_unavailable_when_the_restart_cuts_its_query(
    service: httpx.AsyncClient, committed: asyncpg.Pool
) -> None:
    ready = await _cut_while_waiting(service, committed, "/ready", "_yoyo_migration")
    assert ready.status_code == 503, ready.text
    assert ready.json()["database"] is False
    await _recovers(service, "/ready")
