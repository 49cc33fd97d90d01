"""REG search: a country's offers in a window, then the numbers that registered on the
chosen ones and never deposited (on the shared file lifecycle and offer search)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from app.errors import ConflictError, NotFoundError
from app.files.schemas import ProcessingStarted
from app.offer_search.schemas import OfferFileItem
from app.offer_search.service import OfferSearchService
from app.offer_search.window import Search
from app.reg_search.jobs import KIND, REG_SEARCH_JOB


class NoOffersForCountryError(NotFoundError):
    def __init__(self, country_code: str) -> None:
        super().__init__(f"No offers found for country code: {country_code}")


class AnotherSearchProcessingError(ConflictError):
    detail = "Another search is already processing"


class RegSearchService:
    def __init__(self, searches: OfferSearchService, *, max_attempts: int) -> None:
        self._searches = searches
        self._max_attempts = max_attempts

    async def search(self, search: Search) -> OfferFileItem:
        """An entry for the country and window with its offers, named
        `REG_{CC}_{YYYY-MM-DD_HHMMSS}` (UTC); 404 when the country has none."""
        assert search.country_code is not None
        offers = await self._searches.offers(search)
        if not offers:
            raise NoOffersForCountryError(search.country_code)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d_%H%M%S")
        name = f"REG_{search.country_code}_{stamp}"
        return await self._searches.create(KIND, search, offers, name=name)

    async def process(self, file_id: UUID, offers: list[str]) -> ProcessingStarted:
        """Queues the search for the chosen offers (from uploaded or failed)."""
        return await self._searches.start(
            KIND,
            file_id,
            offers,
            job_kind=REG_SEARCH_JOB.job_kind,
            options={},
            from_statuses=("uploaded", "failed"),
            max_attempts=self._max_attempts,
            busy=AnotherSearchProcessingError,
        )
