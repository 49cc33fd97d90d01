"""Database exports at the old paths (admin scope): `/process_db`, `/fetch-latest-db-export`,
`/db-download`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.exports.repository import EXPORTABLE, ExportRepository
from app.exports.schemas import ExportStarted, ExportView
from app.exports.service import ExportService
from app.files.controller import csv_download
from app.files.repository import FileRepository
from app.files.service import FileService
from app.runtime import Runtime

# The allow-list, documented as an enum; checked by the service, whose 400 names the
# tables (the frontend shows `detail`).
TABLE_NAME = QueryParameter(schema_extra={"enum": list(EXPORTABLE)})
TableName = Annotated[str, TABLE_NAME]


def provide_export_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> ExportService:
    return ExportService(
        FileService(FileRepository(db_connection, runtime.queries), runtime.storage),
        ExportRepository(db_connection, runtime.queries),
        max_attempts=runtime.settings.jobs.max_attempts,
    )


class ExportController(Controller):
    tags = ("exports",)
    opt = {"scope": "admin"}  # noqa: RUF012 - Litestar's own attribute
    dependencies = {"exports": Provide(provide_export_service, sync_to_thread=False)}  # noqa: RUF012

    @post("/process_db", status_code=HTTP_200_OK, summary="Export a table")
    async def process_db(
        self, exports: NamedDependency[ExportService], table_name: TableName
    ) -> ExportStarted:
        """Allow-listed tables only; the export runs as a job (follow /jobs/{job_id})."""
        return await exports.start(table_name)

    @post("/fetch-latest-db-export", status_code=HTTP_200_OK, summary="The newest export")
    async def latest(
        self, exports: NamedDependency[ExportService], table_name: TableName
    ) -> ExportView:
        """Status pending, completed or failed (with its error)."""
        return await exports.latest(table_name)

    @get("/db-download", summary="Download an export")
    async def download(
        self,
        exports: NamedDependency[ExportService],
        table_name: Annotated[str | None, TABLE_NAME] = None,
        export_id: FromQuery[UUID | None] = None,
    ) -> Stream:
        """The newest export of `table_name`, or the one `export_id` names."""
        record, stream = await exports.download(table_name, export_id)
        return csv_download(stream, record.original_filename)
