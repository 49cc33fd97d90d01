"""API keys: create, list, revoke, and turn a presented credential into a Principal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from app.auth.keys import generate_key, key_id_of, key_matches
from app.auth.repository import ApiKeyRepository
from app.auth.schemas import ApiKey, CreatedApiKey, Principal, Scope, StreamToken
from app.auth.tokens import SigningSecret, sign_stream_token, verify_stream_token
from app.errors import NotFoundError

FIRST_KEY_NAME = "admin"
# A key's last_used_at is kept to the minute: recording every request's use would be an
# UPDATE per read request, a write hot spot on the key a busy frontend uses.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyNotFoundError(NotFoundError):
    detail = "API key not found"


def _created(key: ApiKey, secret: str) -> CreatedApiKey:
    return CreatedApiKey(
        id=key.id, name=key.name, scope=key.scope, created_at=key.created_at, key=secret
    )


class ApiKeyService:
    def __init__(
        self, repository: ApiKeyRepository, signing_secret: SigningSecret | None = None
    ) -> None:
        self._repository = repository
        self._signing_secret = signing_secret or SigningSecret()

    async def create(self, name: str, scope: Scope) -> CreatedApiKey:
        material = generate_key()
        key = await self._repository.insert(
            key_id=material.key_id, key_hash=material.key_hash, name=name, scope=scope
        )
        return _created(key, material.key)

    async def create_first(self) -> CreatedApiKey | None:
        """An admin key for an installation that has no key at all, else None."""
        material = generate_key()
        key = await self._repository.insert_first(
            key_id=material.key_id, key_hash=material.key_hash, name=FIRST_KEY_NAME, scope="admin"
        )
        return None if key is None else _created(key, material.key)

    async def list(self) -> list[ApiKey]:
        return await self._repository.list()

    async def revoke(self, key_pk: UUID) -> ApiKey:
        revoked = await self._repository.revoke(key_pk)
        if revoked is not None:
            return revoked
        existing = await self._repository.get(key_pk)
        if existing is None:
            raise ApiKeyNotFoundError
        return existing  # already revoked: revoking is idempotent

    async def revoke_by_name(self, name: str) -> ApiKey:
        revoked = await self._repository.revoke_by_name(name)
        if revoked is None:
            raise ApiKeyNotFoundError(f"No live API key is named {name!r}")
        return revoked

    async def authenticate(self, presented: str) -> Principal | None:
        """The live key behind `presented`, else None; records its use (to the minute)."""
        key_id = key_id_of(presented)
        row = await self._repository.for_auth(key_id) if key_id else None
        if not key_matches(presented, row.key_hash if row else None):
            return None
        assert row is not None
        if row.revoked_at is not None:
            return None
        if row.last_used_at is None or datetime.now(UTC) - row.last_used_at >= TOUCH_EVERY:
            await self._repository.touch(row.id)
        return Principal(key_pk=row.id, name=row.name, scope=row.scope, via="api_key")

    async def issue_stream_token(
        self, principal: Principal, ttl: timedelta, now: datetime | None = None
    ) -> StreamToken:
        secret = await self._signing_secret.get(self._repository.stream_token_secret)
        token, expires_at = sign_stream_token(secret, key_pk=principal.key_pk, ttl=ttl, now=now)
        return StreamToken(token=token, scope="read", expires_at=expires_at)

    async def authenticate_stream_token(self, token: str) -> Principal | None:
        """The (read-only) principal of a valid token whose key is still live, else None."""
        secret = await self._signing_secret.get(self._repository.stream_token_secret)
        key_pk = verify_stream_token(secret, token)
        if key_pk is None:
            return None
        key = await self._repository.get(key_pk)
        if key is None or key.revoked_at is not None:
            return None
        return Principal(key_pk=key.id, name=key.name, scope="read", via="stream_token")
