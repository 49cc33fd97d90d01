"""The SQS consumer: long-polls, writes each batch in one transaction, deletes after commit.

Owned by the application's lifespan when SQS_QUEUE_URL is set. A message that cannot be
read is parked (kept with its error) and deleted: it never blocks or loops. Any other
failure leaves the batch in the queue, to come back after the visibility timeout, and
the loop waits a little longer each time (capped) before it polls again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime
from typing import Any

import msgspec
import polars as pl

from app.db import ConnectionSource, acquire
from app.encryption.crypto import InvalidTokenError, PhoneCipher, looks_like_token
from app.live_events.parse import KeyedEvent, MalformedMessageError, parse_body
from app.live_events.repository import LiveEventRepository
from app.phones.normalize import normalize_series
from app.sql import SqlQueries

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
# A message delivered this often without being stored is parked: it would loop forever.
MAX_RECEIVES = 5


def _now() -> datetime:
    return datetime.now(UTC)


class ConsumerStats(msgspec.Struct, kw_only=True):
    """What an operator sees at /live-events/status: events received, new (stored),
    seen before (redelivered), parked messages, deletions, and the last error."""

    received: int = 0
    stored: int = 0
    redelivered: int = 0
    parked: int = 0
    deleted: int = 0
    delete_failures: int = 0
    undecryptable: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_batch_at: datetime | None = None
    started_at: datetime = msgspec.field(default_factory=_now)


class LiveEventConsumer:
    def __init__(
        self,
        *,
        client: Any,
        queue_url: str,
        connections: ConnectionSource,
        sql: SqlQueries,
        cipher: PhoneCipher | None,
        default_region: str,
        wait_seconds: int = 20,
        visibility_timeout: int = 120,
        backoff_seconds: float = 2.0,
    ) -> None:
        self._client = client
        self._queue_url = queue_url
        self._connections = connections
        self._sql = sql
        self._cipher = cipher
        self._region = default_region
        self._wait_seconds = wait_seconds
        self._visibility_timeout = visibility_timeout
        self._backoff = backoff_seconds
        self._stopping = asyncio.Event()
        self.stats = ConsumerStats()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        log.info("live_events_consumer_started")
        failures = 0
        while not self._stopping.is_set():
            try:
                messages = await self._receive()
                if messages:
                    await self.handle(messages)
                failures = 0
            except Exception as exc:  # the batch stays in the queue; try again later
                failures += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"[:500]
                self.stats.last_error_at = _now()
                log.exception("live_events_batch_failed", extra={"failures": failures})
                delay = min(MAX_BACKOFF_SECONDS, self._backoff * 2 ** (failures - 1))
                delay *= random.uniform(0.5, 1.5)  # noqa: S311
                try:
                    async with asyncio.timeout(delay):
                        await self._stopping.wait()
                except TimeoutError:
                    pass
        log.info("live_events_consumer_stopped", extra=self._summary())

    async def _receive(self) -> list[dict[str, Any]]:
        """One long poll, abandoned at once on stop (unreceived means undelivered)."""
        poll = asyncio.ensure_future(
            self._client.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=self._wait_seconds,
                VisibilityTimeout=self._visibility_timeout,
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        )
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not poll.done():
            poll.cancel()
            return []
        messages: list[dict[str, Any]] = poll.result().get("Messages", [])
        return messages

    async def handle(self, messages: list[dict[str, Any]]) -> None:
        """Parse, store in one transaction, and only then delete from the queue."""
        keyed: list[KeyedEvent] = []
        parked: list[tuple[str, str, str]] = []
        for message in messages:
            body = _text(message.get("Body", "")) or ""
            try:
                events, bad = parse_body(message["MessageId"], body)
            except MalformedMessageError as exc:
                parked.append((message["MessageId"], body, str(exc)[:1000]))
                continue
            keyed += events
            parked += [(b.key, _text(b.raw) or "", b.error[:1000]) for b in bad]
        rows = self._rows(keyed)
        try:
            async with acquire(self._connections) as conn:
                inserted = await LiveEventRepository(conn, self._sql).store(rows, parked)
        except Exception as exc:
            await self._park_poison(messages, exc)
            raise
        self.stats.received += len(keyed)
        self.stats.stored += inserted
        self.stats.redelivered += len(keyed) - inserted
        self.stats.parked += len(parked)
        self.stats.last_batch_at = _now()
        await self._delete(messages)
        log.info(
            "live_events_batch",
            extra={"events": len(keyed), "new": inserted, "parked": len(parked)},
        )

    async def _park_poison(self, messages: list[dict[str, Any]], error: Exception) -> None:
        """Messages the database refused MAX_RECEIVES times: parked and deleted, so that
        the rest of their batch goes through on the next receive."""
        poison = [m for m in messages if _receives(m) >= MAX_RECEIVES]
        if not poison:
            return
        reason = f"not stored after {MAX_RECEIVES} deliveries: {type(error).__name__}"
        async with acquire(self._connections) as conn:
            await LiveEventRepository(conn, self._sql).store(
                [], [(m["MessageId"], _text(m.get("Body", "")) or "", reason) for m in poison]
            )
        self.stats.parked += len(poison)
        await self._delete(poison)
        log.warning("live_events_poison_parked", extra={"messages": len(poison)})

    def _rows(self, keyed: list[KeyedEvent]) -> list[tuple[Any, ...]]:
        firsts = [_text((k.event.custom_variables or [None])[0]) or None for k in keyed]
        plain = [self._plain(value) for value in firsts]
        phones = normalize_series(pl.Series(plain, dtype=pl.String), self._region)["phone"]
        return [
            (
                k.key,
                phone,
                *(_text(getattr(k.event, name)) for name in _EVENT_FIELDS),
                [_text(v) for v in k.event.custom_variables],
            )
            for k, phone in zip(keyed, phones.to_list(), strict=True)
        ]

    def _plain(self, value: str | None) -> str | None:
        """Custom variable 1 as a phone: decrypted when it is a link token."""
        if value is None or not looks_like_token(value):
            return value
        if self._cipher is None:  # stored as received (raw table), not as a phone
            self.stats.undecryptable += 1
            return None
        try:
            return self._cipher.decrypt(value)
        except InvalidTokenError:
            self.stats.undecryptable += 1
            return None

    async def _delete(self, messages: list[dict[str, Any]]) -> None:
        entries = [
            {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]}
            for index, m in enumerate(messages)
        ]
        answer = await self._client.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        # A 200 can still carry failures; those messages simply come back (and are stored once).
        failed = answer.get("Failed", [])
        self.stats.deleted += len(answer.get("Successful", []))
        self.stats.delete_failures += len(failed)
        if failed:
            log.warning("live_events_delete_failed", extra={"failed": len(failed)})

    def _summary(self) -> dict[str, Any]:
        counts = msgspec.structs.asdict(self.stats)
        return {k: v for k, v in counts.items() if isinstance(v, int)}


_EVENT_FIELDS = (
    "click_id", "campaign_id", "offer_id", "timestamp", "external_id", "traffic_source_id",
    "lander_id", "affiliate_network_id", "brand", "browser", "browser_version", "device",
    "model", "os", "os_version", "city", "region", "country_code", "isp", "ip", "referrer",
    "url", "user_agent", "language", "mobile_carrier", "connection_type", "flow_id", "path_id",
)  # fmt: skip


def _text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters; an event's strings lose them."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _receives(message: dict[str, Any]) -> int:
    count = message.get("Attributes", {}).get("ApproximateReceiveCount", "1")
    return int(count) if str(count).isdigit() else 1
