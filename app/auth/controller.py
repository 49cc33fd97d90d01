"""API-key management (admin scope) and stream tokens for browsers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.auth.repository import ApiKeyRepository
from app.auth.schemas import ApiKey, ApiKeyCreate, ApiKeyList, CreatedApiKey, Principal, StreamToken
from app.auth.service import ApiKeyService
from app.runtime import Runtime


def provide_api_key_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> ApiKeyService:
    return ApiKeyService(ApiKeyRepository(db_connection, runtime.queries), runtime.signing_secret)


_service = {"service": Provide(provide_api_key_service, sync_to_thread=False)}


class ApiKeyController(Controller):
    path = "/api-keys"
    tags = ("auth",)
    opt = {"scope": "admin"}  # noqa: RUF012 - Litestar's own attribute
    dependencies = _service

    @post("/", status_code=HTTP_201_CREATED, summary="Create an API key")
    async def create(
        self, data: JSONBody[ApiKeyCreate], service: NamedDependency[ApiKeyService]
    ) -> CreatedApiKey:
        """The new key is in `key`, shown this once; only its hash is kept."""
        return await service.create(data.name, data.scope)

    @get("/", summary="List API keys")
    async def list_keys(self, service: NamedDependency[ApiKeyService]) -> ApiKeyList:
        """Every key, live ones first; never the keys themselves."""
        return ApiKeyList(items=await service.list())

    @delete("/{key_pk:uuid}", status_code=HTTP_200_OK, summary="Revoke an API key")
    async def revoke(
        self, key_pk: FromPath[UUID], service: NamedDependency[ApiKeyService]
    ) -> ApiKey:
        """Revoked keys answer 401 from the next request on; revoking twice is harmless."""
        return await service.revoke(key_pk)


@post(
    "/auth/stream-token",
    tags=["auth"],
    opt={"scope": "read"},
    status_code=HTTP_200_OK,
    dependencies=_service,
    summary="Get a short-lived stream token",
)
async def issue_stream_token(
    request: Request[Principal, Any, Any],
    service: NamedDependency[ApiKeyService],
    runtime: NamedDependency[Runtime],
) -> StreamToken:
    """A token for `?token=` on stream routes, with this key's scope, valid for minutes."""
    ttl = timedelta(seconds=runtime.settings.api.stream_token_ttl_seconds)
    return await service.issue_stream_token(request.user, ttl)
