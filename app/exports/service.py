"""Database exports: `COPY … TO STDOUT` into a file, formula cells escaped, into storage.

They run as jobs: a failed export is 'failed' with its error, never 'pending' forever.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl

from app.db import acquire
from app.errors import BadRequestError
from app.exports.repository import EXPORTABLE, ExportRepository
from app.files.csv_safety import inert
from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.service import FileChangedError, FileService
from app.jobs.worker import JobContext

KIND = "db_export"
JOB_KIND = "exports.table"


class UnknownTableError(BadRequestError):
    def __init__(self, table: str) -> None:
        super().__init__(
            f"Table {table!r} cannot be exported; choose one of: {', '.join(EXPORTABLE)}"
        )


def check_table(table: str | None) -> str:
    if table not in EXPORTABLE:
        raise UnknownTableError(str(table))
    return table


def escape_formulas(source: Path, target: Path) -> None:
    """Makes formula cells inert (numbers stay numbers), streaming. NULL and the empty
    string both come out as an empty cell, as in most CSV tools."""
    frame = pl.scan_csv(source, infer_schema=False)
    cells = [inert(pl.col(name)).alias(name) for name in frame.collect_schema().names()]
    frame.select(cells).sink_csv(target, engine="streaming")


async def start_export(files: FileRepository, table: str, *, max_attempts: int) -> FileRecord:
    """A files row named `{table}_{timestamp}.csv`, and the job that fills it."""
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    async with files.transaction():
        record = await files.insert(
            id=uuid.uuid4(),
            kind=KIND,
            original_filename=f"{table}_{stamp}.csv",
            raw_key=None,
            size_bytes=None,
            record_count_total=None,
            encoding=None,
            delimiter=None,
        )
        await ExportRepository(files.conn, files.sql).record(record.id, table)
        return await FileService(files).start_processing(
            KIND,
            record.id,
            job_kind=JOB_KIND,
            options={"table": table},
            from_statuses=("uploaded",),
            max_attempts=max_attempts,
        )


async def export_table(context: JobContext, payload: dict[str, Any]) -> None:
    """The job: COPY out, escape, store, done."""
    assert context.storage is not None
    file_id = UUID(payload["file_id"])
    table = check_table(payload["table"])
    key = f"exports/{file_id}.csv"
    with tempfile.TemporaryDirectory(prefix="optimizer-export-") as folder:
        raw, escaped = Path(folder) / "raw.csv", Path(folder) / "export.csv"
        async with acquire(context.connections) as conn:
            await ExportRepository(conn, context.sql).copy_table(table, raw)
        await context.progress(1, 3, "escaping")
        await asyncio.to_thread(escape_formulas, raw, escaped)
        await context.progress(2, 3, "storing")
        await context.storage.put_file(key, escaped)
    async with acquire(context.connections) as conn:
        files = FileService(FileRepository(conn, context.sql), context.storage)
        try:
            await files.finish_processing(
                file_id,
                job_id=context.job.id,
                owner=context.owner,
                result_key=key,
                total=0,
                clean=0,
            )
        except FileChangedError:
            await context.storage.delete(key)
            raise
