"""The token format, checked against an independent implementation of the old one."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.encryption.crypto import InvalidTokenError, PhoneCipher

KEY = bytes(range(32))


def old_service_token(key: bytes, phone: str, nonce: bytes) -> str:
    """How the old service made tokens (§3.7), written out independently."""
    sealed = AESGCM(key).encrypt(nonce, phone.encode(), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def test_round_trip() -> None:
    cipher = PhoneCipher(KEY)
    assert cipher.decrypt(cipher.encrypt("447700900001")) == "447700900001"


def test_the_exact_layout() -> None:
    token = PhoneCipher(KEY).encrypt("447700900001")
    assert len(token) == 54
    assert "=" not in token
    raw = base64.urlsafe_b64decode(token + "==")
    assert len(raw) == 12 + 12 + 16  # nonce, ciphertext of 12 digits, tag
    nonce, sealed = raw[:12], raw[12:]
    assert AESGCM(KEY).decrypt(nonce, sealed, None) == b"447700900001"


def test_equal_inputs_get_distinct_nonces() -> None:
    cipher = PhoneCipher(KEY)
    tokens = {cipher.encrypt("447700900001") for _ in range(200)}
    assert len(tokens) == 200
    nonces = {base64.urlsafe_b64decode(t + "==")[:12] for t in tokens}
    assert len(nonces) == 200


def test_a_token_made_by_the_old_format_decrypts() -> None:
    token = old_service_token(KEY, "447700900001", os.urandom(12))
    assert PhoneCipher(KEY).decrypt(token) == "447700900001"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: ("A" if t[20] != "A" else "B").join((t[:20], t[21:])),  # a flipped char
        lambda t: t[:-1],  # cut short
        lambda t: t + "AAAA",  # lengthened
        lambda t: "not a token at all",
        lambda t: "",
        lambda t: "é" * 60,
    ],
)
def test_a_tampered_or_foreign_token_is_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    token = PhoneCipher(KEY).encrypt("447700900001")
    with pytest.raises(InvalidTokenError):
        PhoneCipher(KEY).decrypt(tamper(token))


def test_another_key_cannot_read_a_token() -> None:
    token = PhoneCipher(KEY).encrypt("447700900001")
    with pytest.raises(InvalidTokenError):
        PhoneCipher(os.urandom(32)).decrypt(token)


def test_many_at_once_keeps_order_and_marks_failures() -> None:
    cipher = PhoneCipher(KEY)
    tokens = cipher.encrypt_many(["447700900001", "447700900002"])
    assert cipher.decrypt_many([tokens[1], "junk", tokens[0]]) == [
        "447700900002",
        None,
        "447700900001",
    ]


# A known answer, fixed key and nonce, computed once with the old format and written out:
# if the layout ever drifts (order, padding, alphabet), this literal stops matching.
KNOWN_NONCE = bytes(range(100, 112))
KNOWN_TOKEN = "ZGVmZ2hpamtsbW5vfC_pUUnZb64OUm_Z0wbHdtv2wctlgqvofv4rqw"


def test_a_known_token_decrypts_to_its_number() -> None:
    assert PhoneCipher(KEY).decrypt(KNOWN_TOKEN) == "447700900001"
