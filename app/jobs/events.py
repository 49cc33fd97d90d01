"""PostgreSQL LISTEN/NOTIFY, fanned out in-process.

One dedicated connection per container listens; job state changes (`optimizer_job_events`)
wake the SSE streams that follow that job, and queued jobs (`optimizer_jobs_queued`) wake
the worker. A lost connection is re-made with backoff; until then streams still poll.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Mapping

import asyncpg

log = logging.getLogger(__name__)

JOB_EVENTS_CHANNEL = "optimizer_job_events"
JOBS_QUEUED_CHANNEL = "optimizer_jobs_queued"


class JobEvents:
    """Per-job wake-ups for the streams following a job."""

    def __init__(self) -> None:
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def notify(self, job_id: str) -> None:
        for event in self._waiters.get(job_id, ()):
            event.set()

    async def wait(self, job_id: str, within: float) -> bool:
        """True when the job changed within `within` seconds."""
        event = asyncio.Event()
        self._waiters[job_id].add(event)
        try:
            async with asyncio.timeout(within):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters[job_id].discard(event)
            if not self._waiters[job_id]:
                del self._waiters[job_id]


class PgListener:
    """Owns one LISTEN connection; calls `handlers[channel](payload)` per notification."""

    # How often an idle connection is checked, so a half-open one is noticed.
    PING_SECONDS = 30.0

    def __init__(self, dsn: str, handlers: Mapping[str, Callable[[str], None]]) -> None:
        self._dsn = dsn
        self._handlers = dict(handlers)
        self._stopping = asyncio.Event()
        self._failures = 0

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._listen()
            except Exception as exc:  # whatever broke, listen again after a pause
                self._failures += 1
                log.warning("listener_disconnected", extra={"error": type(exc).__name__})
            delay = min(30.0, 0.5 * 2**self._failures) * random.uniform(0.5, 1.5)  # noqa: S311
            try:
                async with asyncio.timeout(delay):
                    await self._stopping.wait()
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            for channel, handler in self._handlers.items():
                await conn.add_listener(channel, _dispatch(handler))
            self._failures = 0
            log.info("listener_started", extra={"channels": len(self._handlers)})
            while not self._stopping.is_set():
                ended = await _first(self._stopping, lost, within=self.PING_SECONDS)
                if lost.is_set():
                    raise asyncpg.InterfaceError("the listening connection was closed")
                if not ended:  # quiet for a while: make sure the connection still answers
                    async with asyncio.timeout(self.PING_SECONDS):
                        await conn.execute("SELECT 1")
        finally:
            await conn.close(timeout=5)


async def _first(*events: asyncio.Event, within: float) -> bool:
    """Waits for any of `events`; False when none was set within the time."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    done, _ = await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    return bool(done)


def _dispatch(handler: Callable[[str], None]) -> Callable[..., None]:
    def on_notification(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        handler(payload)

    return on_notification
