"""Benchmark: live events through the real parse and write path, from an in-process queue.

    .venv/bin/python scripts/bench_live_events.py [--batches 500]

Each batch is 10 SQS messages of 10 events (SNS envelopes, some phones as link tokens),
handled by `LiveEventConsumer.handle`: parse, decrypt, normalize, one transaction,
delete. Uses DATABASE_URL, else a throwaway embedded PostgreSQL. Prints events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import init_connection  # noqa: E402
from app.embedded import embedded_postgres  # noqa: E402
from app.encryption.crypto import PhoneCipher  # noqa: E402
from app.live_events.consumer import LiveEventConsumer  # noqa: E402
from app.main import load_queries  # noqa: E402
from app.migrations import apply_migrations  # noqa: E402


class QueueStub:
    """Hands out prepared batches; deleting always succeeds."""

    def __init__(self, batches: list[list[dict[str, Any]]]) -> None:
        self.batches = batches

    async def delete_message_batch(self, **kwargs: Any) -> dict[str, Any]:
        return {"Successful": [{"Id": e["Id"]} for e in kwargs["Entries"]], "Failed": []}


def _batches(count: int, cipher: PhoneCipher) -> list[list[dict[str, Any]]]:
    batches = []
    for b in range(count):
        messages = []
        for m in range(10):
            events = []
            for e in range(10):
                n = (b * 100 + m * 10 + e) % 1_000_000
                phone = f"4477{n:08d}"
                events.append(
                    {
                        "clickId": uuid.uuid4().hex,
                        "campaignId": "0f0e0d0c-0000-4000-8000-000000000001",
                        "timestamp": "2026-02-07T00:54:00.966Z",
                        "osVersion": "IOS 18.6",
                        "countryCode": "GB",
                        "customVariables": [cipher.encrypt(phone) if e % 2 else phone] + [""] * 9,
                    }
                )
            body = json.dumps(
                {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": "arn:aws:sns:eu-north-1:123456789012:bench",
                    "Message": json.dumps(events),
                }
            )
            messages.append({"MessageId": str(uuid.uuid4()), "ReceiptHandle": "h", "Body": body})
        batches.append(messages)
    return batches


async def run(url: str, count: int) -> None:
    cipher = PhoneCipher(os.urandom(32))
    stub = QueueStub(_batches(count, cipher))
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, init=init_connection)
    consumer = LiveEventConsumer(
        client=stub,
        queue_url="stub",
        connections=pool,
        sql=load_queries(),
        cipher=cipher,
        default_region="GB",
    )
    try:
        started = time.perf_counter()
        for batch in stub.batches:
            await consumer.handle(batch)
        seconds = time.perf_counter() - started
        events = consumer.stats.received
        print(f"{events:,} events in {count} batches of 10 messages x 10 events: {seconds:.2f} s")
        print(f"live events: {events / seconds:,.0f} events/s (stored {consumer.stats.stored:,})")
    finally:
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM raw_live_voluum_sns_data")
            await conn.execute("DELETE FROM voluum_live_events")
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url:
        apply_migrations(url)
        asyncio.run(run(url, args.batches))
        return
    with (
        tempfile.TemporaryDirectory(prefix="optimizer-bench-") as folder,
        embedded_postgres(Path(folder) / "pg") as url,
    ):
        apply_migrations(url)
        asyncio.run(run(url, args.batches))


if __name__ == "__main__":
    main()
