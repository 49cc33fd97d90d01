"""Phone tokens for links: AES-256-GCM, bit-compatible with the tokens already in Voluum.

token = base64url(nonce ‖ ciphertext ‖ tag) without `=` padding, where the nonce is 12
fresh random bytes per value, the plaintext is the phone's UTF-8 digits, and there is no
associated data. A 12-digit phone gives a 54-character token.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import BadRequestError

NONCE_BYTES = 12
TAG_BYTES = 16


class InvalidTokenError(BadRequestError):
    detail = "Not a valid phone token"


class PhoneCipher:
    """Encrypts and decrypts with one key; safe to share between threads."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("AES-256 needs a 32-byte key")
        self._aead = AESGCM(key)

    def encrypt(self, phone: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, phone.encode("utf-8"), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")

    def decrypt(self, token: str) -> str:
        """The phone inside `token`; InvalidTokenError if it is malformed or tampered with."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            if len(raw) <= NONCE_BYTES + TAG_BYTES:
                raise InvalidTokenError
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
            return plain.decode("utf-8")
        except (binascii.Error, ValueError, InvalidTag, UnicodeError) as exc:
            raise InvalidTokenError from exc

    def encrypt_many(self, phones: Iterable[str]) -> list[str]:
        """The form for files: one token per phone, in order (one call per value: each
        needs its own nonce, so there is no batch primitive to lean on)."""
        encrypt = self.encrypt
        return [encrypt(phone) for phone in phones]

    def decrypt_many(self, tokens: Iterable[str]) -> list[str | None]:
        """One phone per token, in order; None where a token does not decrypt."""
        out: list[str | None] = []
        for token in tokens:
            try:
                out.append(self.decrypt(token))
            except InvalidTokenError:
                out.append(None)
        return out


def looks_like_token(value: str) -> bool:
    """Voluum's custom variables hold either a phone or a token; tokens are long."""
    return len(value) >= 25
