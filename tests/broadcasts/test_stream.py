"""`/get-live-broadcasts-stream`: the old frames, shared upstream calls, heartbeats, a
client that leaves, an empty day, a stream token."""

from __future__ import annotations

import asyncio
import inspect
import json

import httpx
import pytest
from litestar import Litestar
from pytest_httpx import HTTPXMock

from app.broadcasts.controller import BroadcastStreamController
from app.broadcasts.hub import BroadcastHub, SingleFlight, hub_of
from app.broadcasts.stream import HEARTBEAT, live_frames, stream_lines
from app.runtime import runtime_of
from tests.broadcasts.conftest import (
    CAMPAIGN_A,
    CAMPAIGN_B,
    ENV,
    LIST_URL,
    REPORT_URL,
    broadcast,
    envelope,
    hours_ago,
    link,
    mock_day,
    totals,
)

# Each test mocks a whole day; not every test reads all of it.
pytestmark = pytest.mark.httpx_mock(assert_all_responses_were_requested=False)

STREAM = "/get-live-broadcasts-stream"
SENT = hours_ago(2)
DAY = [
    broadcast(11, "UK_A_chunk#2.csv", SENT, link=1),
    broadcast(12, "UK_B_chunk#1.csv", SENT, link=2),
    broadcast(13, "UK_A_chunk#1.csv", SENT, link=1),
    broadcast(14, "UK_C_chunk#1.csv", SENT, link=None),
    broadcast(15, "UK_D_chunk#1.csv", SENT, link=1, state=2),
    broadcast(16, "UK_E_chunk#1.csv", SENT, link=3),
]
LINKS = [
    link(1, f"https://trk.example.com/{CAMPAIGN_A}?Phone={{recipients.id}}"),
    link(2, f"https://trk.example.com/{CAMPAIGN_B}"),
    link(3, "https://trkm.example.com/m/landing"),
]


def frames(body: str) -> list[tuple[str | None, str]]:
    """(event, data) of each frame; comments are skipped."""
    found = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        event = next((line[7:] for line in lines if line.startswith("event: ")), None)
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        found.append((event, data))
    return found


def voluum_totals(request: httpx.Request) -> httpx.Response:
    if request.url.params["filter1Value"] == CAMPAIGN_A:
        return httpx.Response(200, json=totals(40))
    return httpx.Response(200, json={"totalRows": 0, "rows": []})  # no totals at all


async def test_the_frames_are_the_old_ones_in_the_old_order(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY, LINKS)
    httpx_mock.add_callback(voluum_totals, url=REPORT_URL, is_reusable=True)
    answer = await client.get(STREAM)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    got = frames(answer.text)
    assert got[-1] == ("done", "completed")
    payloads = [json.loads(data) for event, data in got[:-1] if event is None]
    assert [(p["type"], p["broadcast"]) for p in payloads] == [
        ("row", "UK_A"), ("row", "UK_A"), ("broadcast_done", "UK_A"),
        ("error", "UK_B"), ("broadcast_done", "UK_B"),
        ("row", "UK_C"), ("broadcast_done", "UK_C"),
        ("row", "UK_E"), ("broadcast_done", "UK_E"),
    ]  # fmt: skip
    assert list(payloads[0]["row"].items()) == [
        ("Campaign ID", CAMPAIGN_A), ("Broadcast ID", 11), ("Name", "UK_A_chunk#2.csv"),
        ("Send Date", SENT.strftime("%Y-%m-%dT%H:%M:%S")), ("Estimated Price", 20.27),
        ("Recipient Count", 517), ("BC Unique Clicks", 5), ("BC Total Clicks", 5),
        ("CTR", "0.97%"), ("DLR Delivered Count", 517), ("DLR Sent Count", 0),
        ("DLR Undelivered Count", 0), ("DLR Rejected Count", 0), ("Voluum Visits", 40),
        ("Voluum Unique Visits", 39), ("Click 2 REG", "4.50%"), ("Reg 2 FTD", "12.5%"),
        ("message_body", "Your bonus is waiting {{link:1}}"),
    ]  # fmt: skip
    assert payloads[3]["error"] == "Voluum returned no totals"
    # No link, and a link whose path is no campaign id: a row without Voluum figures.
    for without in (payloads[5]["row"], payloads[7]["row"]):
        assert without["Campaign ID"] is None
        assert without["Voluum Visits"] == 0
    # One call per campaign window: the two UK_A rows share theirs; no call without one.
    reports = httpx_mock.get_requests(url=REPORT_URL)
    assert sorted(r.url.params["filter1Value"] for r in reports) == [CAMPAIGN_A, CAMPAIGN_B]
    window = reports[0].url.params
    assert window["from"] == SENT.strftime("%Y-%m-%dT%H:00:00Z")


async def test_search_filters_names_in_any_case(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY, LINKS)
    httpx_mock.add_callback(voluum_totals, url=REPORT_URL, is_reusable=True)
    answer = await client.get(STREAM, params={"search": "uk_c"})
    got = frames(answer.text)
    assert [json.loads(d)["type"] for e, d in got if e is None] == ["row", "broadcast_done"]


async def test_a_day_without_broadcasts_is_done_at_once(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, [], [])
    answer = await client.get(STREAM)
    assert answer.status_code == 200
    assert frames(answer.text) == [("done", "completed")]
    # Without a linked message the link map is not even read.
    assert not httpx_mock.get_requests(url=REPORT_URL)


@pytest.fixture
def live_env() -> dict[str, str]:
    return ENV


async def test_concurrent_streams_share_the_upstream_calls(
    live: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    """The whole service with its own pool: 25 dashboards at once."""
    mock_day(httpx_mock, DAY, LINKS)
    httpx_mock.add_callback(voluum_totals, url=REPORT_URL, is_reusable=True)
    answers = await asyncio.gather(*(live.get(STREAM) for _ in range(25)))
    assert {frames(a.text)[-1] for a in answers} == {("done", "completed")}
    assert len({a.text.count("broadcast_done") for a in answers}) == 1
    assert len(httpx_mock.get_requests(url=REPORT_URL)) == 2
    assert len(httpx_mock.get_requests(url=LIST_URL)) == 1


async def test_joining_a_fetch_in_flight_makes_no_second_call() -> None:
    release = asyncio.Event()
    calls: list[str] = []

    async def fetch(key: str) -> str:
        calls.append(key)
        await release.wait()
        return key.upper()

    flight: SingleFlight[str, str] = SingleFlight(fetch, ttl=0, name="test")
    waiting = [asyncio.ensure_future(flight.get("a")) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == ["A"] * 5
    assert calls == ["a"]
    # With no cache (ttl 0), the next caller fetches again.
    assert await flight.get("a") == "A"
    assert calls == ["a", "a"]


async def test_a_stream_token_opens_the_stream(
    anonymous: httpx.AsyncClient, keys: dict[str, str], httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY[3:4], LINKS)
    issued = await anonymous.post("/auth/stream-token", headers={"X-API-Key": keys["read"]})
    token = issued.json()["token"]
    assert (await anonymous.get(STREAM)).status_code == 401
    answer = await anonymous.get(STREAM, params={"token": token})
    assert answer.status_code == 200
    assert frames(answer.text)[-1] == ("done", "completed")


async def test_a_messagewhiz_failure_is_a_502_before_the_stream(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(url=LIST_URL, json=envelope(None, 500, "Internal"), is_reusable=True)
    answer = await client.get(STREAM)
    assert answer.status_code == 502
    assert "mmd-secret-key" not in answer.text


async def _stream_runtime(app: Litestar) -> BroadcastHub:
    return hub_of(runtime_of(app))


async def test_heartbeats_while_voluum_is_slow(
    anonymous: httpx.AsyncClient, app: Litestar, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY[:1], LINKS)
    answered = asyncio.Event()

    async def slow(_request: httpx.Request) -> httpx.Response:
        await answered.wait()
        return httpx.Response(200, json=totals(3))

    httpx_mock.add_callback(slow, url=REPORT_URL)
    hub = await _stream_runtime(app)
    snapshot = await hub.snapshots.get(SENT.date())
    seen: list[bytes] = []
    async for chunk in live_frames(hub, stream_lines(snapshot, None, SENT), heartbeat_seconds=0.01):
        seen.append(chunk)
        if chunk == HEARTBEAT:
            answered.set()  # Voluum answers only once a heartbeat went out
    assert seen[0] == HEARTBEAT
    # A comment: EventSource dispatches nothing for it.
    assert frames(HEARTBEAT.decode()) == []
    got = frames(b"".join(seen).decode())
    assert [json.loads(d)["type"] for e, d in got[:-1]] == ["row", "broadcast_done"]
    assert got[-1] == ("done", "completed")


async def test_a_client_that_leaves_stops_the_upstream_work(
    anonymous: httpx.AsyncClient, app: Litestar, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY[:2], LINKS)
    entered, cancelled = asyncio.Event(), asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["filter1Value"] == CAMPAIGN_A:
            return httpx.Response(200, json=totals(40))
        entered.set()
        try:
            await asyncio.Event().wait()  # campaign B's totals never come
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    httpx_mock.add_callback(answer, url=REPORT_URL, is_reusable=True)
    hub = await _stream_runtime(app)
    snapshot = await hub.snapshots.get(SENT.date())
    frames_out = live_frames(hub, stream_lines(snapshot, None, SENT), heartbeat_seconds=60)
    first = frames((await anext(frames_out)).decode())
    # UK_A's row and its broadcast_done go out together; UK_B waits for Voluum.
    assert [json.loads(d)["broadcast"] for _, d in first] == ["UK_A", "UK_A"]
    await asyncio.wait_for(entered.wait(), timeout=10)  # B's call is in flight
    await frames_out.aclose()  # what Litestar does when the browser goes away
    await asyncio.wait_for(cancelled.wait(), timeout=10)
    # Nothing is left in flight for anyone.
    assert not [k for k, e in hub.totals._entries.items() if not e.task.done()]


async def test_a_voluum_failure_is_an_error_frame_and_the_stream_goes_on(
    client: httpx.AsyncClient, httpx_mock: HTTPXMock
) -> None:
    mock_day(httpx_mock, DAY[:4], LINKS)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["filter1Value"] == CAMPAIGN_B:
            return httpx.Response(503, json={"error": {"code": "UNAVAILABLE"}})
        return httpx.Response(200, json=totals(40))

    httpx_mock.add_callback(answer, url=REPORT_URL, is_reusable=True)
    got = frames((await client.get(STREAM)).text)
    payloads = [json.loads(d) for e, d in got if e is None]
    [error] = [p for p in payloads if p["type"] == "error"]
    assert error == {
        "type": "error", "broadcast": "UK_B", "error": "voluum answered 503 to GET /report"
    }  # fmt: skip
    assert got[-1] == ("done", "completed")
    assert "voluum-secret" not in json.dumps(payloads)


def test_the_stream_route_takes_no_database_connection() -> None:
    """Litestar injects only what a handler names: this one names no connection."""
    handler = BroadcastStreamController.live_stream
    assert set(inspect.signature(handler.fn).parameters) == {"self", "runtime", "search"}
