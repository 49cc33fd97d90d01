"""Encryption files through the HTTP API, read back with an independent implementation."""

from __future__ import annotations

import base64
import codecs
import csv
import io

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.jobs.test_progress_and_schedules import parse_sse

KEY = bytes(range(32))
AES_KEY = base64.urlsafe_b64encode(KEY).decode()


@pytest.fixture
def live_env() -> dict[str, str]:
    return {"AES_KEY": AES_KEY}


def independent_decrypt(token: str) -> str:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return AESGCM(KEY).decrypt(raw[:12], raw[12:], None).decode()


async def _run(live: httpx.AsyncClient, data: bytes, **params: str) -> list[list[str]]:
    upload = await live.post("/upload-encrypted", files={"file": ("numbers.csv", data, "text/csv")})
    assert upload.status_code == 200, upload.text
    file_id = upload.json()["id"]
    started = await live.post(f"/{file_id}/process-encrypted", params=params)
    assert started.status_code == 200, started.text
    events = parse_sse(
        (await live.get(f"/jobs/{started.json()['job_id']}/events", timeout=120)).text
    )
    assert events[-1]["event"] == "done", events
    listed = (await live.get("/encrypted-files")).json()["items"]
    assert listed[0]["id"] == file_id
    download = await live.get(f"/{file_id}/download-encrypted")
    assert download.status_code == 200
    assert 'filename="encrypted_numbers.csv"' in download.headers["content-disposition"]
    return list(csv.reader(io.StringIO(download.text)))


async def test_100k_numbers_encrypt_and_every_token_decrypts_independently(
    live: httpx.AsyncClient,
) -> None:
    cleaning = await live.post("/upload", files={"file": ("c.csv", b"447400100001\n", "text/csv")})
    numbers = [f"44770{n:07d}" for n in range(100_000)]
    rows = await _run(live, ("\n".join(numbers) + "\n").encode())
    # The old /encrypted-files listed cleaning uploads; this one does not.
    listed = (await live.get("/encrypted-files")).json()["items"]
    assert cleaning.json()["id"] not in [item["id"] for item in listed]
    assert len(rows) == 100_000
    assert [r[0] for r in rows] == numbers  # order kept, no header added
    assert all(len(r[1]) == 54 for r in rows)
    assert [independent_decrypt(r[1]) for r in rows] == numbers


async def test_bom_header_formats_and_bad_rows(live: httpx.AsyncClient) -> None:
    text = "phone\r\n+44 7400 100001\r\n07400 100002\r\n{{phone}}\r\n"
    rows = await _run(live, codecs.BOM_UTF8 + text.encode())
    assert [r[0] for r in rows] == ["+44 7400 100001", "07400 100002", "{{phone}}"]
    assert independent_decrypt(rows[0][1]) == "447400100001"  # stored in E.164
    assert independent_decrypt(rows[1][1]) == "447400100002"
    assert rows[2][1] == "#error:placeholder"


async def test_decrypt_mode_reads_tokens_back(live: httpx.AsyncClient) -> None:
    rows = await _run(live, b"447400100001\n447400100002\n")
    tokens = "token\n" + "\n".join(r[1] for r in rows) + "\nnot-a-token-but-quite-long-enough\n"
    back = await _run(live, tokens.encode(), mode="decrypt")
    assert [r[1] for r in back] == ["447400100001", "447400100002", "#error:invalid_token"]


async def test_without_a_key_encryption_routes_are_503(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/encrypted-files"),
        ("POST", "/00000000-0000-0000-0000-000000000000/process-encrypted"),
    ):
        response = await client.request(method, path)
        assert response.status_code == 503
        assert response.json()["detail"].startswith("encryption is not configured: set AES_KEY")
