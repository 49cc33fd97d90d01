"""SQL of live events: one transaction per receive batch, bulk by COPY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.db import Repository

STAGING_COLUMNS = (
    "idempotency_key", "phone", "click_id", "campaign_id", "offer_id", "timestamp",
    "external_id", "traffic_source_id", "lander_id", "affiliate_network_id", "brand",
    "browser", "browser_version", "device", "model", "os", "os_version", "city", "region",
    "country_code", "isp", "ip", "referrer", "url", "user_agent", "language",
    "mobile_carrier", "connection_type", "flow_id", "path_id", "custom_variables",
)  # fmt: skip


class LiveEventRepository(Repository):
    domain = "live_events"
    queries = ("create_live_staging", "insert_raw_events", "upsert_live_events", "park_message")

    async def store(
        self, rows: Sequence[tuple[Any, ...]], parked: Sequence[tuple[str, str, str]]
    ) -> int:
        """Writes a batch in one transaction; returns how many raw events were new."""
        async with self.transaction():
            inserted = 0
            if rows:
                await self._execute("create_live_staging")
                await self.conn.copy_records_to_table(
                    "live_staging", records=rows, columns=STAGING_COLUMNS
                )
                status = await self._execute("insert_raw_events")
                inserted = int(status.split()[-1])
                await self._execute("upsert_live_events")
            for message_id, body, error in parked:
                await self._execute("park_message", message_id=message_id, body=body, error=error)
        return inserted
