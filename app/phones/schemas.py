"""Bodies of the phone routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from app.schemas import Input


class FindRecords(Input, frozen=True):
    phone_number: str


class FoundRecords(msgspec.Struct, frozen=True):
    """Each traffic row as its values in column order, as the old route answered."""

    results: list[list[Any]]


class PhoneStatus(msgspec.Struct, frozen=True):
    phone: str
    list_name: Literal["blacklist", "whitelist", "monitor"] | None
    decided_by: Literal["manual", "hlr", "os_version"] | None
    reason: str | None
    source: str | None
    listed_at: datetime | None
    seen: bool
    conversions: int
    # From the numbering plan, not the database: the number's LineType value and the
    # ISO 3166 region it belongs to.
    line_type: str | None = None
    country: str | None = None
