"""Demo job handlers for the tests, importable by a worker running in another process."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import asyncpg

from app.db import init_connection
from app.jobs.kinds import JobContext, JobKind
from app.jobs.worker import JobWorker
from app.main import load_queries
from app.settings import JobSettings
from tests.conftest import make_runtime


async def count(context: JobContext, payload: dict[str, Any]) -> None:
    """Counts to payload['to'], reporting each step."""
    total = int(payload["to"])
    for done in range(1, total + 1):
        await asyncio.sleep(float(payload.get("pause", 0.05)))
        await context.progress(done, total, f"step {done}")


async def hang(context: JobContext, _payload: dict[str, Any]) -> None:
    """Reports that it started, then never finishes (until killed or cancelled)."""
    await context.progress(1, 10, "started")
    await asyncio.Event().wait()


async def _run_worker_until_killed(dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4, init=init_connection)
    runtime = make_runtime(pool, load_queries(), JobSettings(lease_seconds=3, poll_seconds=1))
    worker = JobWorker(runtime, {"demo.hang": JobKind("demo.hang", hang)}, name="doomed-worker")
    await worker.run()


if __name__ == "__main__":
    # A worker process for the kill test: `python -m tests.jobs.demo <dsn>`.
    asyncio.run(_run_worker_until_killed(sys.argv[1]))
    os._exit(0)
