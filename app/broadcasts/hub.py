"""One producer, many subscribers: what the live streams ask upstream is fetched once per
key, however many streams want it, and kept a short while for the streams that follow.

A fetch is a task the hub owns; each stream that wants it joins (and so holds it alive)
and leaves when done or gone. When the last one leaves before the answer arrives, the
fetch is cancelled: a dashboard that closed stops costing upstream calls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from app.broadcasts.rows import Line, Totals, TotalsKey
from app.clients.messagewhiz import Broadcast, MessageWhizClient
from app.clients.voluum import VoluumClient
from app.runtime import Runtime

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Entry(Generic[V]):
    __slots__ = ("expires_at", "task", "waiters")

    def __init__(self, task: asyncio.Task[V]) -> None:
        self.task = task
        self.waiters = 0
        # Set when the answer arrives; until then the entry is in flight.
        self.expires_at: float | None = None


class SingleFlight(Generic[K, V]):
    """`join(key)`: the one fetch of `key` (started if needed, or a cached answer
    younger than `ttl`); `leave(key, task)` when its answer is no longer wanted."""

    def __init__(
        self,
        fetch: Callable[[K], Awaitable[V]],
        *,
        ttl: float,
        name: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._name = name
        self._clock = clock
        self._entries: dict[K, _Entry[V]] = {}

    def join(self, key: K) -> asyncio.Task[V]:
        now = self._clock()
        entry = self._entries.get(key)
        if entry is None or (entry.expires_at is not None and entry.expires_at <= now):
            self._sweep(now)
            entry = self._start(key)
        entry.waiters += 1
        return entry.task

    def leave(self, key: K, task: asyncio.Task[V]) -> None:
        entry = self._entries.get(key)
        if entry is None or entry.task is not task:
            return
        entry.waiters -= 1
        if entry.waiters <= 0 and not task.done():
            task.cancel()
            del self._entries[key]

    async def get(self, key: K) -> V:
        """Join, wait and leave: the answer for one caller."""
        task = self.join(key)
        try:
            return await asyncio.shield(task)
        finally:
            self.leave(key, task)

    def _start(self, key: K) -> _Entry[V]:
        async def run() -> V:
            return await self._fetch(key)

        entry: _Entry[V] = _Entry(asyncio.create_task(run(), name=f"{self._name}-fetch"))
        self._entries[key] = entry
        entry.task.add_done_callback(lambda task: self._finished(key, entry, task))
        return entry

    def _finished(self, key: K, entry: _Entry[V], task: asyncio.Task[V]) -> None:
        if self._entries.get(key) is not entry:
            return
        if task.cancelled() or task.exception() is not None:
            # A failure is shared by those who waited for it, never cached for later ones.
            del self._entries[key]
            return
        entry.expires_at = self._clock() + self._ttl

    def _sweep(self, now: float) -> None:
        """Forget expired answers (a day's keys number in the hundreds)."""
        expired = [k for k, e in self._entries.items() if e.expires_at and e.expires_at <= now]
        for key in expired:
            del self._entries[key]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A day's broadcasts (newest first) and the link map their messages point into."""

    broadcasts: list[Broadcast]
    links: dict[int, str]
    taken_at: datetime
    # Frames encoded once for every stream of this snapshot (app/broadcasts/stream.py).
    frames: dict[tuple[int, Any], bytes] = field(default_factory=dict)
    # The lines of a (search, hour), made once for every stream that asks the same.
    lines: dict[tuple[str, datetime], list[Line]] = field(default_factory=dict)


class BroadcastHub:
    """The application's one producer for the live streams (kept in the runtime)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        ttl = runtime.settings.broadcasts.totals_cache_seconds
        self.snapshots: SingleFlight[date, Snapshot] = SingleFlight(
            self._snapshot, ttl=ttl, name="messagewhiz-day"
        )
        self.totals: SingleFlight[TotalsKey, Totals | None] = SingleFlight(
            self._totals, ttl=ttl, name="voluum-totals"
        )

    async def _snapshot(self, day: date) -> Snapshot:
        return await take_snapshot(self._runtime.clients.get(MessageWhizClient), day)

    async def _totals(self, key: TotalsKey) -> Totals | None:
        campaign_id, window = key
        voluum = self._runtime.clients.get(VoluumClient)
        voluum_settings = self._runtime.settings.voluum
        currency = voluum_settings.currency if voluum_settings else None
        return await voluum.campaign_totals(campaign_id, window, currency=currency)


async def take_snapshot(messagewhiz: MessageWhizClient, day: date) -> Snapshot:
    """The day's broadcasts, and the links only when some message has one."""
    broadcasts = await messagewhiz.broadcasts_on(day)
    wanted = any(b.link_id() is not None for b in broadcasts)
    links = await messagewhiz.links() if wanted else {}
    return Snapshot(broadcasts, links, datetime.now(UTC))


def hub_of(runtime: Runtime) -> BroadcastHub:
    return runtime.shared(BroadcastHub, lambda: BroadcastHub(runtime))
