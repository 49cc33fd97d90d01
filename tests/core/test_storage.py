"""One behaviour, two backends: the local folder and S3 (a moto server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.settings import load_settings
from app.storage import S3_PART_BYTES, Storage, StoredObjectMissingError, open_storage


@pytest.fixture(params=["local", "s3"])
async def storage(
    request: pytest.FixtureRequest, tmp_path: Path, moto_endpoint: str
) -> AsyncIterator[Storage]:
    if request.param == "local":
        env = {"UPLOAD_ROOT": str(tmp_path)}
    else:
        bucket = f"optimizer-{uuid.uuid4().hex[:12]}"
        env = {
            "S3_BUCKET": bucket,
            "S3_PREFIX": "tenant-a",
            "AWS_ENDPOINT_URL_S3": moto_endpoint,
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
    async with open_storage(load_settings(env)) as opened:
        if request.param == "s3":
            await opened._client.create_bucket(  # type: ignore[attr-defined]
                Bucket=env["S3_BUCKET"],
                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
            )
        yield opened


async def _stream(data: bytes, chunk: int = 300_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


async def _read(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])


async def test_a_small_file_round_trips(storage: Storage) -> None:
    data = b"phone\n447400100001\n"
    assert await storage.put("raw/a.csv", _stream(data)) == len(data)
    assert await storage.exists("raw/a.csv")
    assert await _read(storage, "raw/a.csv") == data


async def test_a_file_larger_than_one_part_round_trips(storage: Storage) -> None:
    data = os.urandom(S3_PART_BYTES * 2 + 12_345)  # three multipart parts on S3
    assert await storage.put("raw/big.csv", _stream(data)) == len(data)
    assert await _read(storage, "raw/big.csv") == data


async def test_an_empty_file_round_trips(storage: Storage) -> None:
    assert await storage.put("raw/empty.csv", _stream(b"")) == 0
    assert await _read(storage, "raw/empty.csv") == b""


async def test_put_replaces_and_delete_removes(storage: Storage) -> None:
    await storage.put("raw/x.csv", _stream(b"old"))
    await storage.put("raw/x.csv", _stream(b"new"))
    assert await _read(storage, "raw/x.csv") == b"new"
    await storage.delete("raw/x.csv")
    assert not await storage.exists("raw/x.csv")
    await storage.delete("raw/x.csv")  # deleting twice is fine


async def test_a_missing_object_is_a_clear_error(storage: Storage) -> None:
    assert not await storage.exists("raw/none.csv")
    with pytest.raises(StoredObjectMissingError):
        await _read(storage, "raw/none.csv")
    with pytest.raises(StoredObjectMissingError):
        async with storage.local_copy("raw/none.csv"):
            pass


async def test_local_copies_and_files_for_polars(storage: Storage, tmp_path: Path) -> None:
    await storage.put("raw/in.csv", _stream(b"447400100001\n"))
    async with storage.local_copy("raw/in.csv") as path:
        assert path.read_bytes() == b"447400100001\n"
    result = tmp_path / "result.csv"
    result.write_bytes(b"clean\n")
    assert await storage.put_file("processed/out.csv", result) == 6
    assert await _read(storage, "processed/out.csv") == b"clean\n"


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "raw/../x", "", "raw//x"])
async def test_keys_cannot_escape(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.exists(key)
