"""SQL of the one file lifecycle every kind shares."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar
from uuid import UUID

from app.db import Repository
from app.errors import AppError, ConflictError
from app.files.schemas import FileItem, FileRecord, StoredKeys


class AnotherFileProcessingError(ConflictError):
    """Kinds that process one file at a time (files_one_processing_idx) refuse a second."""

    detail = "Another file is already processing"


class FileRepository(Repository):
    domain = "files"
    queries = (
        "insert_file",
        "get_file",
        "list_files",
        "start_file_processing",
        "finish_file_processing",
        "fail_file_processing",
        "mark_file_processed",
        "archive_file",
        "delete_file",
        "list_stored_keys",
    )
    constraint_errors: ClassVar[Mapping[str, Callable[[], AppError]]] = {
        "files_one_processing_idx": AnotherFileProcessingError
    }

    async def insert(self, **values: Any) -> FileRecord:
        record = await self._fetch_one("insert_file", FileRecord, **values)
        assert record is not None
        return record

    async def get(self, kind: str, file_id: UUID) -> FileRecord | None:
        return await self._fetch_one("get_file", FileRecord, id=file_id, kind=kind)

    async def list(
        self, kind: str, statuses: Sequence[str], *, limit: int
    ) -> builtins.list[FileItem]:
        return await self._fetch_all(
            "list_files", FileItem, kind=kind, statuses=statuses, limit=limit
        )

    async def start_processing(
        self,
        kind: str,
        file_id: UUID,
        *,
        job_id: UUID,
        options: dict[str, Any],
        from_statuses: Sequence[str],
    ) -> FileRecord | None:
        return await self._fetch_one(
            "start_file_processing",
            FileRecord,
            id=file_id,
            kind=kind,
            job_id=job_id,
            options=options,
            from_statuses=from_statuses,
        )

    async def finish_processing(
        self,
        file_id: UUID,
        *,
        job_id: UUID,
        owner: str,
        result_key: str,
        total: int,
        clean: int,
        extra_keys: Sequence[str],
    ) -> FileRecord | None:
        return await self._fetch_one(
            "finish_file_processing",
            FileRecord,
            id=file_id,
            job_id=job_id,
            owner=owner,
            result_key=result_key,
            record_count_total=total,
            record_count_clean=clean,
            extra_keys=extra_keys,
        )

    async def fail_processing(self, *, job_id: UUID, error: str) -> bool:
        """The file `job_id` was processing fails with `error`; False if none was."""
        failed = await self._fetch_value("fail_file_processing", job_id=job_id, error=error)
        return failed is not None

    async def mark_processed(
        self, file_id: UUID, *, result_key: str, total: int, clean: int
    ) -> FileRecord:
        record = await self._fetch_one(
            "mark_file_processed",
            FileRecord,
            id=file_id,
            result_key=result_key,
            record_count_total=total,
            record_count_clean=clean,
        )
        assert record is not None  # inserted as 'uploaded' in the same transaction
        return record

    async def archive(self, kind: str, file_id: UUID) -> FileRecord | None:
        return await self._fetch_one("archive_file", FileRecord, id=file_id, kind=kind)

    async def stored_keys(self) -> set[str]:
        """Every storage key some file row points at."""
        query = self._query("list_stored_keys")
        return {record["key"] for record in await self.conn.fetch(query.sql)}

    async def delete(self, kind: str, file_id: UUID) -> StoredKeys | None:
        return await self._fetch_one("delete_file", StoredKeys, id=file_id, kind=kind)
