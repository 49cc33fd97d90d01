"""Short-lived stream tokens: `st_<payload>.<hmac>`, signed with a secret every container shares.

A browser's EventSource cannot send headers, so stream routes accept a token in the URL.
Unlike an API key it expires within minutes and names the key it was made from, which
must still be live when the stream opens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec

from app.auth.schemas import Scope


class _Claims(msgspec.Struct, frozen=True):
    k: UUID  # the api_keys row
    s: Scope
    e: int  # expiry, unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def sign_stream_token(
    secret: bytes, *, key_pk: UUID, scope: Scope, ttl: timedelta, now: datetime | None = None
) -> tuple[str, datetime]:
    expires_at = (now or datetime.now(UTC)) + ttl
    payload = _b64(msgspec.json.encode(_Claims(k=key_pk, s=scope, e=int(expires_at.timestamp()))))
    return f"st_{payload}.{_mac(secret, payload)}", expires_at


def verify_stream_token(
    secret: bytes, token: str, *, now: datetime | None = None
) -> tuple[UUID, Scope] | None:
    """The key and scope a valid, unexpired token carries, else None."""
    if not token.startswith("st_") or token.count(".") != 1:
        return None
    payload, mac = token[3:].split(".")
    if not hmac.compare_digest(_mac(secret, payload), mac):
        return None
    try:
        claims = msgspec.json.decode(_unb64(payload), type=_Claims)
    except (ValueError, msgspec.DecodeError):
        return None
    if claims.e <= (now or datetime.now(UTC)).timestamp():
        return None
    return claims.k, claims.s
