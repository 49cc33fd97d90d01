"""Bodies of the Voluum routes: the old request and answer shapes, plus job ids."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from app.schemas import Input
from app.voluum.rules import OsRule


class SyncDate(Input, frozen=True):
    """A window `[from_date, to_date)`, ISO-8601; widened to whole hours. `{}` means the
    old defaults."""

    from_date: str = "2025-12-12T00:00:00.000Z"
    to_date: str = "2025-12-13T00:00:00.000Z"


class SyncDataInRangeRequest(Input, frozen=True):
    """The days `start_day` up to, but not including, `end_day` of `month` (end-exclusive,
    as before): each day is `[D 00:00Z, D+1 00:00Z)`, and days past the month's end run
    on into the next month (January 30 to 33 = Jan 30, Jan 31, Feb 1)."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    month: Annotated[int, msgspec.Meta(ge=1, le=12)]
    start_day: Annotated[int, msgspec.Meta(ge=1, le=31)]
    end_day: Annotated[
        int,
        msgspec.Meta(
            ge=2,
            le=93,
            description="The first day NOT synced (end-exclusive); past the month's end, "
            "the days run on into the next month",
        ),
    ]


class ReportRowCounts(msgspec.Struct, frozen=True):
    blacklist_rows: int
    monitor_rows: int
    whitelist_rows: int


class ReportsSynced(msgspec.Struct, frozen=True):
    """The old answer (numbers written per list), the job, and what the sync saw."""

    row_counts: ReportRowCounts
    job_id: UUID
    details: dict[str, Any]


class ConversionRowCounts(msgspec.Struct, frozen=True):
    """Contacts of this sync pushed to Ongage, and failed (each counted once)."""

    successful_rows: int
    unsuccessful_rows: int


class ConversionsSynced(msgspec.Struct, frozen=True):
    row_counts: ConversionRowCounts
    job_id: UUID
    details: dict[str, Any]


class SyncAccepted(msgspec.Struct, frozen=True):
    """The sync is still running: follow it at /jobs/{job_id}; its counts are at
    /voluum/syncs/{job_id} once it is done."""

    status: Literal["accepted"]
    job_id: UUID


class RangeSyncStarted(msgspec.Struct, frozen=True):
    status: Literal["success"]
    job_id: UUID


class SyncResult(msgspec.Struct, frozen=True):
    job_id: UUID
    result: dict[str, Any]


class OsRules(msgspec.Struct, frozen=True):
    """First match by position wins; see the README for how a string is read."""

    items: list[OsRule]


class OsRulesInput(Input, frozen=True):
    items: Annotated[list[OsRule], msgspec.Meta(max_length=1000)]
