"""Short-lived stream tokens: `st_<payload>.<hmac>`, signed with a secret every container shares.

A browser's EventSource cannot send headers, so stream routes accept a token in the URL.
Unlike an API key it expires within minutes and names the key it was made from, which
must still be live when the stream opens.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec


class _Claims(msgspec.Struct, frozen=True):
    k: UUID  # the api_keys row
    e: int  # expiry, unix seconds


class SigningSecret:
    """The shared secret, read from the database once per process and kept."""

    def __init__(self) -> None:
        self._secret: bytes | None = None
        self._lock = asyncio.Lock()

    async def get(self, load: Callable[[bytes], Awaitable[bytes]]) -> bytes:
        """`load(candidate)` stores the candidate if no secret exists, and returns the secret."""
        if self._secret is None:
            async with self._lock:
                if self._secret is None:
                    self._secret = await load(secrets.token_bytes(32))
        return self._secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> bytes:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest()).encode()


def sign_stream_token(
    secret: bytes, *, key_pk: UUID, ttl: timedelta, now: datetime | None = None
) -> tuple[str, datetime]:
    expires_at = (now or datetime.now(UTC)) + ttl
    payload = _b64(msgspec.json.encode(_Claims(k=key_pk, e=int(expires_at.timestamp()))))
    return f"st_{payload}.{_mac(secret, payload).decode()}", expires_at


def verify_stream_token(secret: bytes, token: str, *, now: datetime | None = None) -> UUID | None:
    """The key a valid, unexpired token was made from, else None. Tokens only read."""
    if not token.startswith("st_") or token.count(".") != 1:
        return None
    payload, mac = token[3:].split(".")
    # Bytes, not str: compare_digest refuses non-ASCII text, and a URL can carry any.
    if not hmac.compare_digest(_mac(secret, payload), mac.encode()):
        return None
    try:
        claims = msgspec.json.decode(_unb64(payload), type=_Claims)
    except (ValueError, msgspec.DecodeError):
        return None
    if claims.e <= (now or datetime.now(UTC)).timestamp():
        return None
    return claims.k
