"""Every route of legacy-contract §1.7 through HTTP, the whole service running (its own
pool and worker), against the fake MessageWhiz and Voluum servers of scripts/ on
loopback; and the daily job as the schedule queues it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from app.broadcasts.jobs import DAILY
from app.jobs.repository import JobRepository
from app.main import load_queries
from tests.broadcasts.fakes import fake_upstreams
from tests.broadcasts.test_stream import frames


@pytest.fixture
def upstreams() -> Iterator[dict[str, str]]:
    with fake_upstreams(broadcasts=30, campaigns=5) as env:
        yield env


@pytest.fixture
def live_env(upstreams: dict[str, str]) -> dict[str, str]:
    return {**upstreams, "VOLUUM_ACCESS_ID": "demo", "VOLUUM_ACCESS_KEY": "demo"}


@pytest.fixture
async def clean_stats(committed: asyncpg.Pool) -> AsyncIterator[None]:
    yield
    async with committed.acquire() as conn:
        await conn.execute("DELETE FROM broadcast_campaign_stats")


async def test_every_route_end_to_end(live: httpx.AsyncClient, clean_stats: None) -> None:
    stream = await live.get("/get-live-broadcasts-stream")
    assert stream.status_code == 200
    got = frames(stream.text)
    assert got[-1] == ("done", "completed")
    payloads = [json.loads(data) for event, data in got if event is None]
    rows = [p["row"] for p in payloads if p["type"] == "row"]
    # 30 a day, every 17th cancelled (state 2) and so not shown.
    assert len(rows) == 29
    assert {p["broadcast"] for p in payloads if p["type"] == "broadcast_done"} == {
        f"UK_LIST{n}" for n in range(7)
    }
    assert any(r["Voluum Visits"] > 0 for r in rows)

    saved = await live.post("/save-data-for-previous-date")
    assert saved.json() == {"broadcast_count": 29}
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    again = await live.get("/save-data-for-specific-date", params={"previous_date": yesterday})
    assert again.json() == {"broadcast_count": 29}
    [item] = (await live.get("/files-broadcasts")).json()["items"]
    assert item["data_date"] == f"{yesterday}/T00:00:00.000Z"
    download = await live.get(f"/{item['id']}/download-broadcasts-history")
    assert len(list(csv.reader(io.StringIO(download.text)))) == 30

    costs = (await live.post("/update-costs-for-mmd")).json()
    assert costs["total_rows"] == 5
    # Campaign ids ending in 0 or 5 have no visits in the fake: 417, nothing to update.
    assert {u["response"] for u in costs["updates"]} == {200, 417}
    assert costs["skipped"][0]["rows"] == 1  # broadcast 28 has no link


async def test_the_daily_job_pushes_costs_then_saves_history(
    live: httpx.AsyncClient, committed: asyncpg.Pool, clean_stats: None
) -> None:
    async with committed.acquire() as conn:
        job = await JobRepository(conn, load_queries()).enqueue(DAILY, {}, max_attempts=1)
    for _ in range(600):
        view = (await live.get(f"/jobs/{job.id}")).json()
        if view["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.1)
    assert view["status"] == "succeeded", view
    assert "29 broadcast(s) saved" in view["progress"]["message"]
    assert len((await live.get("/files-broadcasts")).json()["items"]) == 1
