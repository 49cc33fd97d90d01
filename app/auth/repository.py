"""SQL of API keys and the stream-token secret."""

from __future__ import annotations

from types import MappingProxyType
from uuid import UUID

from app.auth.schemas import ApiKey, KeyForAuth, Scope, StreamTokenSecret
from app.db import Repository
from app.errors import ConflictError


class ApiKeyNameTakenError(ConflictError):
    detail = "A live API key already has this name"


class ApiKeyRepository(Repository):
    domain = "auth"
    queries = (
        "insert_api_key",
        "insert_first_api_key",
        "get_api_key",
        "get_api_key_for_auth",
        "touch_api_key",
        "list_api_keys",
        "revoke_api_key",
        "revoke_api_key_by_name",
        "create_stream_token_secret",
        "get_stream_token_secret",
    )
    constraint_errors = MappingProxyType({"api_keys_live_name_idx": ApiKeyNameTakenError})

    async def insert(self, *, key_id: str, key_hash: bytes, name: str, scope: Scope) -> ApiKey:
        key = await self._fetch_one(
            "insert_api_key", ApiKey, key_id=key_id, key_hash=key_hash, name=name, scope=scope
        )
        assert key is not None
        return key

    async def insert_first(
        self, *, key_id: str, key_hash: bytes, name: str, scope: Scope
    ) -> ApiKey | None:
        return await self._fetch_one(
            "insert_first_api_key",
            ApiKey,
            key_id=key_id,
            key_hash=key_hash,
            name=name,
            scope=scope,
        )

    async def get(self, key_pk: UUID) -> ApiKey | None:
        return await self._fetch_one("get_api_key", ApiKey, id=key_pk)

    async def for_auth(self, key_id: str) -> KeyForAuth | None:
        return await self._fetch_one("get_api_key_for_auth", KeyForAuth, key_id=key_id)

    async def touch(self, key_pk: UUID) -> None:
        await self._execute("touch_api_key", id=key_pk)

    async def list(self) -> list[ApiKey]:
        return await self._fetch_all("list_api_keys", ApiKey)

    async def revoke(self, key_pk: UUID) -> ApiKey | None:
        return await self._fetch_one("revoke_api_key", ApiKey, id=key_pk)

    async def revoke_by_name(self, name: str) -> ApiKey | None:
        return await self._fetch_one("revoke_api_key_by_name", ApiKey, name=name)

    async def stream_token_secret(self, candidate: bytes) -> bytes:
        """The stored secret; `candidate` becomes it if there is none yet."""
        await self._execute("create_stream_token_secret", candidate=candidate)
        row = await self._fetch_one("get_stream_token_secret", StreamTokenSecret)
        assert row is not None  # created just above, or earlier by another container
        return row.secret
