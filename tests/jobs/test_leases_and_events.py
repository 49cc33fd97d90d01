"""Leases under stress, the LISTEN connection, and resuming a stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import pytest

from app.jobs.controller import _last_event_id
from app.jobs.events import JOBS_QUEUED_CHANNEL, JobEvents, PgListener
from app.jobs.kinds import JobContext
from app.jobs.service import job_event_stream
from app.jobs.worker import JobWorker
from app.settings import JobSettings
from app.sql import SqlQueries
from tests.conftest import make_runtime
from tests.jobs import demo
from tests.jobs.conftest import enqueue, fetch_job, kinds_of
from tests.jobs.test_worker import running_worker, wait_for_progress, wait_for_status


class Unreachable:
    """The pool, until `cut` is set: then the database cannot be reached at all."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.cut = False

    @contextlib.asynccontextmanager
    async def acquire(self, *, timeout: float | None = None) -> AsyncIterator[asyncpg.Connection]:  # noqa: ASYNC109
        if self.cut:
            raise OSError("connection refused")
        async with self._pool.acquire(timeout=timeout) as conn:
            yield conn


async def test_a_job_longer_than_its_lease_keeps_it(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    async def slow(context: JobContext, _payload: dict[str, Any]) -> None:
        await asyncio.sleep(4.5)  # one and a half leases

    job = await enqueue(committed, sql, "demo.slow", {})
    async with running_worker(
        committed, sql, {"demo.slow": slow}, JobSettings(lease_seconds=3, poll_seconds=1)
    ):
        done = await wait_for_status(committed, sql, job.id, {"succeeded", "failed"})
    assert (done.status, done.attempts) == ("succeeded", 1)


async def test_a_worker_cut_off_from_the_database_stops_its_job_before_the_lease_lapses(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    stopped_at: list[float] = []

    async def long(context: JobContext, _payload: dict[str, Any]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped_at.append(time.monotonic())
            raise

    job = await enqueue(committed, sql, "demo.long", {})
    source = Unreachable(committed)
    settings = JobSettings(lease_seconds=3, poll_seconds=1)
    worker = JobWorker(make_runtime(source, sql, settings), kinds_of({"demo.long": long}))
    worker_task = asyncio.create_task(worker.run())
    try:
        await wait_for_status(committed, sql, job.id, {"running"})
        cut_at = time.monotonic()
        source.cut = True
        for _ in range(60):
            if stopped_at:
                break
            await asyncio.sleep(0.1)
        # It gave up its work before the lease (3 s) could lapse and the job run elsewhere.
        assert stopped_at
        assert stopped_at[0] - cut_at < 3.0
    finally:
        worker.stop()
        await asyncio.wait_for(worker_task, 15)

    # Back online, another worker recovers the job once the lease lapses and finishes it.
    async def quick(_context: JobContext, _payload: dict[str, Any]) -> None:
        return None

    async with running_worker(committed, sql, {"demo.long": quick}):
        job_after = await wait_for_status(committed, sql, job.id, {"succeeded", "failed"})
    assert job_after.attempts == 2


async def test_notifications_arrive_and_survive_a_lost_connection(
    committed: asyncpg.Pool, sql: SqlQueries, database_url: str
) -> None:
    queued: asyncio.Queue[str] = asyncio.Queue()
    listener = PgListener(database_url, {JOBS_QUEUED_CHANNEL: queued.put_nowait})
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.sleep(0.5)
        job = await enqueue(committed, sql, "demo.count", {"to": 1})
        assert await asyncio.wait_for(queued.get(), 5) == str(job.id)
        # The server drops the listening connection (a restart, a network cut).
        async with committed.acquire() as conn:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            again = await enqueue(committed, sql, "demo.count", {"to": 1})
            try:
                if await asyncio.wait_for(queued.get(), 1) == str(again.id):
                    break
            except TimeoutError:
                continue
        else:
            pytest.fail("no notification after the connection was lost")
    finally:
        listener.stop()
        await asyncio.wait_for(task, 10)


async def test_a_resumed_stream_sends_only_what_is_newer(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 4, "pause": 0.4})
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        await wait_for_progress(committed, sql, job.id)
        seen = await fetch_job(committed, sql, job.id)
        assert seen is not None
        messages = [
            message
            async for message in job_event_stream(
                make_runtime(committed, sql), job.id, last_event_id=seen.version
            )
        ]
    ids = [int(m.id) for m in messages if m.id]
    assert ids
    assert min(ids) > seen.version
    assert messages[-1].event == "done"


@pytest.mark.parametrize("header", ["\u00b2", "9" * 40, "-1", "abc"])
def test_an_unreadable_last_event_id_is_ignored(header: str) -> None:
    assert _last_event_id(header) == 0


def test_events_fan_out_to_every_stream_of_a_job() -> None:
    async def wait(hub: JobEvents, job_id: str, within: float) -> bool:
        with hub.follow(job_id) as changed:
            try:
                async with asyncio.timeout(within):
                    await changed.wait()
            except TimeoutError:
                return False
            return True

    async def scenario() -> list[bool]:
        hub = JobEvents()
        waits = [asyncio.create_task(wait(hub, "job-1", 2)) for _ in range(3)]
        other = asyncio.create_task(wait(hub, "job-2", 0.3))
        await asyncio.sleep(0.05)
        hub.notify("job-1")
        return [*(await asyncio.gather(*waits)), await other]

    assert asyncio.run(scenario()) == [True, True, True, False]


async def test_a_stream_follows_its_job_while_no_notification_arrives(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    # No listener at all (as while it connects at start-up, or reconnects): the stream
    # must look at the job by itself, not wait a whole heartbeat for a notification.
    job = await enqueue(committed, sql, "demo.count", {"to": 5, "pause": 0.5})
    runtime = make_runtime(committed, sql)
    assert not runtime.job_events.listening
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        messages = [message async for message in job_event_stream(runtime, job.id)]
    assert messages[-1].event == "done"
    steps = {
        msgspec.json.decode(m.data)["progress"]["done"]
        for m in messages
        if m.event in ("progress", "done") and isinstance(m.data, str)
    }
    assert len(steps) >= 3
