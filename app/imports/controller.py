"""Manual list updates: `/db-manual-update/*` and `/import-blacklist-csv`."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.db import acquire
from app.errors import BadRequestError, NotFoundError
from app.files.controller import csv_download, upload_chunks
from app.files.repository import FileRepository
from app.files.schemas import FileUpload
from app.files.service import FileMissingError, FileService, store_upload
from app.imports.repository import ImportRepository
from app.imports.schemas import BlacklistImported, ImportHistory, ImportResult, Target
from app.imports.service import ImportOutcome, ImportService

MANUAL_KIND = "manual_import"
BLACKLIST_KIND = "blacklist_import"
TARGETS = ("blacklist", "whitelist", "monitor")


class ImportNotFoundError(NotFoundError):
    detail = "Import not found"


async def _import(
    request: Request[Any, Any, State],
    data: FileUpload,
    *,
    kind: str,
    target: Target,
    required: tuple[str, ...],
    defaults: dict[str, str] | None = None,
) -> ImportOutcome:
    state = request.app.state
    try:
        name = data.file.filename or "import.csv"
        stored = await store_upload(state.storage, kind, name, upload_chunks(data))
    finally:
        await data.file.close()
    try:
        async with acquire(state.connections) as conn:
            service = ImportService(
                ImportRepository(conn, state.queries),
                FileRepository(conn, state.queries),
                state.storage,
            )
            return await service.run(
                stored,
                target=target,
                required=required,
                default_code=state.settings.phones.default_calling_code,
                **(defaults or {}),
            )
    except BaseException:
        await state.storage.delete(stored.key)
        raise


class ImportController(Controller):
    tags = ("imports",)

    @post(
        "/db-manual-update/import",
        opt={"upload": True},
        status_code=HTTP_200_OK,
        summary="Import numbers onto a list",
    )
    async def manual_import(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        request: Request[Any, Any, State],
        target: FromQuery[str],
    ) -> ImportResult:
        """Columns phone, reason, source (and os version, user agent, ip); every row gets
        an outcome in the result file. A manual decision moves a number off another list."""
        if target not in TARGETS:
            raise BadRequestError("target must be blacklist, whitelist or monitor")
        outcome = await _import(
            request,
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
    async def history(self, request: Request[Any, Any, State]) -> ImportHistory:
        """Newest first, with their counts."""
        state = request.app.state
        async with acquire(state.connections) as conn:
            return ImportHistory(items=await ImportRepository(conn, state.queries).history())

    @get("/db-manual-update/{import_id:uuid}/download", summary="An import's result file")
    async def download(
        self, import_id: FromPath[UUID], request: Request[Any, Any, State]
    ) -> Stream:
        """`phone,result`, one line per input row, repeats included."""
        state = request.app.state
        async with acquire(state.connections) as conn:
            files = FileService(FileRepository(conn, state.queries), state.storage)
            # Both kinds of import are in the history, so both download here.
            for kind in (MANUAL_KIND, BLACKLIST_KIND):
                try:
                    record, stream = await files.download(kind, import_id)
                    break
                except FileMissingError:
                    continue
            else:
                raise ImportNotFoundError
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
        request: Request[Any, Any, State],
    ) -> BlacklistImported:
        """Into the blacklist (the old service wrote to monitor). Needs custom_variable_1
        (or phone); reason and source default to CSV_IMPORT."""
        if not (data.file.filename or "").lower().endswith(".csv"):
            raise BadRequestError("Only CSV files are supported")
        outcome = await _import(
            request,
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
