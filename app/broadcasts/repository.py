"""SQL of the broadcast history: the file of each day, and the per-broadcast stats."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from app.broadcasts.schemas import HistoryItem
from app.db import Repository

# Stats column (as the SQL names its array) -> the row key it is read from.
_STATS_COLUMNS = {
    "broadcast_ids": "Broadcast ID",
    "campaign_ids": "Campaign ID",
    "names": "Name",
    "estimated_prices": "Estimated Price",
    "recipient_counts": "Recipient Count",
    "unique_clicks": "BC Unique Clicks",
    "total_clicks": "BC Total Clicks",
    "delivered": "DLR Delivered Count",
    "sent": "DLR Sent Count",
    "undelivered": "DLR Undelivered Count",
    "rejected": "DLR Rejected Count",
    "visits": "Voluum Visits",
    "unique_visits": "Voluum Unique Visits",
    "message_bodies": "message_body",
}
# Stored as numbers: the old service stripped the `%`.
_PERCENT_COLUMNS = {"ctrs": "CTR", "click_2_regs": "Click 2 REG", "reg_2_ftds": "Reg 2 FTD"}


def _percent(text: str) -> float | None:
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return None


class BroadcastRepository(Repository):
    domain = "broadcasts"
    queries = (
        "lock_history_date",
        "delete_history_for_date",
        "insert_history",
        "list_history",
        "upsert_campaign_stats",
        "claim_cost_pushes",
        "record_cost_pushes",
        "list_cost_pushes",
    )

    async def lock_date(self, day: date) -> None:
        """Until the transaction ends, no other save of `day` runs."""
        await self._fetch_value("lock_history_date", data_date=day)

    async def delete_date(self, day: date) -> builtins.list[str]:
        """Removes the day's previous file row; the keys of its stored objects."""
        query = self._query("delete_history_for_date")
        records = await self.conn.fetch(query.sql, *query.args({"data_date": day}))
        return [r["result_key"] for r in records if r["result_key"]]

    async def record(self, file_id: UUID, day: date, count: int) -> None:
        await self._execute(
            "insert_history", file_id=file_id, data_date=day, number_of_broadcasts=count
        )

    async def list(self, *, limit: int) -> builtins.list[HistoryItem]:
        return await self._fetch_all("list_history", HistoryItem, limit=limit)

    async def upsert_stats(
        self, rows: Sequence[Mapping[str, Any]], send_dates: Sequence[datetime | None]
    ) -> None:
        """One statement for the whole day."""
        if not rows:
            return
        params: dict[str, Any] = {
            name: [r[key] for r in rows] for name, key in _STATS_COLUMNS.items()
        }
        params |= {name: [_percent(r[key]) for r in rows] for name, key in _PERCENT_COLUMNS.items()}
        params["send_dates"] = list(send_dates)
        await self._execute("upsert_campaign_stats", **params)

    # --- the cost ledger -----------------------------------------------------------

    async def claim_cost_pushes(
        self,
        day: date,
        costs: Mapping[str, float],
        *,
        currency: str,
        claim: UUID,
        stale_seconds: float,
    ) -> set[str]:
        """The campaigns whose cost for `day` this run may push (see the SQL)."""
        query = self._query("claim_cost_pushes")
        params = {
            "day": day,
            "campaign_ids": list(costs),
            "costs": list(costs.values()),
            "currency": currency,
            "claim": claim,
            "stale_seconds": stale_seconds,
        }
        return {r["campaign_id"] for r in await self.conn.fetch(query.sql, *query.args(params))}

    async def record_cost_pushes(
        self, day: date, claim: UUID, outcomes: Sequence[tuple[str, str, int]]
    ) -> None:
        """(campaign, status, Voluum's HTTP status) of each call this run made."""
        await self._execute(
            "record_cost_pushes",
            day=day,
            claim=claim,
            campaign_ids=[campaign for campaign, _, _ in outcomes],
            statuses=[status for _, status, _ in outcomes],
            responses=[response for _, _, response in outcomes],
        )

    async def cost_pushes(
        self, day: date, campaign_ids: Sequence[str]
    ) -> dict[str, tuple[str, int | None]]:
        """Each campaign's recorded push for `day`: its status and Voluum's answer."""
        query = self._query("list_cost_pushes")
        params = {"day": day, "campaign_ids": list(campaign_ids)}
        records = await self.conn.fetch(query.sql, *query.args(params))
        return {r["campaign_id"]: (r["status"], r["response"]) for r in records}
