"""The daily save (history file, `/files-broadcasts`, stats rows), the cost push, the
write scope of the old GETs, and the daily schedule."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.broadcasts.jobs import schedules
from app.broadcasts.rows import ROW_KEYS
from app.settings import Settings, SettingsError
from tests.broadcasts.conftest import (
    CAMPAIGN_A,
    CAMPAIGN_B,
    REPORT_URL,
    VOLUUM,
    broadcast,
    link,
    mock_day,
    totals,
)
from tests.conftest import make_settings

pytestmark = pytest.mark.httpx_mock(assert_all_responses_were_requested=False)

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=15, second=0)
DAY = YESTERDAY.date().isoformat()
BROADCASTS = [
    broadcast(21, "UK_A_chunk#2.csv", YESTERDAY, link=1),
    broadcast(22, "UK_B_chunk#1.csv", YESTERDAY, link=2, real_price=1000.0),
    broadcast(23, "UK_A_chunk#1.csv", YESTERDAY - timedelta(hours=2), link=1, dlr=None),
    broadcast(24, "UK_C_chunk#1.csv", YESTERDAY, link=None, real_price=300.0),
    broadcast(25, "UK_D_chunk#1.csv", YESTERDAY, link=3, state=2, real_price=200.0),
]
LINKS = [
    link(1, f"https://trk.example.com/{CAMPAIGN_A}?Phone={{recipients.id}}"),
    link(2, f"https://trk.example.com/{CAMPAIGN_B}"),
    link(3, "https://example.com/m/not-a-campaign"),
]


def mock_totals(httpx_mock: HTTPXMock, visits: int) -> None:
    httpx_mock.add_response(url=REPORT_URL, json=totals(visits), is_reusable=True)


async def test_a_day_is_saved_listed_and_downloaded(
    client: httpx.AsyncClient, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)
    mock_totals(httpx_mock, 40)
    saved = await client.post("/save-data-for-specific-date", params={"previous_date": DAY})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"broadcast_count": 4}  # the cancelled one is not saved
    listed = (await client.get("/files-broadcasts")).json()["items"]
    assert len(listed) == 1
    item = listed[0]
    assert item["filename"] == f"MMD_Data_{DAY}.csv"
    assert item["data_date"] == f"{DAY}/T00:00:00.000Z"
    assert item["date"] == DAY
    assert item["number_of_broadcasts"] == 4
    download = await client.get(f"/{item['id']}/download-broadcasts-history")
    assert download.status_code == 200
    assert f'filename="MMD_Data_{DAY}.csv"' in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert tuple(rows[0]) == ROW_KEYS  # no index column
    assert [r[1] for r in rows[1:]] == ["21", "22", "23", "24"]
    assert rows[3][ROW_KEYS.index("DLR Delivered Count")] == "0"  # no dlr
    assert rows[4][0] == ""  # no link, no campaign
    stats = await conn.fetch(
        "SELECT broadcast_id, campaign_id, ctr, voluum_visits, click_2_reg "
        "FROM broadcast_campaign_stats ORDER BY broadcast_id"
    )
    assert [(s["broadcast_id"], s["campaign_id"]) for s in stats] == [
        (21, CAMPAIGN_A), (22, CAMPAIGN_B), (23, CAMPAIGN_A), (24, None)
    ]  # fmt: skip
    assert float(stats[0]["ctr"]) == 0.97
    assert float(stats[0]["click_2_reg"]) == 4.5
    assert stats[0]["voluum_visits"] == 40
    assert stats[3]["voluum_visits"] == 0


async def test_a_rerun_replaces_the_days_file_and_rows(
    client: httpx.AsyncClient, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)
    mock_totals(httpx_mock, 40)
    await client.post("/save-data-for-specific-date", params={"previous_date": DAY})
    first = (await client.get("/files-broadcasts")).json()["items"][0]
    httpx_mock.reset()
    mock_day(httpx_mock, BROADCASTS[:2], LINKS)
    httpx_mock.add_response(url=REPORT_URL, json=totals(90), is_reusable=True)
    again = await client.post("/save-data-for-specific-date", params={"previous_date": DAY})
    assert again.json() == {"broadcast_count": 2}
    listed = (await client.get("/files-broadcasts")).json()["items"]
    assert len(listed) == 1
    assert listed[0]["id"] != first["id"]
    assert (await client.get(f"/{first['id']}/download-broadcasts-history")).status_code == 404
    count = await conn.fetchval(
        "SELECT count(*) FROM api_mmd_broadcasts_files WHERE data_date = $1", YESTERDAY.date()
    )
    assert count == 1


async def test_the_old_gets_need_the_write_scope_and_are_deprecated(
    client: httpx.AsyncClient, keys: dict[str, str], httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, [], [])
    read = {"X-API-Key": keys["read"]}
    for path in ("/save-data-for-previous-date", "/update-costs-for-mmd"):
        assert (await client.get(path, headers=read)).status_code == 403
        assert (await client.post(path, headers=read)).status_code == 403
    answer = await client.get("/save-data-for-previous-date", headers={"X-API-Key": keys["write"]})
    assert answer.json() == {"broadcast_count": 0}
    schema = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in (
        "/save-data-for-previous-date",
        "/save-data-for-specific-date",
        "/update-costs-for-mmd",
    ):
        assert schema[path]["get"].get("deprecated") is True
        assert not schema[path]["post"].get("deprecated")


async def test_a_bad_date_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/save-data-for-specific-date", params={"previous_date": "2026-13-01"}
    )
    assert answer.status_code == 400
    # A day that cannot have broadcasts saves no empty history file.
    for day in ("2099-01-01", "0001-01-01"):
        for method in ("GET", "POST"):
            answer = await client.request(
                method, "/save-data-for-specific-date", params={"previous_date": day}
            )
            assert answer.status_code == 400, answer.text
            assert answer.json()["detail"] == (
                "previous_date must be a day from 2015-01-01 to today (UTC)"
            )
    saved = {i["date"] for i in (await client.get("/files-broadcasts")).json()["items"]}
    assert not saved & {"2099-01-01", "0001-01-01"}


async def test_an_unknown_file_is_a_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/6f0e0d0c-0000-4000-8000-000000000001/download-broadcasts-history")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "File not found"


async def test_the_cost_push_skips_broadcasts_without_a_campaign_and_takes_a_417(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)

    def cost(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["campaignId"] == CAMPAIGN_B:
            error = {"code": "NO_VISITS_PERIOD", "description": "No visits", "messages": []}
            return httpx.Response(417, json={"error": error})
        return httpx.Response(200, json={})

    httpx_mock.add_callback(cost, url=f"{VOLUUM}/report/manual-cost", is_reusable=True)
    answer = await client.post("/update-costs-for-mmd")
    assert answer.status_code == 200, answer.text
    pushed = answer.json()
    assert pushed["total_rows"] == 2
    assert pushed["updates"] == [
        {"index": "0", "rows": 2, "campaign_id": CAMPAIGN_A, "total_cost": 40.53,
         "chunk": "UK_A_chunk#2.csv", "response": 200, "outcome": "updated"},
        {"index": "1", "rows": 1, "campaign_id": CAMPAIGN_B, "total_cost": 10.0,
         "chunk": "UK_B_chunk#1.csv", "response": 417, "outcome": "no_visits"},
    ]  # fmt: skip
    # Every state counts for cost, a cancelled broadcast too; no campaign: reported.
    [skipped] = pushed["skipped"]
    assert skipped["broadcast_ids"] == [24, 25]
    assert skipped["total_cost"] == 5.0
    calls = {json.loads(r.content)["campaignId"]: json.loads(r.content) for r in
             httpx_mock.get_requests(url=f"{VOLUUM}/report/manual-cost")}  # fmt: skip
    assert calls[CAMPAIGN_A]["from"] == f"{DAY}T00:00:00Z"
    assert calls[CAMPAIGN_A]["currency"] == "USD"
    assert calls[CAMPAIGN_A]["cost"] == 40.53


async def test_a_failed_cost_call_is_reported_and_the_others_still_go(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)

    def cost(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["campaignId"] == CAMPAIGN_A:
            return httpx.Response(500, json={"error": {"code": "INTERNAL"}})
        return httpx.Response(200, json={})

    httpx_mock.add_callback(cost, url=f"{VOLUUM}/report/manual-cost", is_reusable=True)
    pushed = (await client.post("/update-costs-for-mmd")).json()
    assert [(u["campaign_id"], u["response"], u["outcome"]) for u in pushed["updates"]] == [
        (CAMPAIGN_A, 500, "failed"), (CAMPAIGN_B, 200, "updated")
    ]  # fmt: skip


def test_the_daily_schedule_runs_at_five_and_only_with_both_integrations(
    mmd_settings: Settings, database_url: str
) -> None:
    [daily] = schedules(mmd_settings)
    assert (daily.cron, daily.enabled) == ("0 5 * * *", True)
    [off] = schedules(make_settings(database_url, MMD_API_KEY="k"))
    assert off.enabled is False


def test_the_cost_currency_is_a_setting_checked_at_start(database_url: str) -> None:
    settings = make_settings(database_url, MMD_COST_CURRENCY="eur")
    assert settings.broadcasts.cost_currency == "EUR"
    with pytest.raises(SettingsError, match="MMD_COST_CURRENCY"):
        make_settings(database_url, MMD_COST_CURRENCY="euros")


def cost_calls(httpx_mock: HTTPXMock) -> list[str]:
    sent = httpx_mock.get_requests(url=f"{VOLUUM}/report/manual-cost")
    return [json.loads(r.content)["campaignId"] for r in sent]


async def test_a_cost_is_pushed_once_however_often_the_push_runs(
    client: httpx.AsyncClient, conn: asyncpg.Connection, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)
    answers = {CAMPAIGN_A: 500, CAMPAIGN_B: 200}

    def cost(request: httpx.Request) -> httpx.Response:
        return httpx.Response(answers[json.loads(request.content)["campaignId"]], json={})

    httpx_mock.add_callback(cost, url=f"{VOLUUM}/report/manual-cost", is_reusable=True)
    first = (await client.post("/update-costs-for-mmd")).json()
    # A 500 may have been applied: never resent by the client itself.
    assert sorted(cost_calls(httpx_mock)) == sorted([CAMPAIGN_A, CAMPAIGN_B])
    assert [u["outcome"] for u in first["updates"]] == ["failed", "updated"]

    # The job retried, the route called again, the schedule's tick caught up: B's cost,
    # already set, is not sent again; A's failed push is.
    answers[CAMPAIGN_A] = 200
    second = (await client.post("/update-costs-for-mmd")).json()
    assert sorted(cost_calls(httpx_mock)) == sorted([CAMPAIGN_A, CAMPAIGN_A, CAMPAIGN_B])
    assert [(u["outcome"], u["response"]) for u in second["updates"]] == [
        ("updated", 200), ("unchanged", 200)
    ]  # fmt: skip
    third = (await client.post("/update-costs-for-mmd")).json()
    assert len(cost_calls(httpx_mock)) == 3
    assert {u["outcome"] for u in third["updates"]} == {"unchanged"}

    # Another run holds B's claim right now: this one leaves it to that run.
    await conn.execute(
        "UPDATE voluum_cost_pushes SET status = 'pushing', claim = gen_random_uuid(),"
        " claimed_at = now() WHERE campaign_id = $1",
        CAMPAIGN_B,
    )
    held = (await client.post("/update-costs-for-mmd")).json()
    assert len(cost_calls(httpx_mock)) == 3
    assert [(u["outcome"], u["response"]) for u in held["updates"]] == [
        ("unchanged", 200), ("in_progress", None)
    ]  # fmt: skip


async def test_a_changed_cost_is_pushed_again(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, BROADCASTS, LINKS)
    httpx_mock.add_response(url=f"{VOLUUM}/report/manual-cost", json={}, is_reusable=True)
    await client.post("/update-costs-for-mmd")
    assert len(cost_calls(httpx_mock)) == 2
    # A late broadcast of campaign A changes its day's cost.
    late = broadcast(26, "UK_A_chunk#3.csv", YESTERDAY, link=1, real_price=500.0)
    mock_day(httpx_mock, [*BROADCASTS, late], LINKS)
    again = (await client.post("/update-costs-for-mmd")).json()
    assert cost_calls(httpx_mock)[2:] == [CAMPAIGN_A]
    assert [(u["campaign_id"], u["outcome"]) for u in again["updates"]] == [
        (CAMPAIGN_A, "updated"), (CAMPAIGN_B, "unchanged")
    ]  # fmt: skip
