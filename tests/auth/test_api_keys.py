from __future__ import annotations

import asyncio
import json
import logging

import asyncpg
import httpx
import pytest

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import Scope
from app.auth.service import ApiKeyService
from app.main import load_queries


async def test_an_admin_creates_a_key_that_works_at_once(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = await client.post("/api-keys", json={"name": "frontend", "scope": "read"})
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "frontend"
    assert body["scope"] == "read"
    key = body["key"]
    assert key.startswith("opt_")

    metrics = await anonymous.get("/get-metrics", headers={"Authorization": f"Bearer {key}"})
    assert metrics.status_code == 200


async def test_keys_are_stored_as_hashes_and_never_listed(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    key = (await client.post("/api-keys", json={"name": "ops", "scope": "write"})).json()["key"]
    stored = await conn.fetchrow("SELECT * FROM api_keys WHERE name = 'ops'")
    assert key not in json.dumps({k: str(v) for k, v in dict(stored).items()})
    listed = await client.get("/api-keys")
    assert listed.status_code == 200
    assert key not in listed.text
    ops = next(item for item in listed.json()["items"] if item["name"] == "ops")
    assert ops["scope"] == "write"
    assert ops["revoked_at"] is None


async def test_a_revoked_key_is_refused_from_the_next_request(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    created = (await client.post("/api-keys", json={"name": "temp", "scope": "read"})).json()
    headers = {"X-API-Key": created["key"]}
    assert (await anonymous.get("/get-metrics", headers=headers)).status_code == 200

    revoked = await client.delete(f"/api-keys/{created['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    refused = await anonymous.get("/get-metrics", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Invalid or revoked API key"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    # Revoking again is harmless; an unknown id is a 404.
    assert (await client.delete(f"/api-keys/{created['id']}")).status_code == 200
    missing = await client.delete("/api-keys/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "API key not found"


async def test_a_live_name_is_unique_but_reusable_after_revocation(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.post("/api-keys", json={"name": "svc"})).json()
    again = await client.post("/api-keys", json={"name": "svc"})
    assert again.status_code == 409
    assert again.json()["detail"] == "A live API key already has this name"
    await client.delete(f"/api-keys/{first['id']}")
    assert (await client.post("/api-keys", json={"name": "svc"})).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"name": "has space"},
        {"name": "x", "scope": "root"},
        {"name": "x", "extra": True},
        {},
    ],
)
async def test_bad_key_requests_are_400(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/api-keys", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


async def test_use_is_recorded(
    anonymous: httpx.AsyncClient, keys: dict[Scope, str], conn: asyncpg.Connection
) -> None:
    await anonymous.get("/get-metrics", headers={"X-API-Key": keys["read"]})
    used = await conn.fetchval(
        "SELECT count(*) FROM api_keys WHERE scope = 'read' AND last_used_at IS NOT NULL"
    )
    assert used == 1


async def test_mutations_are_audited_by_key_name_never_the_key(
    client: httpx.AsyncClient, keys: dict[Scope, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.audit"):
        created = (await client.post("/api-keys", json={"name": "audited"})).json()
        await client.delete(f"/api-keys/{created['id']}")
        await client.post("/api-keys", json={"name": "x"}, headers={"X-API-Key": keys["read"]})
    audits = [r for r in caplog.records if r.name == "app.audit"]
    assert [(r.method, r.route, r.outcome) for r in audits] == [  # type: ignore[attr-defined]
        ("POST", "/api-keys", "ok"),
        ("DELETE", "/api-keys/{key_pk}", "ok"),
        ("POST", "/api-keys", "denied"),
    ]
    assert audits[1].target == created["id"]  # type: ignore[attr-defined]
    assert audits[0].key.startswith("test-admin-")  # type: ignore[attr-defined]
    assert audits[2].key is None  # type: ignore[attr-defined]
    for record in audits:
        for key in keys.values():
            assert key not in str(vars(record))


async def test_a_name_with_a_trailing_newline_is_400_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post("/api-keys", json={"name": "abc\n"})
    assert response.status_code == 400


async def test_two_first_keys_at_once_make_one_key_and_no_error(
    pool: asyncpg.Pool,
) -> None:
    # Two containers starting on an empty database.
    sql = load_queries()
    async with pool.acquire() as a, pool.acquire() as b:
        # Tests that commit keys delete them again, so the table starts empty here.
        assert await a.fetchval("SELECT count(*) FROM api_keys") == 0
        try:
            results = await asyncio.gather(
                ApiKeyService(ApiKeyRepository(a, sql)).create_first(),
                ApiKeyService(ApiKeyRepository(b, sql)).create_first(),
            )
            assert sum(r is not None for r in results) == 1
        finally:
            await a.execute("DELETE FROM api_keys WHERE name = 'admin'")
