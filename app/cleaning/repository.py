"""SQL of cleaning results."""

from __future__ import annotations

from uuid import UUID

from app.cleaning.classify import Counts
from app.cleaning.schemas import CleaningStats
from app.db import Repository


class CleaningRepository(Repository):
    domain = "cleaning"
    queries = ("upsert_cleaning_stats", "get_cleaning_stats")

    async def save_stats(self, file_id: UUID, counts: Counts) -> None:
        await self._execute(
            "upsert_cleaning_stats",
            file_id=file_id,
            total_records=counts.total,
            removed_blacklist=counts.removed("blacklisted"),
            removed_monitor=counts.removed("monitored"),
            removed_conversion=counts.removed("converted"),
            removed_maindatabase=counts.removed("seen"),
            removed_duplicates=counts.removed("duplicate"),
            removed_invalid=counts.removed("invalid"),
            removed_non_mobile=counts.removed("non_mobile"),
            final_clean_count=counts.kept,
            line_types=counts.by_line_type,
        )

    async def stats(self, file_id: UUID) -> CleaningStats | None:
        return await self._fetch_one("get_cleaning_stats", CleaningStats, file_id=file_id)
