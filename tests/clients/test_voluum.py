"""The Voluum client: its session, paging by key name, hour windows, totals and costs."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pytest_httpx import HTTPXMock

from app.clients.base import ClientPolicy, UpstreamError
from app.clients.voluum import ReportPage, ReportQuery, VoluumClient, Window
from app.settings import load_settings

BASE = "https://voluum.test"
FIXTURES = Path("/work/shared/fixtures/voluum")
FAST = ClientPolicy(
    rate_per_second=1000.0, max_attempts=3, backoff_base_seconds=0.001, backoff_cap_seconds=0.01
)
DAY = Window.of(datetime(2026, 1, 29, tzinfo=UTC), datetime(2026, 1, 30, tzinfo=UTC))


class FastVoluum(VoluumClient):
    policy = FAST


def session(token: str, expires: str = "2999-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {"token": token, "expirationTimestamp": expires, "inaugural": False}


def page(rows: list[dict[str, Any]], total: int, offset: int = 0) -> dict[str, Any]:
    return {
        "limit": 2,
        "offset": offset,
        "truncated": False,
        "messages": [],
        "totalRows": total,
        "totals": {"visits": len(rows)},
        "columnMappings": [],
        "rows": rows,
    }


def row(phone: str) -> dict[str, Any]:
    # Keys in an order no alphabetical reader would expect: rows are read by name.
    return {"visits": 1, "osVersion": "IOS 18.6", "customVariable1": phone, "uniqueVisits": 1}


@pytest.fixture
async def voluum() -> AsyncIterator[VoluumClient]:
    async with FastVoluum(base_url=BASE, access_id="id-1", access_key="k3y-s3cret") as client:
        yield client


def query_of(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(str(request.url)).query)


async def collect(pages: AsyncIterator[ReportPage]) -> list[ReportPage]:
    return [p async for p in pages]


async def test_a_report_is_read_page_by_page_with_one_session(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    auth = json.loads((FIXTURES / "auth_session.json").read_text())
    auth["expirationTimestamp"] = "2999-01-01T00:00:00.000Z"
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=auth)
    httpx_mock.add_response(json=page([row("447400100001"), row("447400100002")], 5))
    httpx_mock.add_response(json=page([row("447400100003"), row("447400100004")], 5, 2))
    httpx_mock.add_response(json=page([row("447400100005")], 5, 4))
    query = ReportQuery(
        window=DAY,
        group_by=("custom-variable-1", "os-version"),
        columns=("customVariable1", "osVersion", "visits"),
        filters=(("traffic-source", "ts-1"),),
        currency="EUR",
        page_size=2,
    )
    pages = await collect(voluum.report(query))
    phones = [r["customVariable1"] for p in pages for r in p.rows]
    assert phones == [f"44740010000{n}" for n in range(1, 6)]
    requests = httpx_mock.get_requests()
    assert json.loads(requests[0].content) == {"accessId": "id-1", "accessKey": "k3y-s3cret"}
    reports = requests[1:]
    assert all(r.headers["cwauth-token"] == auth["token"] for r in reports)
    first = query_of(reports[0])
    assert first["from"] == ["2026-01-29T00:00:00Z"]
    assert first["to"] == ["2026-01-30T00:00:00Z"]
    assert first["groupBy"] == ["custom-variable-1", "os-version"]
    assert first["column"] == ["customVariable1", "osVersion", "visits"]
    assert first["filter1"] == ["traffic-source"]
    assert first["filter1Value"] == ["ts-1"]
    assert first["tz"] == ["Etc/GMT"]
    assert first["currency"] == ["EUR"]
    assert [query_of(r)["offset"] for r in reports] == [["0"], ["2"], ["4"]]


async def test_paging_stops_at_total_rows_even_if_pages_stay_full(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t1"))
    httpx_mock.add_response(json=page([row("447400100001"), row("447400100002")], 2))
    pages = await collect(voluum.report(ReportQuery(window=DAY, page_size=2)))
    assert len(pages) == 1


async def test_paging_stops_on_a_short_page_even_if_the_total_grows(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t1"))
    httpx_mock.add_response(json=page([row("447400100001"), row("447400100002")], 3))
    httpx_mock.add_response(json=page([row("447400100003")], 999, 2))
    pages = await collect(voluum.report(ReportQuery(window=DAY, page_size=2)))
    assert sum(len(p.rows) for p in pages) == 3


async def test_a_window_without_visits_is_an_empty_report_and_another_417_an_error(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t1"))
    no_visits = {"error": {"code": "NO_VISITS_PERIOD", "description": "No visits", "messages": []}}
    httpx_mock.add_response(status_code=417, json=no_visits)
    httpx_mock.add_response(status_code=417, json=no_visits)
    httpx_mock.add_response(status_code=417, json={"error": {"code": "OTHER"}})
    pages = await collect(voluum.report(ReportQuery(window=DAY, page_size=2)))
    assert [(p.rows, p.totalRows) for p in pages] == [([], 0)]
    raw = await collect(voluum.conversions_json(ReportQuery(window=DAY, page_size=2)))
    assert [len(p.rows) for p in raw] == [0]
    with pytest.raises(UpstreamError, match="417 to GET /report"):
        await collect(voluum.report(ReportQuery(window=DAY, page_size=2)))


async def test_windows_are_rounded_to_the_hour() -> None:
    window = Window.of(
        datetime(2026, 1, 31, 22, 43, 19, tzinfo=UTC), datetime(2026, 1, 31, 23, 0, 1)
    )
    assert window.params() == [("from", "2026-01-31T22:00:00Z"), ("to", "2026-02-01T00:00:00Z")]
    with pytest.raises(ValueError, match="end after"):
        Window.of(datetime(2026, 1, 1, 5, tzinfo=UTC), datetime(2026, 1, 1, 4, tzinfo=UTC))


async def test_a_token_expiring_mid_sync_is_renewed_once(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("old"))
    httpx_mock.add_response(json=page([row("447400100001"), row("447400100002")], 3))
    # Voluum dropped the session between two pages.
    httpx_mock.add_response(status_code=401, json={"error": {"code": "UNAUTHORIZED"}})
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("new"))
    httpx_mock.add_response(json=page([row("447400100003")], 3, 2))
    pages = await collect(voluum.report(ReportQuery(window=DAY, page_size=2)))
    assert sum(len(p.rows) for p in pages) == 3
    requests = httpx_mock.get_requests()
    auths = [r for r in requests if r.url.path == "/auth/access/session"]
    assert len(auths) == 2
    assert requests[-1].headers["cwauth-token"] == "new"


async def test_a_session_near_its_expiry_is_renewed_before_the_call(
    httpx_mock: HTTPXMock,
) -> None:
    now = datetime(2026, 2, 6, 16, 0, tzinfo=UTC)
    clock = [now]
    httpx_mock.add_response(
        url=f"{BASE}/auth/access/session", json=session("a", "2026-02-06T16:22:10.560Z")
    )
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("b"))
    httpx_mock.add_response(json=page([], 0), is_reusable=True)
    async with FastVoluum(
        base_url=BASE, access_id="i", access_key="k", clock=lambda: clock[0]
    ) as client:
        await collect(client.report(ReportQuery(window=DAY)))
        clock[0] = now + timedelta(minutes=10)
        await collect(client.report(ReportQuery(window=DAY)))
        # Within five minutes of the expiry: renewed before it can fail.
        clock[0] = now + timedelta(minutes=18)
        await collect(client.report(ReportQuery(window=DAY)))
    tokens = [
        r.headers["cwauth-token"] for r in httpx_mock.get_requests() if r.url.path == "/report"
    ]
    assert tokens == ["a", "a", "b"]


async def test_concurrent_callers_share_one_reauthentication(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("old"))
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("new"))

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["cwauth-token"] == "old":
            return httpx.Response(401, json={"error": {"code": "UNAUTHORIZED"}})
        return httpx.Response(200, json=page([], 0))

    httpx_mock.add_callback(answer, url=re.compile(r".*/report\?.*"), is_reusable=True)
    # Everyone first holds the old token, then meets the 401 together.
    await voluum._session()
    await asyncio.gather(*(collect(voluum.report(ReportQuery(window=DAY))) for _ in range(8)))
    auths = [r for r in httpx_mock.get_requests() if r.url.path == "/auth/access/session"]
    assert len(auths) == 2


async def test_a_429_and_a_500_are_retried_then_the_page_is_read(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t"))
    httpx_mock.add_response(status_code=429)
    httpx_mock.add_response(status_code=500)
    httpx_mock.add_response(json=page([row("447400100001")], 1))
    pages = await collect(voluum.report(ReportQuery(window=DAY)))
    assert pages[0].rows[0]["customVariable1"] == "447400100001"
    assert len(httpx_mock.get_requests()) == 4


async def test_a_refused_access_key_is_a_502_that_never_shows_the_key(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/auth/access/session",
        status_code=401,
        json={"error": {"code": "UNAUTHORIZED", "description": "bad key k3y-s3cret"}},
    )
    with pytest.raises(UpstreamError) as caught:
        await collect(voluum.report(ReportQuery(window=DAY)))
    assert caught.value.status_code == 502
    assert "k3y-s3cret" not in str(caught.value)


async def test_campaign_totals_are_the_reports_totals(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    report = json.loads((FIXTURES / "report_page.json").read_text())
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t"))
    httpx_mock.add_response(json=report)
    totals = await voluum.campaign_totals("c-1", DAY)
    assert totals is not None
    assert totals["visits"] == report["totals"]["visits"]
    sent = query_of(httpx_mock.get_requests()[-1])
    assert sent["filter1"] == ["campaign"]
    assert sent["filter1Value"] == ["c-1"]


async def test_cost_update_posts_hour_windows_and_reads_no_visits_as_nothing(
    voluum: VoluumClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t"))
    httpx_mock.add_response(url=f"{BASE}/report/manual-cost", json={})
    no_visits = {"error": {"code": "NO_VISITS_PERIOD", "description": "No visits", "messages": []}}
    httpx_mock.add_response(url=f"{BASE}/report/manual-cost", status_code=417, json=no_visits)
    httpx_mock.add_response(
        url=f"{BASE}/report/manual-cost", status_code=417, json={"error": {"code": "OTHER"}}
    )
    assert await voluum.update_cost("c-1", DAY, 249.2, currency="EUR") == 200
    assert await voluum.update_cost("c-2", DAY, 1.0, currency="EUR") == 417
    with pytest.raises(UpstreamError):
        await voluum.update_cost("c-3", DAY, 1.0, currency="EUR")
    body = json.loads(httpx_mock.get_requests()[1].content)
    assert body == {
        "campaignId": "c-1",
        "from": "2026-01-29T00:00:00Z",
        "to": "2026-01-30T00:00:00Z",
        "timeZone": "Etc/GMT",
        "cost": 249.2,
        "currency": "EUR",
    }


async def test_entity_names_and_unknown_ids(voluum: VoluumClient, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/access/session", json=session("t"))
    httpx_mock.add_response(url=f"{BASE}/offer/o-1", json={"id": "o-1", "name": "Brand X UK"})
    httpx_mock.add_response(url=f"{BASE}/campaign/c-9", status_code=404)
    assert await voluum.entity_name("offer", "o-1") == "Brand X UK"
    assert await voluum.entity_name("campaign", "c-9") is None


def test_settings_read_traffic_sources_zone_and_currency() -> None:
    env = {
        "VOLUUM_ACCESS_ID": "id",
        "VOLUUM_ACCESS_KEY": "key",
        "VOLUUM_TRAFFIC_SOURCE_IDS": " ts-1, ts-2 ,,",
        "VOLUUM_TIMEZONE": "Europe/London",
        "VOLUUM_CURRENCY": "usd",
        "VOLUUM_BASE_URL": "http://127.0.0.1:9001/",
    }
    voluum = load_settings(env).voluum
    assert voluum is not None
    assert voluum.traffic_source_ids == ("ts-1", "ts-2")
    assert (voluum.timezone, voluum.currency, voluum.base_url) == (
        "Europe/London",
        "USD",
        "http://127.0.0.1:9001",
    )
    broken = load_settings({**env, "VOLUUM_TIMEZONE": "Mars/Olympus"})
    assert broken.voluum is None
    assert any("VOLUUM_TIMEZONE" in notice for notice in broken.notices)
    assert VoluumClient.from_settings(load_settings({})) is None
