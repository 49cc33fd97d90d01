"""The service consumes by itself when SQS_QUEUE_URL is set, and says so at its status."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import httpx
import pytest
from aiobotocore.session import get_session

from tests.live_events.test_consumer import CREDENTIALS, envelope, event

QUEUE = f"live-service-{uuid.uuid4().hex}"


@pytest.fixture
async def live_env(moto_endpoint: str) -> dict[str, str]:
    async with get_session().create_client(
        "sqs", endpoint_url=moto_endpoint, **CREDENTIALS
    ) as client:
        url = (await client.create_queue(QueueName=QUEUE))["QueueUrl"]
        await client.send_message(
            QueueUrl=url,
            MessageBody=envelope([event("447400100001", "2026-02-07T00:50:00Z", "svc")]),
        )
        await client.send_message(QueueUrl=url, MessageBody=json.dumps("not an event"))
    return {
        "SQS_QUEUE_URL": url,
        "AWS_ENDPOINT_URL_SQS": moto_endpoint,
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "SQS_WAIT_SECONDS": "1",
    }


async def test_the_service_consumes_its_queue(live: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
    body: dict = {}
    for _ in range(50):
        body = (await live.get("/live-events/status")).json()
        if body["stats"]["deleted"] == 2:
            break
        await asyncio.sleep(0.2)
    assert body["enabled"] is True
    stats = body["stats"]
    counts = (stats["received"], stats["stored"], stats["parked"], stats["deleted"])
    assert counts == (1, 1, 1, 2)
    async with pool.acquire() as conn:
        phone = await conn.fetchval("SELECT custom_variable_1 FROM voluum_live_events")
        for table in ("raw_live_voluum_sns_data", "voluum_live_events", "live_event_failures"):
            await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    assert phone == "447400100001"
