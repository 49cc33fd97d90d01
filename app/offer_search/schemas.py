"""Files of the two offer tools as stored and as listed (the old keys and what is new)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from app.files.schemas import FileStatus
from app.schemas import Input

# Offers are joined with this in the old list shape (`"Offer A^Offer B"`).
JOIN = "^"


class OfferFile(msgspec.Struct, frozen=True):
    """A file of one of the two kinds, with its search (sql/offer_search)."""

    id: UUID
    original_filename: str
    status: FileStatus
    uploaded_at: datetime
    processing_started_at: datetime | None
    processed_at: datetime | None
    error_message: str | None
    record_count_total: int | None
    record_count_clean: int | None
    job_id: UUID | None
    country_code: str | None
    from_date: date | None
    to_date: date | None
    offers: list[str]
    selected_offers: list[str]
    outcomes: dict[str, int]


class OfferFileItem(msgspec.Struct, frozen=True):
    """The old list item (`offers` and `selected_offer` are `^`-joined) and what is new:
    the window, the last run's rows per outcome and its job."""

    id: UUID
    original_filename: str
    country_code: str | None
    status: FileStatus
    uploaded_at: datetime
    processing_started_at: datetime | None
    processed_at: datetime | None
    error_message: str | None
    record_count_total: int | None
    record_count_clean: int | None
    offer_count: int
    offers: str
    selected_offer: str | None
    from_date: date | None
    to_date: date | None
    # Rows per outcome of the last run: every exclusion reason, and `kept`.
    outcomes: dict[str, int]
    job_id: UUID | None

    @classmethod
    def of(cls, found: OfferFile) -> OfferFileItem:
        return cls(
            id=found.id,
            original_filename=found.original_filename,
            country_code=found.country_code,
            status=found.status,
            uploaded_at=found.uploaded_at,
            processing_started_at=found.processing_started_at,
            processed_at=found.processed_at,
            error_message=found.error_message,
            record_count_total=found.record_count_total,
            record_count_clean=found.record_count_clean,
            offer_count=len(found.offers),
            offers=JOIN.join(found.offers),
            selected_offer=JOIN.join(found.selected_offers) or None,
            from_date=found.from_date,
            to_date=found.to_date,
            outcomes=found.outcomes,
            job_id=found.job_id,
        )


class OfferFileList(msgspec.Struct, frozen=True):
    items: list[OfferFileItem]


OfferName = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class OffersChoice(Input, frozen=True):
    """The offers a run is for (`{"offers": ["Offer A", "Offer B"]}`)."""

    offers: Annotated[list[OfferName], msgspec.Meta(max_length=1000)]
