"""Where files live: a local folder, or S3. Both stream; neither holds a file in memory.

Keys are relative paths such as `raw/<uuid>.csv`. Readers that need a real file (polars)
ask for `local_copy`: the file itself on the local backend, a temporary download on S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import anyio

from app.aws import aws_client
from app.errors import NotFoundError
from app.settings import Settings

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
# S3 wants every part of a multipart upload but the last to be at least 5 MiB.
S3_PART_BYTES = 8 * 1024 * 1024
# Path segments of letters, digits, dots, dashes and underscores; a last segment may
# start with a dot (a local half-written `.name.partial`, which an operator may remove).
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*(/\.[A-Za-z0-9._-]+)?")


class StoredObjectMissingError(NotFoundError):
    detail = "Stored file missing"


def check_key(key: str) -> str:
    """Keys are made by the service, never from input; this keeps it that way."""
    if not _KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


class Storage(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the stream under `key`; returns its size. Replaces an existing object."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes, chunk by chunk; StoredObjectMissingError if there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is fine."""
        ...

    async def exists(self, key: str) -> bool: ...

    def local_copy(self, key: str) -> contextlib.AbstractAsyncContextManager[Path]:
        """A local file with the object's bytes, for as long as the context lasts."""
        ...

    async def put_file(self, key: str, path: Path) -> int:
        """Store a local file (a job's result) under `key`; returns its size."""
        ...

    def list(self) -> AsyncIterator[StoredObject]:
        """Every object stored (and, locally, every half-written one), in no order."""
        ...


class LocalStorage:
    """A folder on this machine (UPLOAD_ROOT): the default, and the way to run one container."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: a reader never sees half a file.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        size = 0
        try:
            async with await anyio.open_file(partial, "wb") as file:
                async for chunk in chunks:
                    await file.write(chunk)
                    size += len(chunk)
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return size

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            file = await anyio.open_file(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise StoredObjectMissingError from exc
        async with file:
            while chunk := await file.read(CHUNK_BYTES):
                yield chunk

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    @contextlib.asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise StoredObjectMissingError
        yield path

    async def put_file(self, key: str, path: Path) -> int:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        try:
            await asyncio.to_thread(shutil.copyfile, path, partial)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target.stat().st_size

    async def list(self) -> AsyncIterator[StoredObject]:
        # Walked in a thread: a folder of a million files must not stall the event loop.
        found = await asyncio.to_thread(lambda: [p for p in self.root.rglob("*") if p.is_file()])
        for path in found:
            stat = path.stat()
            yield StoredObject(
                key=path.relative_to(self.root).as_posix(),
                size=stat.st_size,
                modified=datetime.fromtimestamp(stat.st_mtime, UTC),
            )


class S3Storage:
    """A bucket (and prefix) in S3, through one aiobotocore client owned by the lifespan."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        parts = _parts(chunks)
        first = await anext(parts, b"")
        second = await anext(parts, None)
        if second is None:  # small enough for one request
            await self._client.put_object(Bucket=self._bucket, Key=self._key(key), Body=first)
            return len(first)
        target = {"Bucket": self._bucket, "Key": self._key(key)}
        upload_id = (await self._client.create_multipart_upload(**target))["UploadId"]
        try:
            done: list[dict[str, Any]] = []
            size = 0
            async for part in _chain([first, second], parts):
                number = len(done) + 1
                answer = await self._client.upload_part(
                    **target, UploadId=upload_id, PartNumber=number, Body=part
                )
                done.append({"PartNumber": number, "ETag": answer["ETag"]})
                size += len(part)
            await self._client.complete_multipart_upload(
                **target, UploadId=upload_id, MultipartUpload={"Parts": done}
            )
        except BaseException:
            # Abandoned parts are billed until aborted.
            with contextlib.suppress(Exception):
                await self._client.abort_multipart_upload(**target, UploadId=upload_id)
            raise
        return size

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            answer = await self._client.get_object(Bucket=self._bucket, Key=self._key(key))
        except self._client.exceptions.NoSuchKey as exc:
            raise StoredObjectMissingError from exc
        async with answer["Body"] as body:
            while chunk := await body.read(CHUNK_BYTES):
                yield chunk

    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self._bucket, Key=self._key(key))

    async def exists(self, key: str) -> bool:
        try:
            await self._client.head_object(Bucket=self._bucket, Key=self._key(key))
        except self._client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    @contextlib.asynccontextmanager
    async def local_copy(self, key: str) -> AsyncIterator[Path]:
        fd, name = tempfile.mkstemp(prefix="optimizer-", suffix=".csv")
        os.close(fd)
        path = Path(name)
        try:
            async with await anyio.open_file(path, "wb") as file:
                async for chunk in self.open(key):
                    await file.write(chunk)
            yield path
        finally:
            await anyio.Path(path).unlink(missing_ok=True)

    async def list(self) -> AsyncIterator[StoredObject]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._prefix
        )
        async for page in pages:
            for item in page.get("Contents", []):
                yield StoredObject(
                    key=item["Key"].removeprefix(self._prefix),
                    size=item["Size"],
                    modified=item["LastModified"],
                )

    async def put_file(self, key: str, path: Path) -> int:
        async def chunks() -> AsyncIterator[bytes]:
            async with await anyio.open_file(path, "rb") as file:
                while chunk := await file.read(CHUNK_BYTES):
                    yield chunk

        return await self.put(key, chunks())


async def _parts(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """Regroups a stream into parts of S3_PART_BYTES (the last may be smaller)."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= S3_PART_BYTES:
            yield bytes(buffer[:S3_PART_BYTES])
            del buffer[:S3_PART_BYTES]
    if buffer:
        yield bytes(buffer)


async def _chain(head: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for part in head:
        yield part
    async for part in rest:
        yield part


@contextlib.asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[Storage]:
    """The configured backend, with its client open for as long as the context lasts."""
    config = settings.storage
    if not config.s3_bucket:
        yield LocalStorage(config.upload_root)
        return
    async with aws_client("s3", settings.aws, endpoint_url=config.s3_endpoint_url) as client:
        log.info("storage_s3", extra={"bucket": config.s3_bucket, "prefix": config.s3_prefix})
        yield S3Storage(client, config.s3_bucket, config.s3_prefix)
