"""The MessageWhiz client against pytest-httpx answers: paging, dates, links, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pytest_httpx import HTTPXMock

from app.clients.messagewhiz import (
    PAGE_SIZE,
    MessageWhizAuthError,
    MessageWhizClient,
    MessageWhizError,
    campaign_of,
)
from tests.broadcasts.conftest import (
    CAMPAIGN_A,
    LINK_URL,
    LIST_URL,
    MMD,
    broadcast,
    envelope,
    link,
)

DAY = date(2026, 1, 11)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
async def mmd() -> MessageWhizClient:
    return MessageWhizClient(base_url=MMD, api_key="mmd-secret-key")


async def test_pages_until_a_short_page_with_the_apikey_header(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    full = [link(i, f"https://trk.example.com/{CAMPAIGN_A}?Phone=1") for i in range(PAGE_SIZE)]
    httpx_mock.add_response(url=f"{MMD}/Link?limit=100&start=0", json=envelope(full))
    short = [link(500, "https://trk.example.com/not-a-uuid")]
    httpx_mock.add_response(url=f"{MMD}/Link?limit=100&start=100", json=envelope(short))
    links = await mmd.links()
    assert len(links) == PAGE_SIZE + 1
    # The query string goes: the URL is the campaign's.
    assert links[0] == f"https://trk.example.com/{CAMPAIGN_A}"
    requests = httpx_mock.get_requests()
    assert [r.headers["apikey"] for r in requests] == ["mmd-secret-key"] * 2


async def test_a_days_broadcasts_stop_after_a_page_that_reaches_the_day_before(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    later = [
        broadcast(1000 + i, f"NEXT_chunk#{i}", at(DAY + timedelta(days=1), 1)) for i in range(40)
    ]
    today = [broadcast(2000 + i, f"UK_chunk#{i}", at(DAY, 23, 59 - i)) for i in range(50)]
    before = [
        broadcast(3000 + i, f"OLD_chunk#{i}", at(DAY - timedelta(days=1), 22)) for i in range(10)
    ]
    httpx_mock.add_response(
        url=f"{MMD}/Broadcast/List?limit=100&start=0", json=envelope(later + today + before)
    )
    found = await mmd.broadcasts_on(DAY)
    assert [b.id for b in found] == [2000 + i for i in range(50)]
    # One page only: it ended before the day.
    assert len(httpx_mock.get_requests(url=LIST_URL)) == 1


async def test_a_page_of_the_day_is_followed_by_the_next(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    first = [broadcast(i, f"A_chunk#{i}", at(DAY, 23)) for i in range(PAGE_SIZE)]
    second = [
        broadcast(500, "B_chunk#1", at(DAY, 1)),
        broadcast(501, "C", at(DAY - timedelta(days=1), 23)),
    ]
    httpx_mock.add_response(url=f"{MMD}/Broadcast/List?limit=100&start=0", json=envelope(first))
    httpx_mock.add_response(url=f"{MMD}/Broadcast/List?limit=100&start=100", json=envelope(second))
    found = await mmd.broadcasts_on(DAY)
    assert len(found) == PAGE_SIZE + 1


async def test_a_missing_dlr_and_a_message_without_a_link_are_read(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    item = broadcast(7, "X_chunk#1", at(DAY, 9), link=None)
    del item["dlr"]
    httpx_mock.add_response(url=LIST_URL, json=envelope([item]))
    [found] = await mmd.broadcasts_on(DAY)
    assert found.dlr is None
    assert found.link_id() is None


def test_the_campaign_is_the_first_path_segment_when_it_is_a_uuid() -> None:
    assert campaign_of(f"https://trk.example.com/{CAMPAIGN_A}") == CAMPAIGN_A
    assert campaign_of(f"https://trk.example.com/{CAMPAIGN_A.upper()}/x") == CAMPAIGN_A
    # The old "m/" split would have found a campaign in both of these.
    assert campaign_of("https://example.com/m/offer") is None
    assert campaign_of("https://trkm.example.com/landing") is None
    assert campaign_of("https://trk.example.com/") is None
    assert campaign_of(None) is None


async def test_an_error_code_is_a_typed_error(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=LINK_URL, json=envelope(None, 1042, "Invalid parameter: start"))
    with pytest.raises(MessageWhizError) as raised:
        await mmd.links()
    assert raised.value.error_code == 1042
    assert raised.value.status_code == 502
    assert "Invalid parameter" in raised.value.detail


async def test_a_refused_key_is_an_auth_error_that_does_not_name_the_key(
    mmd: MessageWhizClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=LINK_URL, status_code=401, json=envelope(None, 401, "Unauthorized"))
    with pytest.raises(MessageWhizAuthError) as raised:
        await mmd.links()
    assert "mmd-secret-key" not in raised.value.detail
