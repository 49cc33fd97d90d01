"""Bodies of the export routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

# The tables an export may copy; each has its sql/exports/export_<table>.sql.
ExportTable = Literal[
    "blacklist",
    "whitelist",
    "monitor",
    "main_database",
    "api_voluum_ts_sources",
    "api_voluum_conversions",
    "api_hlr_live_numbers",
    "voluum_live_events",
    "voluum_offers",
    "voluum_campaigns",
    "broadcast_campaign_stats",
]

# The old vocabulary of db_exports.status, which the frontend shows ("none": no export yet).
ExportStatus = Literal["none", "pending", "completed", "failed"]
_LEGACY_STATUS: dict[str, ExportStatus] = {
    "uploaded": "pending",
    "processing": "pending",
    "processed": "completed",
    "failed": "failed",
    "archived": "completed",  # no route archives an export today; still downloadable
}


class ExportRecord(msgspec.Struct, frozen=True):
    id: UUID
    original_filename: str
    table_name: ExportTable
    status: str
    created_at: datetime
    completed_at: datetime | None
    error_message: str | None


class ExportStarted(msgspec.Struct, frozen=True):
    file_id: UUID
    table_name: ExportTable
    status: Literal["processing"]
    job_id: UUID


class ExportView(msgspec.Struct, frozen=True):
    """The old answer's keys; `status` "none" (and null fields) when there is no export
    yet, where the old service answered `null`."""

    table_name: ExportTable
    status: ExportStatus
    id: UUID | None = None
    file_path: str | None = None  # the download name; the old service leaked a server path
    created_at: datetime | None = None
    completed_at: datetime | None = None
    error_message: str | None = None

    @classmethod
    def of(cls, record: ExportRecord) -> ExportView:
        return cls(
            id=record.id,
            file_path=record.original_filename,
            status=_LEGACY_STATUS[record.status],
            created_at=record.created_at,
            completed_at=record.completed_at,
            table_name=record.table_name,
            error_message=record.error_message,
        )
