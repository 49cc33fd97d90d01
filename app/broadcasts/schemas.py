"""Bodies of the broadcast routes, in the old shapes (legacy-contract §1.7)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec


class BroadcastCount(msgspec.Struct, frozen=True):
    """What a daily save answers: how many broadcasts the day's file holds."""

    broadcast_count: int


class HistoryItem(msgspec.Struct, frozen=True):
    id: UUID
    filename: str
    uploaded_at: datetime
    data_date: date
    number_of_broadcasts: int


class HistoryFile(msgspec.Struct, frozen=True):
    """A saved day: the old fields (`data_date` as the old string) and the real date."""

    id: UUID
    filename: str
    uploaded_at: datetime
    data_date: str
    number_of_broadcasts: int
    date: date

    @classmethod
    def of(cls, item: HistoryItem) -> HistoryFile:
        return cls(
            id=item.id,
            filename=item.filename,
            uploaded_at=item.uploaded_at,
            # The odd string the old service stored, which the frontend shows.
            data_date=f"{item.data_date.isoformat()}/T00:00:00.000Z",
            number_of_broadcasts=item.number_of_broadcasts,
            date=item.data_date,
        )


class HistoryList(msgspec.Struct, frozen=True):
    items: list[HistoryFile]


# "unchanged": already pushed with this very cost (a retry, a rerun): not sent again.
# "in_progress": another run is pushing it right now.
CostOutcome = Literal["updated", "no_visits", "failed", "unchanged", "in_progress"]


class CostUpdate(msgspec.Struct, frozen=True):
    """One campaign's cost call: the old keys, and what became of it."""

    index: str
    rows: int
    campaign_id: str
    total_cost: float
    # The first broadcast's name.
    chunk: str
    # Voluum's HTTP status (502/504 when it could not be reached); for a cost not sent
    # again, the status of the call that sent it (null while another run is sending it).
    response: int | None
    outcome: CostOutcome


class SkippedCost(msgspec.Struct, frozen=True):
    """Broadcasts whose cost could not go to Voluum: no campaign was found for them."""

    rows: int
    total_cost: float
    chunk: str
    broadcast_ids: list[int]
    reason: str


class CostPush(msgspec.Struct, frozen=True):
    """`total_rows` is the number of campaigns; `skipped` lists what had none."""

    total_rows: int
    updates: list[CostUpdate]
    skipped: list[SkippedCost]
    date: date
