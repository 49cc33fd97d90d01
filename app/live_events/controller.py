"""`GET /live-events/status`: what the SQS consumer has done since it started."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from app.live_events.consumer import ConsumerStats, LiveEventConsumer
from app.runtime import Runtime


class ConsumerStatus(msgspec.Struct, frozen=True):
    enabled: bool
    stats: ConsumerStats | None


class LiveEventController(Controller):
    path = "/live-events"
    tags = ("live_events",)

    @get("/status", summary="The SQS consumer's counters")
    async def status(self, runtime: NamedDependency[Runtime]) -> ConsumerStatus:
        """`enabled` is false (and `stats` null) when SQS_QUEUE_URL is not set."""
        consumer = runtime.loops.find(LiveEventConsumer)
        return ConsumerStatus(
            enabled=consumer is not None, stats=consumer.stats if consumer else None
        )
