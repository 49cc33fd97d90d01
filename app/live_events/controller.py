"""`GET /live-events/status`: what the SQS consumer has done since it started."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State

from app.live_events.consumer import ConsumerStats


class ConsumerStatus(msgspec.Struct, frozen=True):
    enabled: bool
    stats: ConsumerStats | None


class LiveEventController(Controller):
    path = "/live-events"
    tags = ("live_events",)

    @get("/status", summary="The SQS consumer's counters")
    async def status(self, request: Request[Any, Any, State]) -> ConsumerStatus:
        """`enabled` is false (and `stats` null) when SQS_QUEUE_URL is not set."""
        consumer = request.app.state.live_events
        return ConsumerStatus(enabled=consumer is not None, stats=consumer and consumer.stats)
