"""The SQS consumer against a real (moto) queue and the real database."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from aiobotocore.session import get_session

from app.encryption.crypto import PhoneCipher
from app.live_events.consumer import LiveEventConsumer
from app.live_events.parse import NOT_AN_EVENT
from app.main import load_queries

CREDENTIALS = {"region_name": "eu-west-1", "aws_access_key_id": "t", "aws_secret_access_key": "t"}
CIPHER = PhoneCipher(bytes(range(32)))


def event(phone: str, at: str, click: str) -> dict[str, Any]:
    return {
        "clickId": click,
        "campaignId": "0f0e0d0c-0000-4000-8000-000000000001",
        "offerId": "0f0e0d0c-0000-4000-8000-0000000000a1",
        "timestamp": at,
        "osVersion": "IOS 18.6",
        "countryCode": "GB",
        "connectionType": "8",
        "customVariables": [phone, "second", "", "", "", "", "", "", "", ""],
    }


def envelope(events: Any, sns_id: str | None = None) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": sns_id or str(uuid.uuid4()),
            "TopicArn": "arn:aws:sns:eu-north-1:123456789012:voluum-live-data",
            "Message": json.dumps(events),
            "Timestamp": "2026-02-07T00:54:01.120Z",
        }
    )


class DeleteFailsOnce:
    """The queue client, except that the first delete dies (the process crashed after
    committing): the messages come back after the visibility timeout."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    async def delete_message_batch(self, **kwargs: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("crashed before deleting")
        return await self._client.delete_message_batch(**kwargs)


@pytest.fixture
async def sqs(moto_endpoint: str) -> AsyncIterator[tuple[Any, str]]:
    async with get_session().create_client(
        "sqs", endpoint_url=moto_endpoint, **CREDENTIALS
    ) as client:
        url = (await client.create_queue(QueueName=f"live-{uuid.uuid4().hex}"))["QueueUrl"]
        yield client, url


@pytest.fixture
async def tables(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    yield pool
    async with pool.acquire() as conn:
        for table in ("raw_live_voluum_sns_data", "voluum_live_events", "live_event_failures"):
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def consumer_for(client: Any, url: str, pool: asyncpg.Pool, **options: Any) -> LiveEventConsumer:
    return LiveEventConsumer(
        client=client,
        queue_url=url,
        connections=pool,
        sql=load_queries(),
        cipher=CIPHER,
        default_region="GB",
        wait_seconds=options.pop("wait_seconds", 1),
        visibility_timeout=options.pop("visibility_timeout", 2),
        backoff_seconds=options.pop("backoff_seconds", 0.1),
    )


async def drain(consumer: LiveEventConsumer, client: Any, url: str, within: float = 20) -> None:
    """Runs the consumer until the queue is empty and stays empty."""
    task = asyncio.create_task(consumer.run())
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            attributes = (
                await client.get_queue_attributes(
                    QueueUrl=url,
                    AttributeNames=[
                        "ApproximateNumberOfMessages",
                        "ApproximateNumberOfMessagesNotVisible",
                    ],
                )
            )["Attributes"]
            if not any(int(v) for v in attributes.values()):
                return
            await asyncio.sleep(0.3)
        pytest.fail(f"queue not drained: {attributes}")
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)


async def _rows(pool: asyncpg.Pool, sql: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return await conn.fetch(sql)


async def test_batches_of_envelopes_and_raw_delivery_are_stored_once_and_deleted(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    token = CIPHER.encrypt("447400100003")
    await client.send_message(
        QueueUrl=url,
        MessageBody=envelope(
            [
                event("+44 7400 100001", "2026-02-07T00:50:00.000Z", "c1"),
                event("447400100002", "2026-02-07T00:51:00.000Z", "c2"),
            ]
        ),
    )
    await client.send_message(  # one event, not a list
        QueueUrl=url, MessageBody=envelope(event(token, "2026-02-07T00:52:00.000Z", "c3"))
    )
    await client.send_message(  # raw delivery: no SNS envelope
        QueueUrl=url, MessageBody=json.dumps([event("07400 100004", "2026-02-07T00:53:00Z", "c4")])
    )
    consumer = consumer_for(client, url, tables)
    await drain(consumer, client, url)

    raw = await _rows(tables, "SELECT click_id, custom_variables FROM raw_live_voluum_sns_data")
    assert sorted(r["click_id"] for r in raw) == ["c1", "c2", "c3", "c4"]
    assert next(r for r in raw if r["click_id"] == "c3")["custom_variables"][0] == token
    live = await _rows(
        tables,
        "SELECT custom_variable_1, click_id, custom_variable_2, connection_type "
        "FROM voluum_live_events ORDER BY 1",
    )
    assert [(r[0], r[1]) for r in live] == [
        ("447400100001", "c1"),
        ("447400100002", "c2"),
        ("447400100003", "c3"),  # decrypted from its link token
        ("447400100004", "c4"),
    ]
    assert live[0]["custom_variable_2"] == "second"
    assert (consumer.stats.received, consumer.stats.stored, consumer.stats.deleted) == (4, 4, 3)


async def test_the_newest_event_per_phone_wins_within_and_across_batches(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    await client.send_message(
        QueueUrl=url,
        MessageBody=envelope(
            [
                event("447400100001", "2026-02-07T00:50:00Z", "older"),
                event("447400100001", "2026-02-07T00:55:00Z", "newest"),
                event("07400 100001", "2026-02-07T00:52:00Z", "middle"),
            ]
        ),
    )
    consumer = consumer_for(client, url, tables)
    await drain(consumer, client, url)
    await client.send_message(  # arrives later, happened earlier
        QueueUrl=url, MessageBody=envelope([event("447400100001", "2026-02-07T00:40:00Z", "late")])
    )
    await drain(consumer_for(client, url, tables), client, url)
    live = await _rows(tables, "SELECT custom_variable_1, click_id FROM voluum_live_events")
    assert [(r[0], r[1]) for r in live] == [("447400100001", "newest")]
    raw = await _rows(tables, "SELECT count(*) FROM raw_live_voluum_sns_data")
    assert raw[0][0] == 4


async def test_malformed_messages_are_parked_and_deleted_and_the_rest_goes_on(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    for body in (
        "not json at all",
        json.dumps({"Type": "Notification", "TopicArn": "arn:x", "Message": "{{broken"}),
        json.dumps({"clickId": 5}),  # the wrong type
    ):
        await client.send_message(QueueUrl=url, MessageBody=body)
    await client.send_message(
        QueueUrl=url, MessageBody=envelope([event("447400100001", "2026-02-07T00:50:00Z", "ok")])
    )
    consumer = consumer_for(client, url, tables)
    await drain(consumer, client, url)
    parked = await _rows(tables, "SELECT body, error FROM live_event_failures ORDER BY id")
    assert parked[0]["body"] == "not json at all"
    assert len(parked) == 3
    assert all(r["error"] for r in parked)
    assert consumer.stats.parked == 3
    live = await _rows(tables, "SELECT click_id FROM voluum_live_events")
    assert [r[0] for r in live] == ["ok"]


async def test_a_crash_between_commit_and_delete_stores_nothing_twice(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    events = [event(f"44740010000{i}", f"2026-02-07T00:5{i}:00Z", f"c{i}") for i in range(5)]
    await client.send_message(QueueUrl=url, MessageBody=envelope(events, sns_id="sns-1"))
    crashing = DeleteFailsOnce(client)
    consumer = consumer_for(crashing, url, tables)
    await drain(consumer, client, url, within=30)
    assert crashing.failed
    assert consumer.stats.received == 10  # the batch, then its redelivery
    assert (consumer.stats.stored, consumer.stats.redelivered) == (5, 5)
    count = await _rows(tables, "SELECT count(*) FROM raw_live_voluum_sns_data")
    assert count[0][0] == 5
    assert consumer.stats.last_error == "ConnectionError: crashed before deleting"


async def test_shutdown_during_a_long_poll_is_prompt(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    consumer = consumer_for(client, url, tables, wait_seconds=20)
    task = asyncio.create_task(consumer.run())
    await asyncio.sleep(1.0)  # inside a 20 s long poll on an empty queue
    started = time.monotonic()
    consumer.stop()
    await asyncio.wait_for(task, 5)
    assert time.monotonic() - started < 2


async def test_the_status_route_says_when_the_consumer_is_off(client: httpx.AsyncClient) -> None:
    response = await client.get("/live-events/status")
    assert response.status_code == 200, response.text
    assert response.json() == {"enabled": False, "stats": None}


async def test_one_bad_event_is_parked_alone_and_nul_characters_are_dropped(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    good = event("447400100001", "2026-02-07T00:50:00Z", "c\u0000lick")
    wrong = {**event("447400100002", "2026-02-07T00:51:00Z", "bad"), "timestamp": 12}
    await client.send_message(QueueUrl=url, MessageBody=envelope([good, wrong], "sns-mixed"))
    consumer = consumer_for(client, url, tables)
    await drain(consumer, client, url)
    live = await _rows(tables, "SELECT custom_variable_1, click_id FROM voluum_live_events")
    assert [(r[0], r[1]) for r in live] == [("447400100001", "click")]
    parked = await _rows(tables, "SELECT message_id, error FROM live_event_failures")
    assert [r["message_id"] for r in parked] == ["sns-mixed:1"]


async def test_a_message_the_database_keeps_refusing_is_parked_after_five_deliveries(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    poison = {**event("447400100001", "2026-02-07T00:50:00Z", "p"), "campaignId": "x" * 100}
    await client.send_message(QueueUrl=url, MessageBody=envelope([poison], "sns-poison"))
    consumer = consumer_for(client, url, tables, visibility_timeout=1)
    await drain(consumer, client, url, within=60)
    parked = await _rows(tables, "SELECT message_id, error FROM live_event_failures")
    assert len(parked) == 1
    assert parked[0]["error"].startswith("not stored after 5 deliveries")
    assert await _rows(tables, "SELECT 1 FROM raw_live_voluum_sns_data") == []


async def test_an_object_with_no_voluum_field_is_parked_not_stored_empty(
    sqs: tuple[Any, str], tables: asyncpg.Pool
) -> None:
    client, url = sqs
    good = event("447400100001", "2026-02-07T00:50:00Z", "ok")
    await client.send_message(
        QueueUrl=url, MessageBody=envelope([good, {}, {"hello": "world"}], "sns-odd")
    )
    await client.send_message(QueueUrl=url, MessageBody=json.dumps({"status": "ping"}))
    consumer = consumer_for(client, url, tables)
    await drain(consumer, client, url)
    raw = await _rows(tables, "SELECT click_id FROM raw_live_voluum_sns_data")
    assert [r[0] for r in raw] == ["ok"]
    parked = await _rows(tables, "SELECT message_id, body, error FROM live_event_failures")
    bodies = sorted((json.loads(r["body"]) for r in parked), key=json.dumps)
    assert bodies == sorted([{}, {"hello": "world"}, {"status": "ping"}], key=json.dumps)
    assert {r["error"] for r in parked} == {NOT_AN_EVENT}
    assert consumer.stats.parked == 3
