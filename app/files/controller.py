"""The lifecycle routes, made once per file kind at the old paths of that kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, get_args
from urllib.parse import quote
from uuid import UUID

import asyncpg
from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK
from litestar.types import Guard

from app.db import acquire
from app.errors import BadRequestError
from app.files.repository import FileRepository
from app.files.schemas import Done, FileList, FileStatus, FileUpload, UploadReceipt
from app.files.service import (
    FileMissingError,
    FileNotProcessedError,
    FileService,
    store_upload,
)
from app.runtime import Runtime
from app.storage import CHUNK_BYTES

STATUSES = frozenset(get_args(FileStatus))
_STATUS = "(?:" + "|".join(sorted(STATUSES)) + ")"
# `?status=a,b`: known statuses, commas, spaces, and empty items (which are skipped).
# Documented only: parse_statuses checks, and its 400 names the unknown statuses.
STATUS_LIST = rf"^ *(?:{_STATUS} *)?(?:, *(?:{_STATUS} *)?)*$"
# A list shows the newest files: the frontend shows recent uploads, and a kind's whole
# history (thousands of files) in every answer is what made lists slow under load.
DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FileKind:
    """One kind of file and the old paths its lifecycle answers at."""

    name: str  # files.kind
    tag: str
    # None: the kind's own domain serves the route (its upload or list does more).
    upload_path: str | None
    list_path: str | None
    download_path: str  # each with {file_id:uuid}
    archive_path: str
    delete_path: str
    download_name: str = "processed_{name}"  # {name}: the uploaded file's name
    guards: tuple[Guard, ...] = ()  # e.g. the integration the kind depends on
    # The old download's details where a kind had its own wording (REG search's).
    missing_detail: str = FileMissingError.detail
    not_processed_detail: str = FileNotProcessedError.detail


def provide_file_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> FileService:
    return FileService(FileRepository(db_connection, runtime.queries), runtime.storage)


def parse_statuses(raw: str | None) -> list[str]:
    """`?status=a,b` as the old routes took it; an unknown status is a 400."""
    statuses = [s.strip() for s in (raw or "").split(",") if s.strip()]
    unknown = sorted(set(statuses) - STATUSES)
    if unknown:
        raise BadRequestError(f"Unknown status: {', '.join(unknown)}")
    return statuses


def attachment(filename: str) -> str:
    """A Content-Disposition that no file name can break out of."""
    plain = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in filename)
    ascii_name = plain.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def csv_download(stream: AsyncIterator[bytes], filename: str) -> Stream:
    """A stored CSV streamed to the browser as an attachment named `filename`."""
    headers = {"Content-Disposition": attachment(filename)}
    return Stream(stream, media_type="text/csv", headers=headers)


def _options(kind: FileKind, action: str, summary: str) -> dict[str, Any]:
    """What every lifecycle route of a kind shares: its tag, guards and service."""
    return {
        "tags": [kind.tag],
        "guards": list(kind.guards),
        "dependencies": _SERVICE,
        "operation_id": f"{kind.name}_{action}",
        "summary": summary,
    }


async def upload_chunks(upload: FileUpload) -> AsyncIterator[bytes]:
    while chunk := await upload.file.read(CHUNK_BYTES):
        yield chunk


_SERVICE = {"files": Provide(provide_file_service, sync_to_thread=False)}


def _upload_route(kind: FileKind) -> HTTPRouteHandler | None:
    if kind.upload_path is None:
        return None

    @post(
        kind.upload_path,
        tags=[kind.tag],
        guards=list(kind.guards),
        opt={"upload": True},
        status_code=HTTP_200_OK,
        operation_id=f"{kind.name}_upload",
        summary="Upload a CSV file",
    )
    async def upload(
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: NamedDependency[Runtime],
    ) -> UploadReceipt:
        """Multipart field `file`. Sniffed (encoding, delimiter), stored as UTF-8."""
        try:
            name = data.file.filename or "upload.csv"
            stored = await store_upload(runtime.storage, kind.name, name, upload_chunks(data))
        finally:
            await data.file.close()
        # A connection only for the insert, not the request's: storing a large upload
        # (to S3, say) must not hold one meanwhile.
        async with acquire(runtime.connections) as conn:
            service = FileService(FileRepository(conn, runtime.queries), runtime.storage)
            record = await service.record_upload(stored)
        return UploadReceipt(
            id=record.id,
            original_filename=record.original_filename,
            status=record.status,
            record_count_total=record.record_count_total,
            size_bytes=record.size_bytes,
            encoding=record.encoding,
            delimiter=record.delimiter,
        )

    return upload


def _list_route(kind: FileKind) -> HTTPRouteHandler | None:
    if kind.list_path is None:
        return None

    @get(
        kind.list_path,
        **_options(kind, "list", "List files"),
    )
    async def list_files(
        files: NamedDependency[FileService],
        status: Annotated[str | None, QueryParameter(schema_extra={"pattern": STATUS_LIST})] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_LIST_LIMIT, description="At most this many files")
        ] = DEFAULT_LIST_LIMIT,
    ) -> FileList:
        """The newest files first, `limit` of them (100 unless asked); `?status=a,b` keeps
        those statuses."""
        return FileList(items=await files.list(kind.name, parse_statuses(status), limit=limit))

    return list_files


def _download_route(kind: FileKind) -> HTTPRouteHandler:
    @get(
        kind.download_path,
        **_options(kind, "download", "Download the processed file"),
    )
    async def download(file_id: FromPath[UUID], files: NamedDependency[FileService]) -> Stream:
        """The result as CSV, streamed from storage."""
        try:
            record, stream = await files.download(kind.name, file_id)
        except FileMissingError:
            raise FileMissingError(kind.missing_detail) from None
        except FileNotProcessedError:
            raise FileNotProcessedError(kind.not_processed_detail) from None
        return csv_download(stream, kind.download_name.format(name=record.original_filename))

    return download


def _archive_route(kind: FileKind) -> HTTPRouteHandler:
    @post(
        kind.archive_path,
        status_code=HTTP_200_OK,
        **_options(kind, "archive", "Archive a file"),
    )
    async def archive(file_id: FromPath[UUID], files: NamedDependency[FileService]) -> Done:
        """From any state; the file and its result are kept (and can still be downloaded)."""
        record = await files.archive(kind.name, file_id)
        return Done(ok=True, id=record.id, status="archived")

    return archive


def _delete_route(kind: FileKind) -> HTTPRouteHandler:
    @post(
        kind.delete_path,
        status_code=HTTP_200_OK,
        **_options(kind, "delete", "Delete a file"),
    )
    async def delete(file_id: FromPath[UUID], files: NamedDependency[FileService]) -> Done:
        """The record and its stored objects."""
        await files.delete(kind.name, file_id)
        return Done(ok=True, id=file_id, status="deleted")

    return delete


def lifecycle_routes(kind: FileKind) -> list[HTTPRouteHandler]:
    """Upload, list, download, archive and delete for one kind, at its old paths (upload
    and list unless the kind's domain serves them)."""
    routes = [_upload_route(kind), _list_route(kind)]
    routes += [factory(kind) for factory in (_download_route, _archive_route, _delete_route)]
    return [route for route in routes if route is not None]
