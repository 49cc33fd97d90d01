"""/get-metrics counts once per METRICS_CACHE_SECONDS, however many callers ask."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from app.system.schemas import Metrics
from app.system.service import ListCounts
from tests.conftest import SingleConnection, make_settings, serve_in_loop


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counts(total: int) -> Metrics:
    row = [total, 0, 0]
    return Metrics(row, row, row, row, row, row)


class Reader:
    """Counts its reads; each read answers the next total, after `gate` opens."""

    def __init__(self) -> None:
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> Metrics:
        self.reads += 1
        await self.gate.wait()
        return counts(self.reads)


async def test_concurrent_callers_share_one_query() -> None:
    cache, read = ListCounts(5), Reader()
    read.gate.clear()
    callers = [asyncio.create_task(cache.get(read)) for _ in range(50)]
    await asyncio.sleep(0.01)
    read.gate.set()
    answers = await asyncio.gather(*callers)
    assert read.reads == 1
    assert {a.blacklist[0] for a in answers} == {1}


async def test_counts_are_reread_once_they_expire() -> None:
    clock, read = Clock(), Reader()
    cache = ListCounts(5, clock=clock)
    assert (await cache.get(read)).blacklist[0] == 1
    clock.now += 4.9
    assert (await cache.get(read)).blacklist[0] == 1
    assert read.reads == 1

    # Expired: the caller gets the last counts at once, and one refresh starts.
    clock.now += 0.2
    assert (await cache.get(read)).blacklist[0] == 1
    assert (await cache.get(read)).blacklist[0] == 1
    await asyncio.sleep(0)  # the refresh runs
    assert read.reads == 2
    assert (await cache.get(read)).blacklist[0] == 2


async def test_counts_too_old_are_not_served_while_refreshing() -> None:
    clock, read = Clock(), Reader()
    cache = ListCounts(5, clock=clock)
    await cache.get(read)
    clock.now += 10.0  # twice the TTL: the caller waits for new counts
    assert (await cache.get(read)).blacklist[0] == 2


async def test_no_ttl_reads_every_time_but_still_once_for_concurrent_callers() -> None:
    cache, read = ListCounts(0), Reader()
    assert (await cache.get(read)).blacklist[0] == 1
    assert (await cache.get(read)).blacklist[0] == 2
    read.gate.clear()
    callers = [asyncio.create_task(cache.get(read)) for _ in range(10)]
    await asyncio.sleep(0.01)
    read.gate.set()
    assert {a.blacklist[0] for a in await asyncio.gather(*callers)} == {3}


async def test_a_failed_read_reaches_its_callers_and_the_next_call_tries_again() -> None:
    cache = ListCounts(5)

    async def broken() -> Metrics:
        raise ConnectionResetError("database went away")

    with pytest.raises(ConnectionResetError):
        await cache.get(broken)
    assert (await cache.get(Reader())).blacklist[0] == 1


async def test_a_caller_that_leaves_does_not_cancel_the_others_read() -> None:
    cache, read = ListCounts(5), Reader()
    read.gate.clear()
    leaving = asyncio.create_task(cache.get(read))
    staying = asyncio.create_task(cache.get(read))
    await asyncio.sleep(0.01)
    leaving.cancel()
    read.gate.set()
    assert (await staying).blacklist[0] == 1
    assert read.reads == 1


async def _add_blacklisted(conn: asyncpg.Connection, phone: str) -> None:
    await conn.execute(
        "INSERT INTO phone_lists (custom_variable_1, list_name, decided_by) "
        "VALUES ($1, 'blacklist', 'manual')",
        phone,
    )


async def test_the_route_serves_the_counts_it_read_within_the_ttl(
    client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    before = (await client.get("/get-metrics")).json()["blacklist"][0]
    await _add_blacklisted(conn, "447400100901")
    # The default settings keep the counts for a few seconds.
    assert (await client.get("/get-metrics")).json()["blacklist"][0] == before


async def test_without_a_ttl_the_route_counts_every_call(
    settings: Settings, database_url: str, conn: asyncpg.Connection, keys: dict[str, str]
) -> None:
    uncached = make_settings(
        database_url, METRICS_CACHE_SECONDS="0", UPLOAD_ROOT=str(settings.storage.upload_root)
    )
    app = create_app(uncached, connections=SingleConnection(conn))
    async with serve_in_loop(app) as client:
        client.headers["X-API-Key"] = keys["read"]
        before = (await client.get("/get-metrics")).json()["blacklist"][0]
        await _add_blacklisted(conn, "447400100902")
        assert (await client.get("/get-metrics")).json()["blacklist"][0] == before + 1
