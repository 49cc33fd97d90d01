"""The one file lifecycle: upload, list, download, archive, delete, and the processing states.

uploaded -> processing -> processed | failed, and archived from any state. Processing
starts in the same transaction that queues the job doing it, so a file is never
'processing' without a job, nor a job queued for a file that did not change state; a
job's final failure fails its file (`fail_file`, the file jobs' failure hook).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, NoReturn
from uuid import UUID

from app.errors import BadRequestError, ConflictError, NotFoundError
from app.files.repository import FileRepository
from app.files.schemas import FileItem, FileRecord
from app.files.sniff import SNIFF_BYTES, LineCounter, LineEndings, sniff, to_utf8
from app.jobs.kinds import JobFailedError
from app.jobs.repository import JobRepository
from app.storage import Storage, StoredObjectMissingError

# Not the parser's message: it quotes rows of the file, phone numbers included.
UNREADABLE_CSV = "The file could not be read as CSV (check its quoting and delimiter)"


MAX_NAME = 200
_NO_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})  # controls, surrogates, private, unassigned
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class FileMissingError(NotFoundError):
    detail = "File not found"


class FileNotProcessedError(BadRequestError):
    detail = "File not processed yet"


class HlrRunningError(ConflictError):
    detail = "HLR is running on this file: archive or delete it once the run has finished"


class ProcessedFileMissingError(NotFoundError):
    detail = "Processed file missing on disk"


class IllegalTransitionError(ConflictError):
    pass


class FileChangedError(JobFailedError):
    """The file was archived, deleted or taken over while its job ran: nothing to retry."""


@dataclass(frozen=True, slots=True)
class StoredUpload:
    id: UUID
    kind: str
    filename: str
    key: str
    size: int
    lines: int
    encoding: str
    delimiter: str


def display_name(filename: str, fallback: str = "upload.csv") -> str:
    """The name a file is listed and downloaded under: the client's own, recognizable, but
    without a path, without characters that are no text (NUL, which PostgreSQL refuses;
    other controls; lone surrogates; the bidi overrides that make `gpj.exe` read
    `exe.jpg`), and no longer than MAX_NAME characters (the extension kept)."""
    name = re.split(r"[/\\]", filename)[-1]
    name = "".join(" " if c.isspace() else c for c in name)  # tabs, newlines: spaces
    name = "".join(c for c in name if c not in _BIDI and unicodedata.category(c) not in _NO_TEXT)
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and stem and len(extension) <= 10 else ""
        name = name[: MAX_NAME - len(keep) - (1 if keep else 0)].rstrip() + (
            f".{keep}" if keep else ""
        )
    return name or fallback


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


async def store_upload(
    storage: Storage, kind: str, filename: str, chunks: AsyncIterator[bytes]
) -> StoredUpload:
    """Sniff and store as UTF-8, holding no database connection while the bytes arrive.

    A refused file (not text, mixed encodings) leaves nothing behind.
    """
    head, stream = await _head_and_rest(chunks)
    sniffed = sniff(head[:SNIFF_BYTES])
    file_id = uuid.uuid4()
    key = f"raw/{kind}/{file_id}.csv"
    endings, counter = LineEndings(), LineCounter()

    async def counted() -> AsyncIterator[bytes]:
        async for chunk in to_utf8(stream, sniffed.encoding):
            yield counter.feed(endings.feed(chunk))
        if tail := endings.flush():
            yield counter.feed(tail)

    try:
        size = await storage.put(key, counted())
    except BaseException:
        await storage.delete(key)
        raise
    return StoredUpload(
        id=file_id,
        kind=kind,
        filename=display_name(filename),
        key=key,
        size=size,
        lines=counter.total(),
        encoding=sniffed.encoding,
        delimiter=sniffed.delimiter,
    )


async def open_stored(
    storage: Storage, key: str, missing: type[NotFoundError]
) -> AsyncIterator[bytes]:
    """A stored object as a stream whose first chunk is already read: a missing object
    is `missing` (a 404) before the answer starts, not a broken download."""
    stream = storage.open(key)
    try:
        first = await anext(stream, b"")
    except StoredObjectMissingError as exc:
        raise missing from exc

    async def whole() -> AsyncIterator[bytes]:
        yield first
        async for chunk in stream:
            yield chunk

    return whole()


class FileService:
    def __init__(self, repository: FileRepository, storage: Storage) -> None:
        self._repository = repository
        self._storage = storage

    async def record_upload(self, stored: StoredUpload) -> FileRecord:
        """The row of a stored upload; if it cannot be written, the object goes too."""
        try:
            return await self._repository.insert(
                id=stored.id,
                kind=stored.kind,
                original_filename=stored.filename,
                raw_key=stored.key,
                size_bytes=stored.size,
                record_count_total=stored.lines,
                encoding=stored.encoding,
                delimiter=stored.delimiter,
            )
        except BaseException:
            await self._storage.delete(stored.key)
            raise

    async def create(self, kind: str, filename: str, file_id: UUID) -> FileRecord:
        """A file the service makes itself (an export): no upload, 'uploaded' until its
        job starts."""
        return await self._repository.insert(
            id=file_id,
            kind=kind,
            original_filename=filename,
            raw_key=None,
            size_bytes=None,
            record_count_total=None,
            encoding=None,
            delimiter=None,
        )

    async def list(self, kind: str, statuses: list[str], *, limit: int) -> list[FileItem]:
        """The newest `limit` files of a kind, in those statuses (any when empty)."""
        return await self._repository.list(kind, statuses, limit=limit)

    async def get(self, kind: str, file_id: UUID) -> FileRecord:
        record = await self._repository.get(kind, file_id)
        if record is None:
            raise FileMissingError
        return record

    async def download(
        self, kind: str, file_id: UUID, *, result_key: str | None = None
    ) -> tuple[FileRecord, AsyncIterator[bytes]]:
        """The result (or another object of the result, `result_key`), as a stream
        (`open_stored`)."""
        record = await self.get(kind, file_id)
        if record.result_key is None or record.status not in ("processed", "archived"):
            raise FileNotProcessedError
        key = result_key or record.result_key
        return record, await open_stored(self._storage, key, ProcessedFileMissingError)

    async def archive(self, kind: str, file_id: UUID) -> FileRecord:
        record = await self._repository.archive(kind, file_id)
        if record is None:
            await self._refusal(kind, file_id)
        return record

    async def delete(self, kind: str, file_id: UUID) -> None:
        """The row and the stored objects (the old service left the objects behind)."""
        keys = await self._repository.delete(kind, file_id)
        if keys is None:
            await self._refusal(kind, file_id)
        for key in (keys.raw_key, keys.result_key, *keys.extra_keys):
            if key:
                await self._storage.delete(key)

    async def _refusal(self, kind: str, file_id: UUID) -> NoReturn:
        """Why a file was not archived or deleted: unknown, or an HLR batch running."""
        await self.get(kind, file_id)  # FileMissingError when there is no such file
        raise HlrRunningError

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
        async with self._repository.transaction():
            job = await JobRepository(self._repository.conn, self._repository.sql).enqueue(
                job_kind, {"file_id": str(file_id), **options}, max_attempts=max_attempts
            )
            record = await self._repository.start_processing(
                kind, file_id, job_id=job.id, options=options, from_statuses=list(from_statuses)
            )
            if record is None:  # raising rolls the job back too
                current = await self.get(kind, file_id)
                raise IllegalTransitionError(
                    f"File is {current.status}; it can be processed when "
                    f"{' or '.join(from_statuses)}"
                )
        return record

    async def finish_processing(
        self,
        file_id: UUID,
        *,
        job_id: UUID,
        owner: str,
        result_key: str,
        total: int,
        clean: int,
        extra_keys: tuple[str, ...] = (),
    ) -> FileRecord:
        """processing -> processed, by the job holding the file and its lease only.
        `extra_keys`: other objects of the result, deleted with the file."""
        record = await self._repository.finish_processing(
            file_id,
            job_id=job_id,
            owner=owner,
            result_key=result_key,
            total=total,
            clean=clean,
            extra_keys=list(extra_keys),
        )
        if record is None:
            raise FileChangedError("The file was archived, deleted or taken over meanwhile")
        return record
