"""The durable job queue under real conditions: committed rows, several workers, kills."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from app.jobs.kinds import JobContext, JobFailedError, JobHandler
from app.jobs.repository import JobRepository
from app.jobs.schemas import Job
from app.jobs.worker import JobWorker
from app.settings import JobSettings
from app.sql import SqlQueries
from tests.conftest import make_runtime
from tests.jobs import demo
from tests.jobs.conftest import enqueue, fetch_job, kinds_of

FAST = JobSettings(poll_seconds=1, lease_seconds=3, retry_base_seconds=0, shutdown_grace_seconds=5)
PROJECT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def running_worker(
    pool: asyncpg.Pool,
    sql: SqlQueries,
    handlers: Mapping[str, JobHandler],
    settings: JobSettings = FAST,
    name: str | None = None,
) -> AsyncIterator[JobWorker]:
    worker = JobWorker(make_runtime(pool, sql, settings), kinds_of(handlers), name=name)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 10)


async def wait_for_status(
    pool: asyncpg.Pool, sql: SqlQueries, job_id: Any, statuses: set[str], within: float = 20
) -> Job:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        job = await fetch_job(pool, sql, job_id)
        if job is not None and job.status in statuses:
            return job
        await asyncio.sleep(0.1)
    pytest.fail(f"job {job_id} never reached {statuses}: {job}")


async def wait_for_progress(pool: asyncpg.Pool, sql: SqlQueries, job_id: Any) -> None:
    for _ in range(200):
        job = await fetch_job(pool, sql, job_id)
        if job is not None and job.progress_done >= 1:
            return
        await asyncio.sleep(0.1)
    pytest.fail("the job reported no progress")


async def test_a_job_runs_to_success_with_its_progress(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 4})
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        done = await wait_for_status(committed, sql, job.id, {"succeeded", "failed"})
    assert done.status == "succeeded"
    assert (done.progress_done, done.progress_total, done.progress_message) == (4, 4, "step 4")
    assert done.attempts == 1
    assert done.finished_at is not None


async def test_two_workers_never_run_the_same_job(committed: asyncpg.Pool, sql: SqlQueries) -> None:
    runs: Counter[str] = Counter()

    async def record(context: JobContext, _payload: dict[str, Any]) -> None:
        runs[str(context.job.id)] += 1
        await asyncio.sleep(0.02)

    jobs = [await enqueue(committed, sql, "demo.record", {}) for _ in range(30)]
    settings = JobSettings(poll_seconds=1, lease_seconds=3, concurrency=3)
    async with (
        running_worker(committed, sql, {"demo.record": record}, settings, name="w1"),
        running_worker(committed, sql, {"demo.record": record}, settings, name="w2"),
    ):
        for job in jobs:
            await wait_for_status(committed, sql, job.id, {"succeeded"})
    assert len(runs) == 30
    assert set(runs.values()) == {1}


async def test_a_failing_job_is_retried_then_failed_with_its_error(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    calls = 0

    async def flaky(_context: JobContext, _payload: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError(f"upstream said 500 (call {calls})")

    job = await enqueue(committed, sql, "demo.flaky", {}, attempts=3)
    async with running_worker(committed, sql, {"demo.flaky": flaky}):
        failed = await wait_for_status(committed, sql, job.id, {"failed"})
    assert calls == 3
    assert failed.attempts == 3
    assert failed.error == "RuntimeError: upstream said 500 (call 3)"


async def test_a_permanent_failure_is_not_retried(committed: asyncpg.Pool, sql: SqlQueries) -> None:
    async def refuse(_context: JobContext, _payload: dict[str, Any]) -> None:
        raise JobFailedError("The file is not a CSV")

    job = await enqueue(committed, sql, "demo.refuse", {}, attempts=3)
    async with running_worker(committed, sql, {"demo.refuse": refuse}):
        failed = await wait_for_status(committed, sql, job.id, {"failed"})
    assert (failed.attempts, failed.error) == (1, "The file is not a CSV")


async def test_a_job_whose_worker_is_killed_is_recovered_after_a_restart(
    committed: asyncpg.Pool, sql: SqlQueries, database_url: str
) -> None:
    job = await enqueue(committed, sql, "demo.hang", {})
    doomed = subprocess.Popen(  # noqa: ASYNC220 - started once, never waited on in the loop
        [sys.executable, "-m", "tests.jobs.demo", database_url],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    try:
        running = await wait_for_status(committed, sql, job.id, {"running"})
        await wait_for_progress(committed, sql, job.id)
        doomed.send_signal(signal.SIGKILL)  # no cleanup, no hand-back: the lease just lapses
        doomed.wait(10)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert running.attempts == 1

    # The restarted service has the real handler; it recovers the job once the lease lapses.
    async def finish(context: JobContext, _payload: dict[str, Any]) -> None:
        await context.progress(10, 10, "finished after recovery")

    async with running_worker(committed, sql, {"demo.hang": finish}):
        recovered = await wait_for_status(committed, sql, job.id, {"succeeded", "failed"})
    assert recovered.status == "succeeded"
    assert recovered.attempts == 2
    assert recovered.progress_message == "finished after recovery"
    # It shows when it first started, and when the attempt that finished it started.
    assert recovered.started_at == running.started_at
    assert recovered.attempt_started_at is not None
    assert running.attempt_started_at is not None
    assert recovered.attempt_started_at > running.attempt_started_at


async def test_a_job_out_of_attempts_when_its_worker_dies_is_failed_with_a_reason(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.hang", {}, attempts=1)
    async with committed.acquire() as conn:
        claimed = await JobRepository(conn, sql).claim(
            owner="vanished", kinds=["demo.hang"], lease_seconds=0.2
        )
    assert claimed is not None
    assert claimed.id == job.id
    await asyncio.sleep(0.3)
    async with running_worker(committed, sql, {"demo.hang": demo.hang}):
        failed = await wait_for_status(committed, sql, job.id, {"failed"})
    assert failed.error == "The worker stopped during attempt 1 of 1 (its lease expired)"


async def test_shutdown_hands_a_running_job_back(committed: asyncpg.Pool, sql: SqlQueries) -> None:
    job = await enqueue(committed, sql, "demo.hang", {})
    settings = JobSettings(poll_seconds=1, lease_seconds=3, shutdown_grace_seconds=0)
    async with running_worker(committed, sql, {"demo.hang": demo.hang}, settings):
        await wait_for_status(committed, sql, job.id, {"running"})
    back = await fetch_job(committed, sql, job.id)
    assert back is not None
    assert (back.status, back.attempts) == ("queued", 0)

    async def finish(_context: JobContext, _payload: dict[str, Any]) -> None:
        return None

    async with running_worker(committed, sql, {"demo.hang": finish}):
        rerun = await wait_for_status(committed, sql, job.id, {"succeeded"})
    assert rerun.attempts == 1
    assert (rerun.started_at, rerun.attempt_started_at) != (None, None)
    assert rerun.started_at == back.started_at
    assert rerun.attempt_started_at > rerun.started_at  # type: ignore[operator]


async def test_a_queued_job_wakes_an_idle_worker_before_its_poll(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    slow_poll = JobSettings(poll_seconds=60, lease_seconds=3)
    async with running_worker(committed, sql, {"demo.count": demo.count}, slow_poll) as worker:
        await asyncio.sleep(0.2)  # idle, waiting up to a minute
        job = await enqueue(committed, sql, "demo.count", {"to": 1, "pause": 0})
        worker.wake()  # what the LISTEN connection does on the queued notification
        done = await wait_for_status(committed, sql, job.id, {"succeeded"}, within=5)
    assert done.status == "succeeded"
