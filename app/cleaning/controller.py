"""CSV cleaning at the old paths: the shared lifecycle, plus process and stats."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.cleaning.jobs import KIND
from app.cleaning.repository import CleaningRepository
from app.cleaning.schemas import CleaningStats
from app.cleaning.service import CleaningService
from app.files.controller import FileKind, csv_download
from app.files.repository import FileRepository
from app.files.schemas import ProcessingStarted
from app.files.service import FileService
from app.runtime import Runtime

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


def provide_cleaning_service(
    db_connection: NamedDependency[asyncpg.Connection], runtime: NamedDependency[Runtime]
) -> CleaningService:
    return CleaningService(
        FileService(FileRepository(db_connection, runtime.queries), runtime.storage),
        CleaningRepository(db_connection, runtime.queries),
        max_attempts=runtime.settings.jobs.max_attempts,
    )


class CleaningController(Controller):
    tags = ("cleaning",)
    dependencies = {  # noqa: RUF012 - Litestar's own attribute
        "cleaning": Provide(provide_cleaning_service, sync_to_thread=False)
    }

    @post("/{file_id:uuid}/process", status_code=HTTP_200_OK, summary="Clean an upload")
    async def process(
        self,
        file_id: FromPath[UUID],
        cleaning: NamedDependency[CleaningService],
        include_blacklist: FromQuery[bool] = False,
        include_monitor: FromQuery[bool] = False,
        include_conversion: FromQuery[bool] = False,
        include_main_database: FromQuery[bool] = False,
        exclude_non_mobile: FromQuery[bool] = False,
        annotate: FromQuery[bool] = False,
        region: FromQuery[str | None] = None,
    ) -> ProcessingStarted:
        """Queues the cleaning job (from uploaded or failed); follow it at /jobs/{job_id}.

        `exclude_non_mobile` removes valid numbers of a line type no SMS reaches (kept:
        mobile, fixed_line_or_mobile). `region` (ISO 3166 alpha-2, such as `DE`) reads
        national numbers in that country instead of the default; a file with a country
        column (`Country`, ISO codes or names) reads each row in its own."""
        options = {
            "include_blacklist": include_blacklist,
            "include_monitor": include_monitor,
            "include_conversion": include_conversion,
            "include_main_database": include_main_database,
            "exclude_non_mobile": exclude_non_mobile,
            "annotate": annotate,
        }
        return await cleaning.process(file_id, options, region)

    @get("/{file_id:uuid}/stats", summary="Counts of the last cleaning run")
    async def stats(
        self, file_id: FromPath[UUID], cleaning: NamedDependency[CleaningService]
    ) -> CleaningStats:
        """The old keys plus removed_duplicates and removed_invalid."""
        return await cleaning.stats(file_id)

    @get("/{file_id:uuid}/download-annotated", summary="Every row with its outcome")
    async def download_annotated(
        self, file_id: FromPath[UUID], cleaning: NamedDependency[CleaningService]
    ) -> Stream:
        """Every input row with `outcome` and `reason` (when processed with annotate=true)."""
        record, stream = await cleaning.annotated(file_id)
        return csv_download(stream, f"annotated_{record.original_filename}")
