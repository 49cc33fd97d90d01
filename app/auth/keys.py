"""API-key material: `opt_<key_id>_<secret>`, of which only a SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

_KEY = re.compile(r"^opt_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$")
# Compared against when a key id is unknown, so both paths cost the same.
_NO_HASH = bytes(32)


@dataclass(frozen=True, slots=True)
class NewKey:
    key: str = field(repr=False)
    key_id: str
    key_hash: bytes = field(repr=False)


def generate_key() -> NewKey:
    """256 random bits behind a public id that finds the row without a scan."""
    key_id = secrets.token_hex(8)
    key = f"opt_{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, key_id=key_id, key_hash=hash_key(key))


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def key_id_of(presented: str) -> str | None:
    """The public id of a well-formed key, else None."""
    match = _KEY.match(presented)
    return match.group(1) if match else None


def key_matches(presented: str, stored_hash: bytes | None) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(presented), stored_hash or _NO_HASH) and (
        stored_hash is not None
    )
