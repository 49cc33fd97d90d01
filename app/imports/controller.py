"""Manual list updates: `/db-manual-update/*` and `/import-blacklist-csv`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.db import acquire
from app.errors import BadRequestError
from app.files.controller import csv_download, upload_chunks
from app.files.repository import FileRepository
from app.files.schemas import FileUpload
from app.files.service import store_upload
from app.imports.repository import ImportRepository
from app.imports.schemas import BlacklistImported, ImportHistory, ImportResult, Target
from app.imports.service import BLACKLIST_KIND, MANUAL_KIND, ImportOutcome, ImportService
from app.runtime import Runtime

TARGETS = ("blacklist", "whitelist", "monitor")


def _service(conn: asyncpg.Connection, runtime: Runtime) -> ImportService:
    return ImportService(
        ImportRepository(conn, runtime.queries),
        FileRepository(conn, runtime.queries),
        runtime.storage,
    )


def provide_import_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> ImportService:
    return _service(db_connection, runtime)


async def _import(
    runtime: Runtime,
    data: FileUpload,
    *,
    kind: str,
    target: Target,
    required: tuple[str, ...],
    defaults: dict[str, str] | None = None,
) -> ImportOutcome:
    try:
        name = data.file.filename or "import.csv"
        stored = await store_upload(runtime.storage, kind, name, upload_chunks(data))
    finally:
        await data.file.close()
    try:
        # A connection only once the upload is stored, not the request's: storing a
        # large upload must not hold one meanwhile.
        async with acquire(runtime.connections) as conn:
            return await _service(conn, runtime).run(
                stored,
                target=target,
                required=required,
                default_code=runtime.settings.phones.default_calling_code,
                **(defaults or {}),
            )
    except BaseException:
        await runtime.storage.delete(stored.key)
        raise


class ImportController(Controller):
    tags = ("imports",)
    dependencies = {"imports": Provide(provide_import_service, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/db-manual-update/import",
        opt={"upload": True},
        status_code=HTTP_200_OK,
        summary="Import numbers onto a list",
    )
    async def manual_import(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: NamedDependency[Runtime],
        # Checked below, so that a wrong one keeps the old message; the enum documents it.
        target: Annotated[str, QueryParameter(schema_extra={"enum": list(TARGETS)})],
    ) -> ImportResult:
        """Columns phone, reason, source (and os version, user agent, ip); every row gets
        an outcome in the result file. A manual decision moves a number off another list."""
        if target not in TARGETS:
            raise BadRequestError("target must be blacklist, whitelist or monitor")
        outcome = await _import(
            runtime,
            data,
            kind=MANUAL_KIND,
            target=target,  # type: ignore[arg-type]
            required=("phone", "reason", "source"),
        )
        return ImportResult(
            id=outcome.record.id,
            target=outcome.target,
            original_filename=outcome.record.original_filename,
            uploaded=outcome.uploaded,
            accepted=outcome.accepted,
            rejected=outcome.rejected,
        )

    @get("/db-manual-update/history", summary="The 50 newest imports")
    async def history(self, imports: NamedDependency[ImportService]) -> ImportHistory:
        """Newest first, with their counts."""
        return ImportHistory(items=await imports.history())

    @get("/db-manual-update/{import_id:uuid}/download", summary="An import's result file")
    async def download(
        self, import_id: FromPath[UUID], imports: NamedDependency[ImportService]
    ) -> Stream:
        """`phone,result`, one line per input row, repeats included."""
        record, stream = await imports.download(import_id)
        return csv_download(stream, f"result_{record.original_filename}")

    @post(
        "/import-blacklist-csv",
        opt={"upload": True},
        status_code=HTTP_200_OK,
        summary="Import a CSV into the blacklist",
    )
    async def blacklist_import(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: NamedDependency[Runtime],
    ) -> BlacklistImported:
        """Into the blacklist (the old service wrote to monitor). Needs custom_variable_1
        (or phone); reason and source default to CSV_IMPORT."""
        if not (data.file.filename or "").lower().endswith(".csv"):
            raise BadRequestError("Only CSV files are supported")
        outcome = await _import(
            runtime,
            data,
            kind=BLACKLIST_KIND,
            target="blacklist",
            required=("phone",),
            defaults={"reason": "CSV_IMPORT", "source": "CSV_IMPORT"},
        )
        return BlacklistImported(
            ok=True,
            original_filename=outcome.record.original_filename,
            rows_imported=outcome.uploaded,
            id=outcome.record.id,
            accepted=outcome.accepted,
            rejected=outcome.rejected,
        )
