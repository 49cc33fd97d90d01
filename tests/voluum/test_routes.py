"""The sync routes at their old paths: 503 without credentials, 202 past the wait, ranges
by real dates, results, the rules, and the schedules shown even when disabled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.main import create_app
from app.runtime import Runtime
from app.voluum.jobs import CONVERSIONS, REPORTS
from tests.conftest import SingleConnection, make_key, make_settings, serve_in_loop
from tests.voluum.conftest import ENV, VOLUUM, run_queued


@pytest.fixture
async def api(
    conn: asyncpg.Connection, database_url: str, tmp_path: Any
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url, UPLOAD_ROOT=str(tmp_path), VOLUUM_SYNC_WAIT_SECONDS="0", **ENV
    )
    app = create_app(settings, connections=SingleConnection(conn))
    async with serve_in_loop(app) as client:
        client.headers["X-API-Key"] = await make_key(conn, settings, "admin")
        yield client


async def jobs_of(conn: asyncpg.Connection, kind: str) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT id, payload FROM jobs WHERE kind = $1", kind)
    return [dict(r) for r in rows]


async def test_without_credentials_the_syncs_answer_503_and_schedules_show_disabled(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/sync-voluum-reports", "/sync-voluum-conversions"):
        answer = await client.post(path, json={})
        assert answer.status_code == 503
        assert "VOLUUM_ACCESS_ID" in answer.json()["detail"]
    schedules = {s["name"]: s for s in (await client.get("/schedules")).json()["items"]}
    assert schedules["voluum-conversions"]["enabled"] is False
    assert schedules["voluum-reports"]["enabled"] is False


async def test_a_sync_past_its_wait_answers_202_and_its_counts_come_later(
    api: httpx.AsyncClient, runtime: Runtime, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    answer = await api.post("/sync-voluum-reports", json={})
    assert answer.status_code == 202
    assert answer.json()["status"] == "accepted"
    job_id = answer.json()["job_id"]
    (job,) = await jobs_of(conn, REPORTS)
    assert str(job["id"]) == job_id
    # `{}` is the old default window.
    assert job["payload"]["windows"] == [["2025-12-12T00:00:00+00:00", "2025-12-13T00:00:00+00:00"]]
    assert (await api.get(f"/voluum/syncs/{job_id}")).status_code == 404

    httpx_mock.add_response(
        url=f"{VOLUUM}/auth/access/session",
        json={"token": "t", "expirationTimestamp": "2999-01-01T00:00:00Z"},
    )
    httpx_mock.add_response(
        json={"totalRows": 1, "rows": [{"customVariable1": "447400100001", "osVersion": "IOS 9"}]}
    )
    await run_queued(runtime, REPORTS)
    done = (await api.get(f"/voluum/syncs/{job_id}")).json()
    assert done["result"]["row_counts"] == {
        "blacklist_rows": 1, "monitor_rows": 0, "whitelist_rows": 0
    }  # fmt: skip
    found = await api.post("/find_records", json={"phone_number": "+44 7400 100001"})
    assert found.status_code == 200
    assert len(found.json()["results"]) == 1


async def test_a_range_runs_on_across_a_month_end_end_exclusive(
    api: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    answer = await api.post(
        "/sync-voluum-conversions-for-range",
        json={"year": 2024, "month": 2, "start_day": 28, "end_day": 31},
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "success"
    (job,) = await jobs_of(conn, CONVERSIONS)
    payload = job["payload"]
    days = [datetime.fromisoformat(start) for start, _ in payload["windows"]]
    assert days == [
        datetime(2024, 2, 28, tzinfo=UTC),
        datetime(2024, 2, 29, tzinfo=UTC),
        datetime(2024, 3, 1, tzinfo=UTC),
    ]
    assert payload["windows"][-1][1] == "2024-03-02T00:00:00+00:00"


@pytest.mark.parametrize(
    "body",
    [
        {"year": 2025, "month": 2, "start_day": 30, "end_day": 31},
        {"year": 2025, "month": 1, "start_day": 5, "end_day": 5},
        {"year": 2025, "month": 13, "start_day": 1, "end_day": 2},
    ],
)
async def test_impossible_ranges_are_400(api: httpx.AsyncClient, body: dict[str, int]) -> None:
    answer = await api.post("/sync-voluum-reports_for_range", json=body)
    assert answer.status_code == 400


async def test_a_window_that_is_no_date_is_400(api: httpx.AsyncClient) -> None:
    answer = await api.post("/sync-voluum-reports", json={"from_date": "yesterday"})
    assert answer.status_code == 400
    backwards = {"from_date": "2026-01-02T00:00:00Z", "to_date": "2026-01-01T00:00:00Z"}
    assert (await api.post("/sync-voluum-conversions", json=backwards)).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        # Rounded up to the next hour: past the calendar's end.
        {"from_date": "9999-12-31T22:00:00", "to_date": "9999-12-31T23:30:00"},
        # Moved to UTC: before the calendar's start.
        {"from_date": "0001-01-01T00:00:00+01:00", "to_date": "2026-01-01T00:00:00Z"},
        {"from_date": "1999-12-31T00:00:00Z", "to_date": "2000-01-02T00:00:00Z"},
        {"from_date": "2100-12-31T00:00:00Z", "to_date": "2101-01-01T01:00:00Z"},
        # Years of work for one request.
        {"from_date": "2020-01-01T00:00:00Z", "to_date": "2026-01-01T00:00:00Z"},
    ],
)
async def test_a_window_off_the_calendar_or_too_long_is_400_not_500(
    api: httpx.AsyncClient, conn: asyncpg.Connection, body: dict[str, str]
) -> None:
    for path in ("/sync-voluum-reports", "/sync-voluum-conversions"):
        answer = await api.post(path, json=body)
        assert answer.status_code == 400, answer.text
        assert "from_date" in answer.json()["detail"] or "days" in answer.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM jobs") == 0


async def test_the_widest_windows_and_ranges_allowed_are_accepted(
    api: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    widest = {"from_date": "2100-10-01T00:00:00Z", "to_date": "2100-12-31T23:30:00Z"}
    assert (await api.post("/sync-voluum-conversions", json=widest)).status_code == 202
    # The range routes' last day (schema bounds: 2100, day 31 + 62 days) stays in range.
    last = {"year": 2100, "month": 12, "start_day": 31, "end_day": 93}
    answer = await api.post("/sync-voluum-conversions-for-range", json=last)
    assert answer.status_code in (200, 201), answer.text
    assert len(await jobs_of(conn, CONVERSIONS)) == 2


async def test_the_rules_are_read_and_replaced(api: httpx.AsyncClient) -> None:
    rules = (await api.get("/voluum/os-version-rules")).json()["items"]
    assert [r["list_name"] for r in rules][:2] == ["blacklist", "blacklist"]
    assert len(rules) == 13
    mine = [{"position": 1, "list_name": "monitor", "os_name": "IOS", "max_major": 12}]
    replaced = await api.put("/voluum/os-version-rules", json={"items": mine})
    assert replaced.status_code == 200
    assert replaced.json()["items"][0]["max_major"] == 12
    empty = [{"position": 1, "list_name": "monitor"}]
    assert (await api.put("/voluum/os-version-rules", json={"items": empty})).status_code == 400
    wrong = [{"position": 1, "list_name": "nowhere", "os_name": "IOS"}]
    assert (await api.put("/voluum/os-version-rules", json={"items": wrong})).status_code == 400
