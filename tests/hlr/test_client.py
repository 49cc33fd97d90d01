"""The HLR Lookup client against pytest-httpx: exact calls, the money rule, and no
credential in any log line or error."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from pytest_httpx import HTTPXMock

from app.clients.base import ClientPolicy, UpstreamError
from app.clients.hlr import HlrClient
from tests.hlr.conftest import API_KEY, API_URL, BATCH_ID, BATCH_URL, SECRET, FakeHlr, v2_result

AUTH = f"apikey={API_KEY}&secret={SECRET}"


class FastHlr(HlrClient):
    policy = ClientPolicy(max_attempts=3, backoff_base_seconds=0.001, backoff_cap_seconds=0.01)


@pytest.fixture
async def client() -> AsyncIterator[HlrClient]:
    async with FastHlr(
        api_key=API_KEY, secret=SECRET, batch_base_url=BATCH_URL, api_base_url=API_URL
    ) as opened:
        yield opened


def _no_secret(text: str) -> None:
    assert API_KEY not in text
    assert SECRET not in text


def _no_secret_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Ours: httpx's own INFO line has the whole URL, and app/log.py keeps httpx at WARNING."""
    ours = [r for r in caplog.records if r.name.startswith("app.")]
    assert ours
    for record in ours:
        _no_secret(record.getMessage() + json.dumps(record.__dict__, default=str))


async def test_the_batch_calls_are_the_documented_ones(
    client: HlrClient, httpx_mock: HTTPXMock
) -> None:
    batch = FakeHlr.batch("NOT_STARTED", 0, 0)
    httpx_mock.add_response(method="POST", url=f"{BATCH_URL}/batches/?{AUTH}", json=batch)
    httpx_mock.add_response(method="POST", url=f"{BATCH_URL}/batches/{BATCH_ID}/source?{AUTH}")
    httpx_mock.add_response(method="PUT", url=f"{BATCH_URL}/batches/{BATCH_ID}/?{AUTH}")
    httpx_mock.add_response(
        method="GET", url=f"{BATCH_URL}/batches/{BATCH_ID}?{AUTH}",
        json=FakeHlr.batch("COMPLETE", 4, 4),
    )  # fmt: skip
    httpx_mock.add_response(
        method="GET", url=f"{BATCH_URL}/batches/{BATCH_ID}/results?{AUTH}", text="input\n1\n"
    )

    assert await client.create_batch(filename="f.csv") == BATCH_ID
    await client.upload_source(batch_id=BATCH_ID, numbers_csv=b"447400100001\n")
    await client.start_batch(batch_id=BATCH_ID)
    polled = await client.get_batch(batch_id=BATCH_ID)
    assert (polled.status, polled.num_items, polled.num_complete) == ("COMPLETE", 4, 4)
    assert await client.batch_results(batch_id=BATCH_ID) == b"input\n1\n"

    create, source, start = httpx_mock.get_requests()[:3]
    assert json.loads(create.content) == {
        "filename": "f.csv",
        "type": "HLR_V2",
        "batchArguments": {
            "cache_days_private": 30, "cache_days_global": 30, "save_to_cache": "YES"
        },
    }  # fmt: skip
    assert (source.headers["Content-Type"], source.content) == ("text/csv", b"447400100001\n")
    assert json.loads(start.content) == {"status": "PROCESSING"}


async def test_a_batch_without_an_id_is_an_error_not_the_string_none(
    client: HlrClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(json={"id": "", "status": "NOT_STARTED"})
    with pytest.raises(UpstreamError):
        await client.create_batch(filename="f.csv")
    httpx_mock.add_response(json={"status": "NOT_STARTED"})
    with pytest.raises(UpstreamError) as raised:
        await client.create_batch(filename="f.csv")
    assert raised.value.status_code == 502


async def test_a_start_that_fails_with_a_5xx_is_not_repeated_but_a_429_is(
    client: HlrClient, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    httpx_mock.add_response(status_code=500)
    with pytest.raises(UpstreamError) as raised:
        await client.start_batch(batch_id=BATCH_ID)
    assert len(httpx_mock.get_requests()) == 1  # the vendor may have started it: no retry
    _no_secret(raised.value.detail)

    httpx_mock.add_response(status_code=429, json={"error": "TOO_MANY_REQUESTS"})
    httpx_mock.add_response(status_code=200)
    await client.start_batch(batch_id=BATCH_ID)
    assert len(httpx_mock.get_requests()) == 3  # a 429 is refused, not charged: retried
    _no_secret_logged(caplog)


async def test_a_v2_lookup_sends_credentials_in_the_body_and_reads_results_in_order(
    client: HlrClient, httpx_mock: HTTPXMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    numbers = ["447400100001", "447400100002"]
    httpx_mock.add_response(
        method="POST", url=f"{API_URL}/hlr", status_code=429, json={"error": "TOO_MANY_REQUESTS"}
    )
    httpx_mock.add_response(
        method="POST",
        url=f"{API_URL}/hlr",
        json={"results": [v2_result(numbers[0], "LIVE"), v2_result(numbers[1], "DEAD")]},
    )
    results = await client.lookup(numbers=numbers)

    assert [r.live_status for r in results] == ["LIVE", "DEAD"]
    body = json.loads(httpx_mock.get_requests()[-1].content)
    assert (body["api_key"], body["api_secret"]) == (API_KEY, SECRET)
    assert [r["telephone_number"] for r in body["requests"]] == numbers
    row = results[0].flattened(numbers[0])
    assert row["current_network_details.name"] == "EE Limited"
    assert row["original_network_details.mccmnc"] == "23433"
    _no_secret_logged(caplog)


async def test_a_v2_lookup_takes_at_most_80_numbers(client: HlrClient) -> None:
    with pytest.raises(ValueError, match="1 to 80"):
        await client.lookup(numbers=[f"4474001{i:05d}" for i in range(81)])


async def test_an_unauthorized_answer_is_a_502_that_names_no_secret(
    client: HlrClient, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        status_code=401, json={"error": "UNAUTHORIZED", "message": "Invalid api_key or api_secret"}
    )
    with pytest.raises(UpstreamError) as raised:
        await client.get_batch(batch_id=BATCH_ID)
    assert raised.value.status_code == 502
    _no_secret(str(raised.value))
