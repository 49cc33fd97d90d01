"""Hand-made rows for the two offer tools: conversions, whitelist entries, live events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
import httpx

from tests.jobs.test_progress_and_schedules import parse_sse

# (phone, type, country, offer, postback time)
Conversion = tuple[str, str, str, str, datetime]
OFFER_IDS = {"Offer A": "o-a", "Offer B": "o-b", "Offer C": "o-c", "Offer D": "o-d"}


async def add_conversions(conn: asyncpg.Connection, rows: Sequence[Conversion]) -> None:
    await conn.executemany(
        """
        INSERT INTO api_voluum_conversions (click_id, conversion_type, custom_variable_1,
                                            country_code, offer_name, offer_id, postback_timestamp)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        [
            (f"click-{i}", kind, phone, country, offer, OFFER_IDS.get(offer), at)
            for i, (phone, kind, country, offer, at) in enumerate(rows)
        ],
    )


async def add_clickers(conn: asyncpg.Connection, rows: Sequence[tuple[str, str, datetime]]) -> None:
    """Whitelist entries: (phone, country, listed at)."""
    await conn.executemany(
        """
        INSERT INTO phone_lists (custom_variable_1, list_name, decided_by, country_code,
                                 timestamp_created)
        VALUES ($1, 'whitelist', 'os_version', $2, $3)
        """,
        rows,
    )


async def run_job(client: httpx.AsyncClient, started: httpx.Response) -> dict[str, str]:
    """The started job's answer, once the job is done."""
    assert started.status_code == 200, started.text
    body = started.json()
    assert (body["ok"], body["status"]) == (True, "processing")
    events = parse_sse((await client.get(f"/jobs/{body['job_id']}/events", timeout=60)).text)
    assert events[-1]["event"] == "done", events
    return body
