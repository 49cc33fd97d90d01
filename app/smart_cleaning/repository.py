"""SQL of smart cleaning: a country's clickers, and what a run excludes, each by one COPY."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from app.db import Repository
from app.offer_search.window import Search

# A run's conversions: the number, the conversion's country, and what it was.
CONVERTED_SCHEMA = {
    "phone": pl.Int64,
    "country_code": pl.String,
    "ftd": pl.String,
    "reg": pl.String,
}


class SmartCleaningRepository(Repository):
    domain = "smart_cleaning"
    queries = ("copy_clickers", "copy_converted_phones", "copy_recent_live_values")

    async def copy_clickers(self, out: Path, search: Search) -> int:
        """The search's clickers as `number,timestamp` rows into `out`; how many."""
        return await self._copy_out(
            "copy_clickers",
            out,
            country_code=search.country_code,
            starts=search.starts,
            ends=search.ends,
        )

    async def converted(
        self, offers: Sequence[str], types: Sequence[str], country_code: str | None
    ) -> pl.DataFrame:
        """`phone`, `country_code`, `ftd`, `reg` (booleans) of the numbers that converted
        on `offers` (in `country_code`, or anywhere when None)."""
        buffer = io.BytesIO()
        await self._copy_out(
            "copy_converted_phones", buffer, offers=offers, types=types, country_code=country_code
        )
        frame = pl.read_csv(
            buffer.getvalue(), has_header=False, schema=CONVERTED_SCHEMA, raise_if_empty=False
        )
        return frame.with_columns(pl.col("ftd") == "t", pl.col("reg") == "t")

    async def recent_live_values(self, offers: Sequence[str]) -> pl.Series:
        """Custom variable 1 of the last 24 hours' live events on `offers`, as stored."""
        buffer = io.BytesIO()
        await self._copy_out("copy_recent_live_values", buffer, offers=offers)
        frame = pl.read_csv(
            buffer.getvalue(),
            has_header=False,
            schema={"value": pl.String},
            raise_if_empty=False,
            empty_string_is_null=False,
        )
        return frame["value"]
