"""`GET /live-events/status`: what the SQS consumer has done since it started."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State


class ConsumerStatus(msgspec.Struct, frozen=True):
    enabled: bool
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
    started_at: datetime | None = None


def _when(stamp: float | None) -> datetime | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC)


class LiveEventController(Controller):
    path = "/live-events"
    tags = ("live_events",)

    @get("/status", summary="The SQS consumer's counters")
    async def status(self, request: Request[Any, Any, State]) -> ConsumerStatus:
        """Received, stored (new), redelivered, parked and deleted messages; the last error.
        `enabled` is false when SQS_QUEUE_URL is not set."""
        consumer = request.app.state.live_events
        if consumer is None:
            return ConsumerStatus(enabled=False)
        stats = consumer.stats
        return ConsumerStatus(
            enabled=True,
            received=stats.received,
            stored=stats.stored,
            redelivered=stats.redelivered,
            parked=stats.parked,
            deleted=stats.deleted,
            delete_failures=stats.delete_failures,
            undecryptable=stats.undecryptable,
            last_error=stats.last_error,
            last_error_at=_when(stats.last_error_at),
            last_batch_at=_when(stats.last_batch_at),
            started_at=_when(stats.started_at),
        )
