"""Database exports: `COPY … TO STDOUT` into a file, formula cells escaped, into storage.

They run as jobs on the file-job template: a failed export is 'failed' with its error,
never 'pending' forever.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from uuid import UUID

import polars as pl

from app.db import acquire
from app.errors import BadRequestError, NotFoundError
from app.exports.repository import EXPORTABLE, ExportRepository
from app.exports.schemas import ExportRecord, ExportStarted, ExportTable, ExportView
from app.files.csv_safety import inert
from app.files.jobs import FileJob, FileResult, FileRun
from app.files.schemas import ProcessingStarted
from app.files.service import FileService

KIND = "db_export"


class UnknownTableError(BadRequestError):
    def __init__(self, table: str) -> None:
        super().__init__(
            f"Table {table!r} cannot be exported; choose one of: {', '.join(EXPORTABLE)}"
        )


class NoExportError(NotFoundError):
    detail = "No export of this table yet"


def check_table(table: str | None) -> ExportTable:
    if table not in EXPORTABLE:
        raise UnknownTableError(str(table))
    return cast("ExportTable", table)


def escape_formulas(source: Path, target: Path) -> None:
    """Makes formula cells inert (numbers stay numbers), streaming. NULL and the empty
    string both come out as an empty cell, as in most CSV tools."""
    frame = pl.scan_csv(source, infer_schema=False)
    cells = [inert(pl.col(name)).alias(name) for name in frame.collect_schema().names()]
    frame.select(cells).sink_csv(target, engine="streaming")


class ExportJob(FileJob[Path, FileResult]):
    """COPY out (prepare, on the loop), escape (compute, in a thread), store."""

    file_kind = KIND
    job_kind = "exports.table"

    async def prepare(self, run: FileRun) -> Path:
        raw = run.folder / "raw.csv"
        async with acquire(run.runtime.connections) as conn:
            await ExportRepository(conn, run.runtime.queries).copy_table(
                check_table(run.payload["table"]), raw
            )
        return raw

    def compute(self, run: FileRun, prepared: Path) -> FileResult:
        escaped = run.folder / "export.csv"
        escape_formulas(prepared, escaped)
        return FileResult(
            key=self.result_key(run.file_id), path=escaped, total=0, clean=0, message="exported"
        )


EXPORT_JOB = ExportJob()


class ExportService:
    def __init__(self, files: FileService, exports: ExportRepository, *, max_attempts: int) -> None:
        self._files = files
        self._exports = exports
        self._max_attempts = max_attempts

    async def start(self, table_name: str | None) -> ExportStarted:
        """A files row named `{table}_{timestamp}.csv`, and the job that fills it."""
        table = check_table(table_name)
        stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
        async with self._exports.transaction():
            created = await self._files.create(KIND, f"{table}_{stamp}.csv", uuid.uuid4())
            await self._exports.record(created.id, table)
            record = await self._files.start_processing(
                KIND,
                created.id,
                job_kind=EXPORT_JOB.job_kind,
                options={"table": table},
                from_statuses=("uploaded",),
                max_attempts=self._max_attempts,
            )
        started = ProcessingStarted.of(record)
        return ExportStarted(
            file_id=record.id, table_name=table, status="processing", job_id=started.job_id
        )

    async def latest(self, table_name: str | None) -> ExportView:
        """Status pending, completed or failed (with its error); "none" before the first."""
        table = check_table(table_name)
        record = await self._exports.latest(table)
        return (
            ExportView(table_name=table, status="none") if record is None else ExportView.of(record)
        )

    async def download(
        self, table_name: str | None, export_id: UUID | None
    ) -> tuple[ExportRecord, AsyncIterator[bytes]]:
        record: ExportRecord | None
        if export_id is not None:
            record = await self._exports.get(export_id)
        elif table_name is not None:
            record = await self._exports.latest(check_table(table_name))
        else:
            raise BadRequestError("Give table_name or export_id")
        if record is None:
            raise NoExportError
        _, stream = await self._files.download(KIND, record.id)
        return record, stream
