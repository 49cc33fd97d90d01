"""CORS, body limits, security headers and the docs' visibility."""

from __future__ import annotations

import asyncpg
import httpx

from app.auth.schemas import Scope
from app.main import create_app
from tests.conftest import SingleConnection, make_settings, serve_in_loop

ORIGIN = "https://app.example.com"


async def test_no_cors_headers_unless_origins_are_configured(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers


async def test_configured_origins_get_cors_and_others_do_not(
    database_url: str, conn: asyncpg.Connection
) -> None:
    settings = make_settings(database_url, CORS_ORIGINS=f"{ORIGIN}, https://admin.example.com")
    async with serve_in_loop(create_app(settings, connections=SingleConnection(conn))) as client:
        preflight = await client.options(
            "/get-metrics",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        other = await client.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


async def test_security_headers_on_every_response(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    for response in (
        await client.get("/get-metrics"),
        await anonymous.get("/get-metrics"),
        await anonymous.get("/no-such-route"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_a_json_body_over_the_limit_is_413_before_it_is_read(
    database_url: str, conn: asyncpg.Connection, keys: dict[Scope, str]
) -> None:
    settings = make_settings(database_url, MAX_JSON_BYTES="1024")
    app = create_app(settings, connections=SingleConnection(conn))
    async with serve_in_loop(app) as client:
        response = await client.post(
            "/api-keys",
            json={"name": "big", "padding": "x" * 2000},
            headers={"X-API-Key": keys["admin"]},
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert await conn.fetchval("SELECT count(*) FROM api_keys WHERE name = 'big'") == 0


async def test_an_upload_over_the_limit_is_413_before_it_is_read(
    database_url: str, conn: asyncpg.Connection, keys: dict[Scope, str]
) -> None:
    settings = make_settings(database_url, MAX_UPLOAD_BYTES="4096")
    app = create_app(settings, connections=SingleConnection(conn))
    async with serve_in_loop(app) as client:
        response = await client.post(
            "/api-keys",
            files={"file": ("big.csv", b"phone\n" + b"447400100001\n" * 400, "text/csv")},
            headers={"X-API-Key": keys["admin"]},
        )
    assert response.status_code == 413
    assert "upload is larger than the limit of 4096 bytes" in response.json()["detail"]


async def test_the_docs_are_protected_unless_made_public(
    database_url: str, conn: asyncpg.Connection, anonymous: httpx.AsyncClient
) -> None:
    assert (await anonymous.get("/schema/openapi.json")).status_code == 401
    settings = make_settings(database_url, DOCS_PUBLIC="true")
    async with serve_in_loop(create_app(settings, connections=SingleConnection(conn))) as client:
        schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    schemes = document["components"]["securitySchemes"]
    # The stream routes' `?token=` is documented as a scheme of its own since issue 10.
    assert set(schemes) == {"ApiKey", "Bearer", "StreamToken"}
    assert schemes["ApiKey"]["name"] == "X-API-Key"
    assert (schemes["StreamToken"]["in"], schemes["StreamToken"]["name"]) == ("query", "token")


async def _chunks(body: bytes, size: int = 256):  # type: ignore[no-untyped-def]
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_chunked_body_is_cut_off_at_the_limit(
    database_url: str, conn: asyncpg.Connection, keys: dict[Scope, str]
) -> None:
    settings = make_settings(database_url, MAX_JSON_BYTES="1024")
    app = create_app(settings, connections=SingleConnection(conn))
    body = b'{"name": "chunked", "scope": "read", "pad": "' + b"x" * 4000 + b'"}'
    async with serve_in_loop(app) as client:
        response = await client.post(
            "/api-keys",
            content=_chunks(body),  # no Content-Length: it has to be counted
            headers={"X-API-Key": keys["admin"], "Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert await conn.fetchval("SELECT count(*) FROM api_keys WHERE name = 'chunked'") == 0


async def test_claiming_multipart_does_not_buy_a_json_route_the_upload_limit(
    database_url: str, conn: asyncpg.Connection, keys: dict[Scope, str]
) -> None:
    settings = make_settings(database_url, MAX_JSON_BYTES="1024")
    app = create_app(settings, connections=SingleConnection(conn))
    async with serve_in_loop(app) as client:
        response = await client.post(
            "/api-keys",
            content=b'{"name": "sneaky", "pad": "' + b"x" * 2000 + b'"}',
            headers={"X-API-Key": keys["admin"], "Content-Type": "multipart/form-data; b=x"},
        )
    assert response.status_code == 415
    assert response.json()["detail"] == "This route takes application/json"
