"""A key's last use is recorded to the minute: a busy key does not write per request."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import Scope


@pytest.fixture
def touches(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every UPDATE of last_used_at the service sends."""
    sent: list[object] = []
    touch = ApiKeyRepository.touch

    async def counted(self: ApiKeyRepository, key_pk: object) -> None:
        sent.append(key_pk)
        await touch(self, key_pk)  # type: ignore[arg-type]

    monkeypatch.setattr(ApiKeyRepository, "touch", counted)
    return sent


async def _last_used(conn: asyncpg.Connection, scope: Scope) -> object:
    return await conn.fetchval(
        "SELECT last_used_at FROM api_keys WHERE scope = $1 AND name LIKE 'test-%'", scope
    )


async def test_many_requests_within_a_minute_record_one_use(
    anonymous: httpx.AsyncClient,
    keys: dict[Scope, str],
    conn: asyncpg.Connection,
    touches: list[object],
) -> None:
    headers = {"X-API-Key": keys["read"]}
    for _ in range(10):
        assert (await anonymous.get("/get-metrics", headers=headers)).status_code == 200
    assert len(touches) == 1
    assert await _last_used(conn, "read") is not None


async def test_a_use_older_than_a_minute_is_recorded_again(
    anonymous: httpx.AsyncClient,
    keys: dict[Scope, str],
    conn: asyncpg.Connection,
    touches: list[object],
) -> None:
    headers = {"X-API-Key": keys["read"]}
    await conn.execute(
        "UPDATE api_keys SET last_used_at = now() - interval '30 seconds' WHERE scope = 'read'"
    )
    recent = await _last_used(conn, "read")
    assert (await anonymous.get("/get-metrics", headers=headers)).status_code == 200
    assert touches == []
    assert await _last_used(conn, "read") == recent

    await conn.execute(
        "UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE scope = 'read'"
    )
    stale = await _last_used(conn, "read")
    assert (await anonymous.get("/get-metrics", headers=headers)).status_code == 200
    assert len(touches) == 1
    assert await _last_used(conn, "read") != stale
