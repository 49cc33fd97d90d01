from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

# What the `live` fixture does not empty.
LIVE_TABLES = ("voluum_live_events", "raw_live_voluum_sns_data", "voluum_offers")


@pytest.fixture
async def live_tables(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """Live events and the offer map, emptied after a test that commits them."""
    yield
    async with pool.acquire() as conn:
        for table in LIVE_TABLES:
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
