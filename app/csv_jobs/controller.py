"""CSV jobs (the Ongage drip) at the old paths, plus each job's history and records."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK

from app.csv_jobs.repository import CsvJobRepository
from app.csv_jobs.schemas import (
    CsvJobList,
    CsvJobPatched,
    CsvJobTransitioned,
    CsvJobUploaded,
    CsvRecordList,
    CsvTickList,
    SendStatus,
)
from app.csv_jobs.service import CsvJobService
from app.db import acquire
from app.files.schemas import FileUpload
from app.openapi import error_response
from app.runtime import Runtime

_TRANSITION = {409: error_response(409, "The job's status does not allow this transition.")}


def provide_csv_job_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> CsvJobService:
    return CsvJobService(CsvJobRepository(db_connection, runtime.queries), runtime.clients)


class CsvJobController(Controller):
    path = "/csv-jobs"
    tags = ("csv_jobs",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "csv_jobs": Provide(provide_csv_job_service, sync_to_thread=False)
    }

    @post("/upload", opt={"upload": True}, status_code=HTTP_200_OK, summary="Upload a contact list")
    async def upload(
        self,
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        runtime: NamedDependency[Runtime],
    ) -> CsvJobUploaded:
        """Multipart field `file` (.csv) with the headers List_ID, Email, Country, Source,
        Mobile, conversion_type, Original_source, HLR_Status, Uuid. Checked whole before
        the draft job is created; rows without a usable email are kept as `invalid`."""
        try:
            name = data.file.filename or "upload.csv"
            raw = await data.file.read()
        finally:
            await data.file.close()
        # A connection only once the upload is read, not the request's.
        async with acquire(runtime.connections) as conn:
            service = CsvJobService(CsvJobRepository(conn, runtime.queries), runtime.clients)
            return await service.upload(name, raw)

    @get("/", summary="List CSV jobs")
    async def list_jobs(self, csv_jobs: NamedDependency[CsvJobService]) -> CsvJobList:
        """Every job but the archived, newest first, with its progress."""
        return await csv_jobs.list()

    @patch("/{job_id:uuid}", summary="Change a job's pace")
    async def set_pace(
        self,
        job_id: FromPath[UUID],
        csv_jobs: NamedDependency[CsvJobService],
        interval_seconds: Annotated[int, QueryParameter(ge=10, le=86_400)],
        lower_limit: Annotated[int, QueryParameter(ge=1, le=100_000)],
        upper_limit: Annotated[int, QueryParameter(ge=1, le=100_000)],
    ) -> CsvJobPatched:
        """Every `interval_seconds` (at least 60: 10 to 59 is the old route's 400 with its
        message), send between `lower_limit` and `upper_limit` records; applies from the
        next tick."""
        return await csv_jobs.set_pace(
            job_id,
            interval_seconds=interval_seconds,
            lower_limit=lower_limit,
            upper_limit=upper_limit,
        )

    @post("/{job_id:uuid}/start", status_code=HTTP_200_OK, summary="Start", responses=_TRANSITION)
    async def start(
        self, job_id: FromPath[UUID], csv_jobs: NamedDependency[CsvJobService]
    ) -> CsvJobTransitioned:
        """draft or paused → running, due now; needs the Ongage settings (else 503)."""
        return await csv_jobs.transition(job_id, "start")

    @post("/{job_id:uuid}/pause", status_code=HTTP_200_OK, summary="Pause", responses=_TRANSITION)
    async def pause(
        self, job_id: FromPath[UUID], csv_jobs: NamedDependency[CsvJobService]
    ) -> CsvJobTransitioned:
        """running → paused: nothing more is sent, from the next batch on."""
        return await csv_jobs.transition(job_id, "pause")

    @post("/{job_id:uuid}/resume", status_code=HTTP_200_OK, summary="Resume", responses=_TRANSITION)
    async def resume(
        self, job_id: FromPath[UUID], csv_jobs: NamedDependency[CsvJobService]
    ) -> CsvJobTransitioned:
        """paused → running, due now; continues where it stopped."""
        return await csv_jobs.transition(job_id, "resume")

    @get("/{job_id:uuid}/history", summary="A job's ticks")
    async def history(
        self,
        job_id: FromPath[UUID],
        csv_jobs: NamedDependency[CsvJobService],
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> CsvTickList:
        """Newest first: when each tick ran, on which runner, what it planned, sent and
        failed, and its error."""
        return await csv_jobs.ticks(job_id, limit=limit)

    @get("/{job_id:uuid}/records", summary="A job's records")
    async def records(
        self,
        job_id: FromPath[UUID],
        csv_jobs: NamedDependency[CsvJobService],
        send_status: Annotated[SendStatus | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> CsvRecordList:
        """In file order, each with its status, Ongage's reason when it failed, attempts."""
        return await csv_jobs.records(job_id, send_status=send_status, limit=limit, offset=offset)
