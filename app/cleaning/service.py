"""Cleaning an upload: start the job, read its counts, hand out the annotated file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

from app.cleaning.jobs import CLEANING_JOB
from app.cleaning.repository import CleaningRepository
from app.cleaning.schemas import CleaningStats
from app.errors import BadRequestError, NotFoundError
from app.files.schemas import FileRecord, ProcessingStarted
from app.files.service import FileService, ProcessedFileMissingError
from app.phones.normalize import default_region


class StatsNotFoundError(NotFoundError):
    detail = "Stats not found (the file is unknown or not processed yet)"


class UnknownRegionError(BadRequestError):
    pass


class NotAnnotatedError(NotFoundError):
    detail = "No annotated file: the file was processed without annotate=true"


class CleaningService:
    def __init__(
        self, files: FileService, repository: CleaningRepository, *, max_attempts: int
    ) -> None:
        self._files = files
        self._repository = repository
        self._max_attempts = max_attempts

    async def process(
        self, file_id: UUID, options: dict[str, bool], region: str | None = None
    ) -> ProcessingStarted:
        """Queues the cleaning job (from uploaded or failed), reading national numbers
        in `region` when one is named."""
        payload: dict[str, object] = dict(options)
        if region is not None:
            try:
                payload["region"] = default_region(region)
            except ValueError:
                raise UnknownRegionError(
                    f"Unknown region {region!r}: an ISO 3166 alpha-2 code such as GB or DE"
                ) from None
        record = await self._files.start_processing(
            CLEANING_JOB.file_kind,
            file_id,
            job_kind=CLEANING_JOB.job_kind,
            options=payload,
            max_attempts=self._max_attempts,
        )
        return ProcessingStarted.of(record)

    async def stats(self, file_id: UUID) -> CleaningStats:
        found = await self._repository.stats(file_id)
        if found is None:
            raise StatsNotFoundError
        return found

    async def annotated(self, file_id: UUID) -> tuple[FileRecord, AsyncIterator[bytes]]:
        try:
            return await self._files.download(
                CLEANING_JOB.file_kind, file_id, result_key=CLEANING_JOB.annotated_key(file_id)
            )
        except ProcessedFileMissingError:
            # The job writes it only when asked to; that no object is there says so.
            raise NotAnnotatedError from None
