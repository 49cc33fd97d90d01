"""Bodies of the API-key and stream-token routes, and who a request acts as."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.schemas import Input

Scope = Literal["read", "write", "admin"]
# Each scope includes the ones before it.
SCOPE_RANK: dict[str, int] = {"read": 0, "write": 1, "admin": 2}

# \Z, not $: Python's $ also matches before a trailing newline.
KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
KeyName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Letters, digits, '.', '_' and '-', starting with a letter or digit.",
        examples=["frontend"],
    ),
]


class ApiKey(msgspec.Struct, frozen=True):
    id: UUID
    key_id: str
    name: str
    scope: Scope
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreate(Input, frozen=True):
    name: KeyName
    scope: Scope = "read"

    def __post_init__(self) -> None:
        if not KEY_NAME.match(self.name):
            raise ValueError(
                "name: letters, digits, '.', '_' and '-', starting with a letter or digit"
            )


class CreatedApiKey(msgspec.Struct, frozen=True):
    """A new key. `key` is shown this once; only its hash is stored."""

    id: UUID
    name: str
    scope: Scope
    created_at: datetime
    key: str


class ApiKeyList(msgspec.Struct, frozen=True):
    items: list[ApiKey]


class StreamToken(msgspec.Struct, frozen=True):
    """Pass as `?token=` on stream routes (EventSource cannot send headers).

    It travels in URLs, so it only ever reads, whatever the key that asked for it.
    """

    token: str
    scope: Literal["read"]
    expires_at: datetime


class KeyForAuth(msgspec.Struct, frozen=True):
    id: UUID
    key_id: str
    key_hash: bytes
    name: str
    scope: Scope
    revoked_at: datetime | None
    last_used_at: datetime | None


class StreamTokenSecret(msgspec.Struct, frozen=True):
    secret: bytes


class Principal(msgspec.Struct, frozen=True):
    """The key a request acts as: its name goes into audit lines, never the key."""

    key_pk: UUID
    name: str
    scope: Scope
    via: Literal["api_key", "stream_token"]

    def allows(self, needed: Scope) -> bool:
        return SCOPE_RANK[self.scope] >= SCOPE_RANK[needed]
