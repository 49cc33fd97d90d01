"""Files as stored, and the lifecycle's request and response bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

FileStatus = Literal["uploaded", "processing", "processed", "failed", "archived"]


class FileRecord(msgspec.Struct, frozen=True):
    id: UUID
    kind: str
    original_filename: str
    status: FileStatus
    raw_key: str | None
    result_key: str | None
    size_bytes: int | None
    record_count_total: int | None
    record_count_clean: int | None
    options: dict[str, Any]
    error_message: str | None
    encoding: str | None
    delimiter: str | None
    job_id: UUID | None
    uploaded_at: datetime
    processing_started_at: datetime | None
    processed_at: datetime | None
    archived_at: datetime | None


class StoredKeys(msgspec.Struct, frozen=True):
    raw_key: str | None
    result_key: str | None
    extra_keys: list[str]


class FileItem(msgspec.Struct, frozen=True):
    """A file in a list: the old fields, and what sniffing and the job add."""

    id: UUID
    original_filename: str
    status: FileStatus
    record_count_total: int | None
    record_count_clean: int | None
    uploaded_at: datetime
    processing_started_at: datetime | None
    processed_at: datetime | None
    error_message: str | None
    size_bytes: int | None
    encoding: str | None
    delimiter: str | None
    job_id: UUID | None
    # The old list's HLR fields (a cleaning file's HLR run; null without one).
    hlr_status: str | None = None
    hlr_batch_id: str | None = None
    hlr_started_at: datetime | None = None
    hlr_completed_at: datetime | None = None
    hlr_num_items: int | None = None
    hlr_num_complete: int | None = None
    hlr_error_message: str | None = None
    hlr_raw_file_path: str | None = None

    @classmethod
    def of(cls, record: FileRecord) -> FileItem:
        fields = (field for field in cls.__struct_fields__ if hasattr(record, field))
        return cls(**{field: getattr(record, field) for field in fields})


class FileList(msgspec.Struct, frozen=True):
    items: list[FileItem]


class UploadReceipt(msgspec.Struct, frozen=True):
    """The old answer (`id`, `original_filename`, `status`) and what sniffing found."""

    id: UUID
    original_filename: str
    status: FileStatus
    record_count_total: int | None
    size_bytes: int | None
    encoding: str | None
    delimiter: str | None


class Done(msgspec.Struct, frozen=True):
    """The answer of archive and delete (the old service answered `null`)."""

    ok: bool
    id: UUID
    status: Literal["archived", "deleted"]


class ProcessingStarted(msgspec.Struct, frozen=True):
    """The answer of every process route: the file is processing, and its job."""

    ok: bool
    file_id: UUID
    status: Literal["processing"]
    job_id: UUID

    @classmethod
    def of(cls, record: FileRecord) -> ProcessingStarted:
        """For a record that has just started processing (so it has its job)."""
        if record.job_id is None:
            raise ValueError("the file has no job: it is not processing")
        return cls(ok=True, file_id=record.id, status="processing", job_id=record.job_id)


@dataclass
class FileUpload:
    """The multipart form: one field named `file`, as the old routes took it."""

    file: UploadFile
