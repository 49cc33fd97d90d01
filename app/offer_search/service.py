"""What smart cleaning and REG search share: offers by one rule, files made with their
search, runs started for chosen offers, and the old list shape."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from app.errors import BadRequestError, ConflictError
from app.files.repository import AnotherFileProcessingError
from app.files.schemas import FileRecord, ProcessingStarted
from app.files.service import FileMissingError, FileService, StoredUpload
from app.offer_search.repository import OfferSearchRepository
from app.offer_search.schemas import OfferFileItem
from app.offer_search.window import Search


class NoOfferChosenError(BadRequestError):
    detail = "At least one offer is required"


class OfferSearchService:
    def __init__(self, files: FileService, repository: OfferSearchRepository) -> None:
        self._files = files
        self._repository = repository

    async def offers(self, search: Search) -> list[str]:
        """The offer names of the search's country (every country's without one) within
        its window: the one rule both tools offer choices by."""
        return await self._repository.offers(search)

    async def create(
        self,
        kind: str,
        search: Search,
        offers: Sequence[str],
        *,
        stored: StoredUpload | None = None,
        name: str = "",
    ) -> OfferFileItem:
        """The file (a stored upload, or without one, named `name`) and its search, in
        one transaction."""
        async with self._repository.transaction():
            record: FileRecord
            if stored is not None:
                record = await self._files.record_upload(stored)
            else:
                record = await self._files.create(kind, name, uuid.uuid4())
            await self._repository.insert(record.id, search, offers)
        return await self.get(kind, record.id)

    async def start(
        self,
        kind: str,
        file_id: UUID,
        offers: Sequence[str],
        *,
        job_kind: str,
        options: dict[str, Any],
        from_statuses: tuple[str, ...],
        max_attempts: int,
        busy: type[ConflictError] = AnotherFileProcessingError,
    ) -> ProcessingStarted:
        """-> processing for the chosen offers, with its job; `busy` while another file of
        the kind processes."""
        chosen = list(dict.fromkeys(o.strip() for o in offers if o.strip()))
        if not chosen:
            raise NoOfferChosenError
        try:
            async with self._repository.transaction():
                record = await self._files.start_processing(
                    kind,
                    file_id,
                    job_kind=job_kind,
                    options={**options, "offers": chosen},
                    from_statuses=from_statuses,
                    max_attempts=max_attempts,
                )
                await self._repository.select_offers(file_id, chosen)
        except AnotherFileProcessingError:
            raise busy from None
        return ProcessingStarted.of(record)

    async def list(self, kind: str, statuses: list[str], *, limit: int) -> list[OfferFileItem]:
        found = await self._repository.list(kind, statuses, limit=limit)
        return [OfferFileItem.of(f) for f in found]

    async def get(self, kind: str, file_id: UUID) -> OfferFileItem:
        found = await self._repository.get(kind, file_id)
        if found is None:
            raise FileMissingError
        return OfferFileItem.of(found)
