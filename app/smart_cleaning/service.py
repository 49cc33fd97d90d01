"""Smart cleaning: files of clickers found in the whitelist or uploaded, processed for
chosen offers (on the shared file lifecycle and the offer search both tools share)."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from app.errors import NotFoundError
from app.files.schemas import ProcessingStarted
from app.files.service import StoredUpload
from app.files.sniff import EmptyFileError
from app.offer_search.schemas import OfferFileItem
from app.offer_search.service import OfferSearchService
from app.offer_search.window import Search
from app.smart_cleaning.jobs import KIND, SMART_CLEANING_JOB
from app.smart_cleaning.repository import SmartCleaningRepository
from app.storage import Storage

# A processed file can be run again, for other offers or filters (as before).
PROCESS_FROM = ("uploaded", "failed", "processed")


class NoClickersError(NotFoundError):
    """The old detail, though what is missing is clickers (or offers) of the country."""

    def __init__(self, country_code: str) -> None:
        super().__init__(f"No offers found for the country code: {country_code}")


class NoOffersError(NotFoundError):
    detail = "No offers found in the conversions database"


class SmartCleaningService:
    def __init__(
        self,
        searches: OfferSearchService,
        repository: SmartCleaningRepository,
        storage: Storage,
        *,
        max_attempts: int,
    ) -> None:
        self._searches = searches
        self._repository = repository
        self._storage = storage
        self._max_attempts = max_attempts

    async def find(self, search: Search) -> OfferFileItem:
        """A file of the country's clickers (whitelist numbers listed within the window),
        with the country's offers; 404 when it has no clickers or no offers."""
        assert search.country_code is not None
        offers = await self._searches.offers(search)
        file_id = uuid.uuid4()
        key = f"raw/{KIND}/{file_id}.csv"
        with tempfile.TemporaryDirectory(prefix="optimizer-clickers-") as folder:
            path = Path(folder) / "clickers.csv"
            found = await self._repository.copy_clickers(path, search)
            if not found or not offers:
                raise NoClickersError(search.country_code)
            size = await self._storage.put_file(key, path)
        today = datetime.now(UTC).date().isoformat()
        stored = StoredUpload(
            id=file_id,
            kind=KIND,
            filename=f"{search.country_code}_{today}.csv",
            key=key,
            size=size,
            lines=found,
            encoding="utf-8",
            delimiter=",",
        )
        return await self._searches.create(KIND, search, offers, stored=stored)

    async def upload_offers(self) -> list[str]:
        """Every offer of the conversions (an upload's numbers may be of any country);
        404 without any, as before."""
        offers = await self._searches.offers(Search(country_code=None))
        if not offers:
            raise NoOffersError
        return offers

    async def record_upload(self, stored: StoredUpload, offers: list[str]) -> OfferFileItem:
        if stored.lines == 0:
            raise EmptyFileError
        return await self._searches.create(KIND, Search(country_code=None), offers, stored=stored)

    async def process(
        self, file_id: UUID, offers: list[str], *, filter_regs: bool, filter_last_24h: bool
    ) -> ProcessingStarted:
        """Queues the job for the chosen offers (from uploaded, failed or processed)."""
        return await self._searches.start(
            KIND,
            file_id,
            offers,
            job_kind=SMART_CLEANING_JOB.job_kind,
            options={"filter_regs": filter_regs, "filter_last_24h": filter_last_24h},
            from_statuses=PROCESS_FROM,
            max_attempts=self._max_attempts,
        )
