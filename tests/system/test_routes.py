from __future__ import annotations

import asyncpg
import httpx

from app import __version__
from app.auth.keys import generate_key
from app.main import create_app
from tests.conftest import make_settings, serve_in_loop


async def test_root_names_the_service_and_its_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.json() == {"message": "Optimizer Backend is running!", "version": __version__}


async def test_health_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_database_is_migrated(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"] is True
    assert body["pending_migrations"] == []


async def test_ready_is_503_while_a_migration_is_pending(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    # As if the newest migration file shipped with the code had not been applied yet.
    newest = await conn.fetchval(
        "DELETE FROM _yoyo_migration WHERE migration_id = "
        "(SELECT max(migration_id) FROM _yoyo_migration) RETURNING migration_id"
    )
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == [newest]
    assert response.json()["database"] is True


async def test_ready_is_503_and_health_200_when_the_database_is_down(
    unused_tcp_port: int,
) -> None:
    settings = make_settings(
        f"postgresql://nobody:secret@127.0.0.1:{unused_tcp_port}/nothing", DB_POOL_MIN="0"
    )
    async with serve_in_loop(create_app(settings)) as client:
        assert (await client.get("/health")).status_code == 200
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["database"] is False
        # Even checking the key needs the database.
        metrics = await client.get("/get-metrics", headers={"X-API-Key": generate_key().key})
        assert metrics.status_code == 503
        assert metrics.json()["detail"] == "Database unavailable"
        assert "secret" not in metrics.text


async def test_metrics_count_each_table_by_age(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    await conn.execute(
        """
        INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, timestamp_created)
        VALUES ('447400100001', 'blacklist', 'manual', now()),
               ('447400100002', 'blacklist', 'manual', now() - interval '3 days'),
               ('447400100003', 'blacklist', 'manual', now() - interval '30 days'),
               ('447400100004', 'whitelist', 'os_version', now() - interval '2 hours'),
               ('447400100005', 'monitor', 'hlr', now() - interval '8 days')
        """
    )
    await conn.execute(
        "INSERT INTO main_database (custom_variable_1, timestamp_created) "
        "VALUES ('447400100006', now() - interval '6 days')"
    )
    await conn.execute(
        """
        INSERT INTO api_voluum_conversions (click_id, conversion_type, processed_at)
        VALUES ('c1', 'REG', now()), ('c2', 'FTD', now() - interval '10 days')
        """
    )
    await conn.execute(
        "INSERT INTO api_hlr_live_numbers (custom_variable_1) VALUES ('447400100007')"
    )

    response = await client.get("/get-metrics")

    assert response.status_code == 200
    assert response.json() == {
        "blacklist": [3, 1, 2],
        "whitelist": [1, 1, 1],
        "monitor": [1, 0, 0],
        "main_database": [1, 0, 1],
        "api_voluum_conversions": [2, 1, 1],
        "api_hlr_live_numbers": [1, 1, 1],
    }


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    mine = await client.get("/health", headers={"X-Request-ID": "trace-123"})
    assert mine.headers["x-request-id"] == "trace-123"
    # A client-sent id that could forge log lines is replaced.
    forged = await client.get("/health", headers={"X-Request-ID": "a\tb c"})
    assert forged.headers["x-request-id"] != "a\tb c"
    assert len(forged.headers["x-request-id"]) == 32


async def test_unknown_route_is_a_json_404_with_request_id(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/no-such-route")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_wrong_method_is_a_json_405(client: httpx.AsyncClient) -> None:
    response = await client.post("/get-metrics")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_openapi_lists_the_system_routes_under_their_tag(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"name": "system", "description": "Liveness, readiness and list metrics."} in schema[
        "tags"
    ]
    assert schema["paths"]["/get-metrics"]["get"]["tags"] == ["system"]
