"""SQL of REG search: its one query, as a COPY."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.db import Repository
from app.offer_search.window import Search


class RegSearchRepository(Repository):
    domain = "reg_search"
    queries = ("copy_registered_phones",)

    async def copy_registered(self, out: Path, search: Search, offers: Sequence[str]) -> int:
        """`phone,deposited` (t/f) of the numbers that registered, into `out`; how many."""
        return await self._copy_out(
            "copy_registered_phones",
            out,
            country_code=search.country_code,
            starts=search.starts,
            ends=search.ends,
            offers=offers,
        )
