"""The service as it runs (its own pool and worker) with Voluum and Ongage mocked at the
HTTP level: the routes wait for their jobs and answer the old shapes; one schedule tick
runs once with two schedulers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.schedules.scheduler import Scheduler
from app.sql import SqlQueries
from app.voluum.jobs import CONVERSIONS, schedules
from tests.conftest import make_settings
from tests.voluum.conftest import ENV, ONGAGE, VOLUUM
from tests.voluum.test_conversions_sync import ROWS, partial_answer

SESSION = {"token": "t", "expirationTimestamp": "2999-01-01T00:00:00Z", "inaugural": False}


@pytest.fixture
def live_env() -> dict[str, str]:
    return {**ENV, "VOLUUM_PAGE_SIZE": "100"}


@pytest.fixture
async def clean_names(committed: asyncpg.Pool) -> AsyncIterator[None]:
    yield
    async with committed.acquire() as conn:
        for table in ("voluum_offers", "voluum_campaigns", "voluum_sync_watermarks"):
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


async def test_the_sync_routes_answer_their_counts_and_find_records_sees_the_rows(
    live: httpx.AsyncClient, httpx_mock: HTTPXMock, clean_names: None
) -> None:
    httpx_mock.add_response(url=f"{VOLUUM}/auth/access/session", json=SESSION)
    report_rows = [
        {"customVariable1": "447400100001", "osVersion": "Android 6.0", "uniqueVisits": 2},
        {"customVariable1": "447400100002", "osVersion": "Windows 11", "uniqueVisits": 1},
        {"customVariable1": "447400100003", "osVersion": "IOS 17.1", "uniqueVisits": 1},
    ]
    httpx_mock.add_response(
        url=re.compile(r".*/report\?.*"),
        json={"totalRows": 3, "rows": report_rows},
        is_reusable=True,
    )
    window = {"from_date": "2026-01-29T00:00:00.000Z", "to_date": "2026-01-30T00:00:00.000Z"}
    answer = await live.post("/sync-voluum-reports", json=window)
    assert answer.status_code == 200, answer.text
    assert answer.json()["row_counts"] == {
        "blacklist_rows": 1, "monitor_rows": 1, "whitelist_rows": 1
    }  # fmt: skip
    found = await live.post("/find_records", json={"phone_number": "07400 100001"})
    assert [row[1] for row in found.json()["results"]] == ["447400100001"]

    httpx_mock.add_response(
        url=re.compile(r".*/report/conversions\?.*"), json={"totalRows": 2, "rows": ROWS}
    )
    httpx_mock.add_response(
        url=f"{ONGAGE}/12345/api/v2/contacts/",
        method="POST",
        status_code=412,
        json=partial_answer(),
    )
    answer = await live.post("/sync-voluum-conversions", json=window)
    assert answer.status_code == 200, answer.text
    assert answer.json()["row_counts"] == {"successful_rows": 1, "unsuccessful_rows": 1}

    range_answer = await live.post(
        "/sync-voluum-reports_for_range",
        json={"year": 2026, "month": 1, "start_day": 31, "end_day": 32},
    )
    assert range_answer.json()["status"] == "success"
    job = await _finished(live, range_answer.json()["job_id"])
    assert job["status"] == "succeeded", job
    requests = [r for r in httpx_mock.get_requests() if r.url.path == "/report"]
    assert requests[-1].url.params["from"] == "2026-01-31T00:00:00Z"
    assert requests[-1].url.params["to"] == "2026-02-01T00:00:00Z"


async def _finished(live: httpx.AsyncClient, job_id: str) -> dict[str, object]:
    for _ in range(200):
        job: dict[str, object] = (await live.get(f"/jobs/{job_id}")).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish")


async def test_one_tick_of_the_conversions_schedule_runs_once_with_two_schedulers(
    committed: asyncpg.Pool, sql: SqlQueries, database_url: str
) -> None:
    declared = schedules(make_settings(database_url, **ENV))
    assert all(s.enabled for s in declared)
    now = datetime(2026, 11, 22, 5, 5, 30, tzinfo=UTC)
    pair = [
        Scheduler(connections=committed, sql=sql, schedules=declared, owner=o, max_attempts=3)
        for o in ("a", "b")
    ]
    try:
        claims = await asyncio.gather(*(s.tick(now) for s in (*pair, *pair)))
        # Each schedule's tick claimed exactly once, by whichever scheduler came first.
        assert sorted(name for names in claims for name in names) == [
            "voluum-conversions", "voluum-reports"
        ]  # fmt: skip
        async with committed.acquire() as conn:
            jobs = await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = $1", CONVERSIONS)
        assert jobs == 1
    finally:
        async with committed.acquire() as conn:
            await conn.execute("DELETE FROM schedule_runs")
            await conn.execute("DELETE FROM jobs")
