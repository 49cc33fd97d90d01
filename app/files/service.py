"""The one file lifecycle: upload, list, download, archive, delete, and the processing states.

uploaded -> processing -> processed | failed, and archived from any state. Processing
starts in the same transaction that queues the job doing it, so a file is never
'processing' without a job, nor a job queued for a file that did not change state.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from app.errors import BadRequestError, ConflictError, NotFoundError
from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.sniff import SNIFF_BYTES, LineCounter, sniff, to_utf8
from app.jobs.repository import JobRepository
from app.storage import Storage


class FileNotFoundError_(NotFoundError):
    detail = "File not found"


class FileNotProcessedError(BadRequestError):
    detail = "File not processed yet"


class ProcessedFileMissingError(NotFoundError):
    detail = "Processed file missing on disk"


class IllegalTransitionError(ConflictError):
    pass


async def _head_and_rest(chunks: AsyncIterator[bytes]) -> tuple[bytes, AsyncIterator[bytes]]:
    """The first SNIFF_BYTES (or the whole file, if smaller), and the stream after them."""
    head = bytearray()
    async for chunk in chunks:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break

    async def everything() -> AsyncIterator[bytes]:
        yield bytes(head)
        async for chunk in chunks:
            yield chunk

    return bytes(head), everything()


class FileService:
    def __init__(self, repository: FileRepository, storage: Storage) -> None:
        self._repository = repository
        self._storage = storage

    async def upload(self, kind: str, filename: str, chunks: AsyncIterator[bytes]) -> FileRecord:
        """Sniff, store as UTF-8, then record. A refused file leaves nothing behind."""
        head, stream = await _head_and_rest(chunks)
        sniffed = sniff(head)
        file_id = uuid.uuid4()
        key = f"raw/{kind}/{file_id}.csv"
        counter = LineCounter()

        async def counted() -> AsyncIterator[bytes]:
            async for chunk in to_utf8(stream, sniffed.encoding):
                yield counter.feed(chunk)

        size = await self._storage.put(key, counted())
        try:
            return await self._repository.insert(
                id=file_id,
                kind=kind,
                original_filename=filename,
                raw_key=key,
                size_bytes=size,
                record_count_total=counter.total(),
                encoding=sniffed.encoding,
                delimiter=sniffed.delimiter,
            )
        except BaseException:
            await self._storage.delete(key)
            raise

    async def list(self, kind: str, statuses: list[str]) -> list[FileRecord]:
        return await self._repository.list(kind, statuses)

    async def get(self, kind: str, file_id: UUID) -> FileRecord:
        record = await self._repository.get(kind, file_id)
        if record is None:
            raise FileNotFoundError_
        return record

    async def download(self, kind: str, file_id: UUID) -> tuple[FileRecord, AsyncIterator[bytes]]:
        """The processed result, as a stream; checked to exist before the answer starts."""
        record = await self.get(kind, file_id)
        if record.status != "processed" or record.result_key is None:
            raise FileNotProcessedError
        if not await self._storage.exists(record.result_key):
            raise ProcessedFileMissingError
        return record, self._storage.open(record.result_key)

    async def archive(self, kind: str, file_id: UUID) -> FileRecord:
        record = await self._repository.archive(kind, file_id)
        if record is None:
            raise FileNotFoundError_
        return record

    async def delete(self, kind: str, file_id: UUID) -> None:
        """The row and the stored objects (the old service left the objects behind)."""
        keys = await self._repository.delete(kind, file_id)
        if keys is None:
            raise FileNotFoundError_
        for key in (keys.raw_key, keys.result_key):
            if key:
                await self._storage.delete(key)

    async def start_processing(
        self,
        kind: str,
        file_id: UUID,
        *,
        job_kind: str,
        options: dict[str, Any],
        from_statuses: tuple[str, ...] = ("uploaded", "failed"),
        max_attempts: int = 3,
    ) -> FileRecord:
        """-> processing, and the job that does it, in one transaction."""
        conn = self._repository.conn
        async with conn.transaction():
            current = await self.get(kind, file_id)
            job = await JobRepository(conn, self._repository.sql).enqueue(
                job_kind, {"file_id": str(file_id), **options}, max_attempts=max_attempts
            )
            record = await self._repository.start_processing(
                kind, file_id, job_id=job.id, options=options, from_statuses=list(from_statuses)
            )
            if record is None:
                # Rolls back the job too.
                raise IllegalTransitionError(
                    f"File is {current.status}; it can be processed when "
                    f"{' or '.join(from_statuses)}"
                )
        return record

    async def finish_processing(
        self, file_id: UUID, *, result_key: str, total: int, clean: int
    ) -> FileRecord:
        record = await self._repository.finish_processing(
            file_id, result_key=result_key, total=total, clean=clean
        )
        if record is None:
            raise IllegalTransitionError("File is no longer processing")
        return record

    async def fail_processing(self, file_id: UUID, error: str) -> None:
        await self._repository.fail_processing(file_id, error)
