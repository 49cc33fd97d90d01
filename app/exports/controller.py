"""Database exports at the old paths (admin scope): `/process_db`, `/fetch-latest-db-export`,
`/db-download`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.db import acquire
from app.errors import BadRequestError, NotFoundError
from app.exports.repository import ExportRepository
from app.exports.schemas import ExportStarted, ExportView
from app.exports.service import KIND, check_table, start_export
from app.files.controller import csv_download
from app.files.repository import FileRepository
from app.files.service import FileService


class NoExportError(NotFoundError):
    detail = "No export of this table yet"


class ExportController(Controller):
    tags = ("exports",)
    opt = {"scope": "admin"}  # noqa: RUF012 - Litestar's own attribute

    @post("/process_db", status_code=HTTP_200_OK, summary="Export a table")
    async def process_db(
        self, request: Request[Any, Any, State], table_name: FromQuery[str | None] = None
    ) -> ExportStarted:
        """Allow-listed tables only; the export runs as a job (follow /jobs/{job_id})."""
        table = check_table(table_name)
        state = request.app.state
        async with acquire(state.connections) as conn:
            record = await start_export(
                FileRepository(conn, state.queries),
                table,
                max_attempts=state.settings.jobs.max_attempts,
            )
        assert record.job_id is not None
        return ExportStarted(
            file_id=record.id, table_name=table, status="processing", job_id=record.job_id
        )

    @post("/fetch-latest-db-export", status_code=HTTP_200_OK, summary="The newest export")
    async def latest(
        self, request: Request[Any, Any, State], table_name: FromQuery[str | None] = None
    ) -> ExportView:
        """Status pending, completed or failed (with its error)."""
        table = check_table(table_name)
        state = request.app.state
        async with acquire(state.connections) as conn:
            record = await ExportRepository(conn, state.queries).latest(table)
        if record is None:
            return ExportView(table_name=table, status="none")
        return ExportView.of(record)

    @get("/db-download", summary="Download an export")
    async def download(
        self,
        request: Request[Any, Any, State],
        table_name: FromQuery[str | None] = None,
        export_id: FromQuery[UUID | None] = None,
    ) -> Stream:
        """The newest export of `table_name`, or the one `export_id` names."""
        state = request.app.state
        async with acquire(state.connections) as conn:
            exports = ExportRepository(conn, state.queries)
            if export_id is not None:
                record = await exports.get(export_id)
            elif table_name is not None:
                record = await exports.latest(check_table(table_name))
            else:
                raise BadRequestError("Give table_name or export_id")
            if record is None:
                raise NoExportError
            files = FileService(FileRepository(conn, state.queries), state.storage)
            _, stream = await files.download(KIND, record.id)
        return csv_download(stream, record.original_filename)
