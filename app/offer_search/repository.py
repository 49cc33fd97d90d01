"""SQL of what smart cleaning and REG search share: the offers, and each file's search."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from uuid import UUID

from app.db import Repository
from app.offer_search.schemas import OfferFile
from app.offer_search.window import Search


class OfferSearchRepository(Repository):
    domain = "offer_search"
    queries = (
        "list_offers",
        "insert_offer_search",
        "select_offers",
        "record_offer_outcomes",
        "list_offer_files",
        "get_offer_file",
    )

    async def offers(self, search: Search) -> builtins.list[str]:
        query = self._query("list_offers")
        params = {
            "country_code": search.country_code,
            "starts": search.starts,
            "ends": search.ends,
        }
        return [r["offer_name"] for r in await self.conn.fetch(query.sql, *query.args(params))]

    async def insert(self, file_id: UUID, search: Search, offers: Sequence[str]) -> None:
        await self._execute(
            "insert_offer_search",
            file_id=file_id,
            country_code=search.country_code,
            from_date=search.from_date,
            to_date=search.to_date,
            offers=offers,
        )

    async def select_offers(self, file_id: UUID, offers: Sequence[str]) -> bool:
        return await self._fetch_value("select_offers", file_id=file_id, offers=offers) is not None

    async def record_outcomes(self, file_id: UUID, outcomes: dict[str, int]) -> None:
        await self._execute("record_offer_outcomes", file_id=file_id, outcomes=outcomes)

    async def list(
        self, kind: str, statuses: Sequence[str], *, limit: int
    ) -> builtins.list[OfferFile]:
        return await self._fetch_all(
            "list_offer_files", OfferFile, kind=kind, statuses=statuses, limit=limit
        )

    async def get(self, kind: str, file_id: UUID) -> OfferFile | None:
        return await self._fetch_one("get_offer_file", OfferFile, id=file_id, kind=kind)
