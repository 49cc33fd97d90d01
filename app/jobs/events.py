"""PostgreSQL LISTEN/NOTIFY, fanned out in-process.

One dedicated connection per container listens; job state changes (`optimizer_job_events`)
wake the SSE streams that follow that job, and queued jobs (`optimizer_jobs_queued`) wake
the worker. A lost connection is re-made with backoff; until then streams still poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

import asyncpg

log = logging.getLogger(__name__)

JOB_EVENTS_CHANNEL = "optimizer_job_events"
JOBS_QUEUED_CHANNEL = "optimizer_jobs_queued"


class JobEvents:
    """Per-job wake-ups for the streams following a job, and queued-job wake-ups for the
    worker. `listening` says whether notifications arrive at all right now: while the
    listener is (re)connecting, followers must poll instead of waiting for them."""

    def __init__(self) -> None:
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._on_queued: list[Callable[[], None]] = []
        self.listening = False

    def notify(self, job_id: str) -> None:
        for event in self._waiters.get(job_id, ()):
            event.set()

    def on_queued(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever a job is queued anywhere (the worker looks for work)."""
        self._on_queued.append(callback)

    def queued(self, _job_id: str) -> None:
        for callback in self._on_queued:
            callback()

    def set_listening(self, listening: bool) -> None:
        self.listening = listening

    @contextlib.contextmanager
    def follow(self, job_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever the job changes, for as long as the context lasts.

        A follower clears it *before* reading the job, so that a change between its read
        and its wait is not lost.
        """
        event = asyncio.Event()
        self._waiters[job_id].add(event)
        try:
            yield event
        finally:
            self._waiters[job_id].discard(event)
            if not self._waiters[job_id]:
                del self._waiters[job_id]


class PgListener:
    """Owns one LISTEN connection; calls `handlers[channel](payload)` per notification."""

    # How often an idle connection is checked, so a half-open one is noticed.
    PING_SECONDS = 30.0

    def __init__(
        self,
        dsn: str,
        handlers: Mapping[str, Callable[[str], None]],
        on_listening: Callable[[bool], None] = lambda _listening: None,
    ) -> None:
        self._dsn = dsn
        self._handlers = dict(handlers)
        self._on_listening = on_listening
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
            self._on_listening(True)
            log.info("listener_started", extra={"channels": len(self._handlers)})
            while not self._stopping.is_set():
                ended = await _first(self._stopping, lost, within=self.PING_SECONDS)
                if lost.is_set():
                    raise asyncpg.InterfaceError("the listening connection was closed")
                if not ended:  # quiet for a while: make sure the connection still answers
                    async with asyncio.timeout(self.PING_SECONDS):
                        await conn.execute("SELECT 1")
        finally:
            self._on_listening(False)
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
