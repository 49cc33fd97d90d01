"""What a search is for: a country and a window of whole days, read from the old routes'
query parameters (`country_code`, `from_date`, `to_date`, each `YYYY-MM-DD`).

Days are UTC and inclusive: `from_date=2026-01-10&to_date=2026-01-12` is every instant
from 2026-01-10 00:00 up to, not including, 2026-01-13 00:00 (the old service compared
text and lost the last second of the day, or failed on a date column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.errors import BadRequestError

_COUNTRY = re.compile(r"[A-Za-z]{2}")
# Days a conversion can have: the year-9999 edge would overflow the window's end.
_FIRST_DAY, _LAST_DAY = date(1970, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class Search:
    country_code: str | None
    from_date: date | None = None
    to_date: date | None = None

    @property
    def starts(self) -> datetime | None:
        """The first instant of the window, or None when it has no start."""
        if self.from_date is None:
            return None
        return datetime.combine(self.from_date, time(), tzinfo=UTC)

    @property
    def ends(self) -> datetime | None:
        """The first instant after the window (its last day included), or None."""
        if self.to_date is None:
            return None
        return datetime.combine(self.to_date + timedelta(days=1), time(), tzinfo=UTC)


def _day(name: str, value: str | None) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    # The frontend may send an ISO instant; its day is what counts.
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"{name} must be a date (YYYY-MM-DD)") from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise BadRequestError(f"{name} must be a date from {_FIRST_DAY} to {_LAST_DAY}")
    return day


def parse_search(country_code: str | None, from_date: str | None, to_date: str | None) -> Search:
    """A country (required, ISO alpha-2) and an optional window; 400 on anything else."""
    country = (country_code or "").strip()
    if not country:
        raise BadRequestError("country_code is required")
    if not _COUNTRY.fullmatch(country):
        raise BadRequestError("country_code must be a two-letter ISO code such as GB")
    search = Search(country.upper(), _day("from_date", from_date), _day("to_date", to_date))
    if search.from_date and search.to_date and search.from_date > search.to_date:
        raise BadRequestError("from_date is after to_date")
    return search
