"""Stream tokens: how a browser's EventSource, which cannot send headers, gets in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar, get
from litestar.datastructures import State

from app.auth.guards import authorize
from app.auth.repository import ApiKeyRepository
from app.auth.schemas import Principal, Scope
from app.auth.service import ApiKeyService
from app.errors import exception_handlers
from app.main import load_queries
from app.settings import Settings
from tests.conftest import SingleConnection, make_runtime, serve_in_loop


@get("/events", opt={"stream": True})
async def events() -> dict[str, bool]:
    return {"streaming": True}


@get("/plain")
async def plain() -> dict[str, bool]:
    return {"plain": True}


@pytest.fixture
async def streams(conn: asyncpg.Connection, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A small app with one stream route, behind the application's own guard."""
    app = Litestar(
        route_handlers=[events, plain],
        guards=[authorize],
        state=State({"runtime": make_runtime(SingleConnection(conn), load_queries(), settings)}),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        logging_config=None,
    )
    async with serve_in_loop(app) as client:
        yield client


async def _token(client: httpx.AsyncClient, key: str) -> dict[str, str]:
    response = await client.post("/auth/stream-token", headers={"X-API-Key": key})
    assert response.status_code == 200
    return response.json()


async def test_a_read_key_gets_a_short_lived_token_with_its_scope(
    anonymous: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    token = await _token(anonymous, keys["read"])
    assert token["token"].startswith("st_")
    assert token["scope"] == "read"
    expires_at = datetime.fromisoformat(token["expires_at"])
    assert timedelta(minutes=4) < expires_at - datetime.now(UTC) <= timedelta(minutes=5)


async def test_the_token_opens_stream_routes_only(
    anonymous: httpx.AsyncClient, streams: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    token = (await _token(anonymous, keys["read"]))["token"]
    assert (await streams.get("/events", params={"token": token})).status_code == 200
    assert (await streams.get("/plain", params={"token": token})).status_code == 401


async def test_a_long_lived_key_is_never_accepted_in_a_url(
    streams: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    response = await streams.get("/events", params={"token": keys["admin"]})
    assert response.status_code == 401
    # In a header it is fine.
    assert (await streams.get("/events", headers={"X-API-Key": keys["admin"]})).status_code == 200


async def test_a_tampered_token_is_refused(
    anonymous: httpx.AsyncClient, streams: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    token = (await _token(anonymous, keys["read"]))["token"]
    payload, mac = token.split(".")
    forged = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{mac}"
    assert (await streams.get("/events", params={"token": forged})).status_code == 401


async def test_an_expired_token_is_refused(
    streams: httpx.AsyncClient, conn: asyncpg.Connection, keys: dict[Scope, str]
) -> None:
    service = ApiKeyService(ApiKeyRepository(conn, load_queries()))
    principal = await service.authenticate(keys["read"])
    assert principal is not None
    old = await service.issue_stream_token(
        principal, timedelta(minutes=5), now=datetime.now(UTC) - timedelta(minutes=6)
    )
    assert (await streams.get("/events", params={"token": old.token})).status_code == 401


async def test_a_token_dies_with_its_key(
    anonymous: httpx.AsyncClient,
    client: httpx.AsyncClient,
    streams: httpx.AsyncClient,
    conn: asyncpg.Connection,
) -> None:
    created = (await client.post("/api-keys", json={"name": "dash", "scope": "read"})).json()
    token = (await _token(anonymous, created["key"]))["token"]
    await client.delete(f"/api-keys/{created['id']}")
    assert (await streams.get("/events", params={"token": token})).status_code == 401


async def test_a_token_only_reads_even_when_an_admin_key_asked(conn: asyncpg.Connection) -> None:
    # It travels in URLs (logs, history, referrers): it must not carry write power.
    service = ApiKeyService(ApiKeyRepository(conn, load_queries()))
    created = await service.create("boss", "admin")
    principal = Principal(key_pk=UUID(str(created.id)), name="boss", scope="admin", via="api_key")
    token = await service.issue_stream_token(principal, timedelta(minutes=1))
    assert token.scope == "read"
    back = await service.authenticate_stream_token(token.token)
    assert back is not None
    assert (back.scope, back.via, back.name) == ("read", "stream_token", "boss")


@pytest.mark.parametrize(
    "token", ["st_abc.\u00e9", "st_..", "st_x", "nonsense", "st_" + "A" * 5000]
)
async def test_malformed_tokens_are_401_not_500(streams: httpx.AsyncClient, token: str) -> None:
    response = await streams.get("/events", params={"token": token})
    assert response.status_code == 401
