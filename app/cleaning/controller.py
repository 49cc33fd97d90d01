"""CSV cleaning at the old paths: the shared lifecycle, plus process and stats."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.cleaning.jobs import JOB_KIND, KIND, result_key
from app.cleaning.repository import CleaningRepository
from app.cleaning.schemas import CleaningStats
from app.errors import NotFoundError
from app.files.controller import FileKind, csv_download, provide_file_service
from app.files.schemas import ProcessingStarted
from app.files.service import FileService
from app.sql import SqlQueries

CLEANING = FileKind(
    name=KIND,
    tag="cleaning",
    upload_path="/upload",
    list_path="/files",
    download_path="/{file_id:uuid}/download",
    archive_path="/{file_id:uuid}/archive",
    delete_path="/{file_id:uuid}/delete",
    download_name="processed_{name}",
)


class StatsNotFoundError(NotFoundError):
    detail = "Stats not found (the file is unknown or not processed yet)"


def provide_cleaning_repository(
    db_connection: NamedDependency[asyncpg.Connection], sql: NamedDependency[SqlQueries]
) -> CleaningRepository:
    return CleaningRepository(db_connection, sql)


class CleaningController(Controller):
    tags = ("cleaning",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "files": Provide(provide_file_service, sync_to_thread=False),
        "cleaning": Provide(provide_cleaning_repository, sync_to_thread=False),
    }

    @post("/{file_id:uuid}/process", status_code=HTTP_200_OK, summary="Clean an upload")
    async def process(
        self,
        file_id: FromPath[UUID],
        files: NamedDependency[FileService],
        state: State,
        include_blacklist: FromQuery[bool] = False,
        include_monitor: FromQuery[bool] = False,
        include_conversion: FromQuery[bool] = False,
        include_main_database: FromQuery[bool] = False,
        annotate: FromQuery[bool] = False,
    ) -> ProcessingStarted:
        """Queues the cleaning job (from uploaded or failed); follow it at /jobs/{job_id}."""
        options = {
            "include_blacklist": include_blacklist,
            "include_monitor": include_monitor,
            "include_conversion": include_conversion,
            "include_main_database": include_main_database,
            "annotate": annotate,
        }
        record = await files.start_processing(
            KIND,
            file_id,
            job_kind=JOB_KIND,
            options=options,
            max_attempts=state.settings.jobs.max_attempts,
        )
        assert record.job_id is not None
        return ProcessingStarted(
            ok=True, file_id=file_id, status="processing", job_id=record.job_id
        )

    @get("/{file_id:uuid}/stats", summary="Counts of the last cleaning run")
    async def stats(
        self, file_id: FromPath[UUID], cleaning: NamedDependency[CleaningRepository]
    ) -> CleaningStats:
        """The old keys plus removed_duplicates and removed_invalid."""
        found = await cleaning.stats(file_id)
        if found is None:
            raise StatsNotFoundError
        return found

    @get("/{file_id:uuid}/download-annotated", summary="Every row with its outcome")
    async def download_annotated(
        self, file_id: FromPath[UUID], files: NamedDependency[FileService]
    ) -> Stream:
        """Every input row with `outcome` and `reason` (when processed with annotate=true)."""
        record, stream = await files.download(
            KIND, file_id, result_key=result_key(file_id, annotated=True)
        )
        return csv_download(stream, f"annotated_{record.original_filename}")
