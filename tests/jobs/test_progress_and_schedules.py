"""Job progress over SSE and the scheduler, against an app with its own pool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import msgspec
import pytest

from app.auth.repository import ApiKeyRepository
from app.auth.service import ApiKeyService
from app.main import create_app
from app.schedules.scheduler import Scheduler
from app.schedules.schemas import Schedule
from app.sql import SqlQueries
from tests.conftest import make_settings, serve_in_loop
from tests.jobs import demo
from tests.jobs.conftest import enqueue
from tests.jobs.test_worker import running_worker, wait_for_status


@pytest.fixture
async def api(
    committed: asyncpg.Pool, database_url: str, sql: SqlQueries
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its own pool (as in production), and a committed read key."""
    async with committed.acquire() as conn:
        created = await ApiKeyService(ApiKeyRepository(conn, sql)).create("sse-test", "read")
    try:
        async with serve_in_loop(create_app(make_settings(database_url))) as client:
            client.headers["X-API-Key"] = created.key
            yield client
    finally:
        async with committed.acquire() as conn:
            await conn.execute("DELETE FROM api_keys WHERE id = $1", created.id)


def parse_sse(text: str) -> list[dict[str, str]]:
    """The events a browser would dispatch (a block with a data line, even an empty one,
    dispatches one; a keep-alive comment alone dispatches none)."""
    events = []
    for block in text.strip().split("\r\n\r\n" if "\r\n" in text else "\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(":")
            if name:
                fields[name] = value.removeprefix(" ")
        if "data" in fields:
            events.append(fields)
    return events


async def test_progress_arrives_over_sse_in_order_then_done(
    api: httpx.AsyncClient, committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 5, "pause": 0.2})
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        response = await api.get(f"/jobs/{job.id}/events", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    kinds = [e["event"] for e in events]
    assert kinds[-1] == "done"
    assert set(kinds[:-1]) == {"progress"}
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    progress = [msgspec.json.decode(e["data"])["progress"]["done"] for e in events]
    assert progress == sorted(progress)
    assert len(set(progress)) >= 3  # steps 0.2 s apart arrive one by one, not just the end
    final = msgspec.json.decode(events[-1]["data"])
    assert final["status"] == "succeeded"
    assert final["progress"] == {"done": 5, "total": 5, "message": "step 5"}


async def test_keep_alives_are_comments_a_browser_never_dispatches(
    api: httpx.AsyncClient,
    committed: asyncpg.Pool,
    sql: SqlQueries,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("app.jobs.service.HEARTBEAT_SECONDS", 0.05)
    job = await enqueue(committed, sql, "demo.count", {"to": 2, "pause": 0.5})
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        response = await api.get(f"/jobs/{job.id}/events", timeout=30)
    blocks = response.text.strip().split("\r\n\r\n")
    assert ": keep-alive" in blocks
    # Every block a browser dispatches is one of ours: no empty `data:` line anywhere.
    assert {e["event"] for e in parse_sse(response.text)} == {"progress", "done"}
    assert "data: \r\n" not in response.text


async def test_a_reconnect_resumes_after_last_event_id(
    api: httpx.AsyncClient, committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 2, "pause": 0})
    async with running_worker(committed, sql, {"demo.count": demo.count}):
        finished = await wait_for_status(committed, sql, job.id, {"succeeded"})
    response = await api.get(
        f"/jobs/{job.id}/events", headers={"Last-Event-ID": str(finished.version - 1)}
    )
    events = parse_sse(response.text)
    assert [e["event"] for e in events] == ["done"]


async def test_job_snapshot_and_unknown_ids(
    api: httpx.AsyncClient, committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 1})
    snapshot = await api.get(f"/jobs/{job.id}")
    assert snapshot.status_code == 200
    assert snapshot.json()["status"] == "queued"
    assert snapshot.json()["progress"] == {"done": 0, "total": None, "message": None}
    assert "payload" not in snapshot.json()
    unknown = "00000000-0000-0000-0000-000000000001"
    assert (await api.get(f"/jobs/{unknown}")).status_code == 404
    assert (await api.get(f"/jobs/{unknown}/events")).status_code == 404


EVERY_MINUTE = Schedule(name="demo.minutely", cron="* * * * *", job_kind="demo.count")


def _scheduler(pool: asyncpg.Pool, sql: SqlQueries, owner: str) -> Scheduler:
    return Scheduler(
        connections=pool, sql=sql, schedules=[EVERY_MINUTE], owner=owner, max_attempts=3
    )


async def test_a_tick_runs_once_with_two_schedulers(
    committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    now = datetime(2026, 11, 22, 5, 0, 30, tzinfo=UTC)
    first, second = _scheduler(committed, sql, "a"), _scheduler(committed, sql, "b")
    claims = await asyncio.gather(*(s.tick(now) for s in (first, second, first, second)))
    assert sorted(len(c) for c in claims) == [0, 0, 0, 1]
    async with committed.acquire() as conn:
        runs = await conn.fetch("SELECT tick, job_id FROM schedule_runs")
        jobs = await conn.fetchval("SELECT count(*) FROM jobs WHERE kind = 'demo.count'")
    assert [r["tick"] for r in runs] == [datetime(2026, 11, 22, 5, 0, tzinfo=UTC)]
    assert jobs == 1
    assert runs[0]["job_id"] is not None
    # The next minute is a new tick.
    assert await first.tick(now + timedelta(minutes=1)) == ["demo.minutely"]


async def test_schedules_show_their_next_and_last_run(
    api: httpx.AsyncClient, committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    purge = Schedule(name="jobs.purge", cron="30 3 * * *", job_kind="jobs.purge")
    scheduler = Scheduler(
        connections=committed, sql=sql, schedules=[purge], owner="test", max_attempts=3
    )
    # Schedules of unconfigured integrations are listed too, as disabled.
    listed = (await api.get("/schedules")).json()["items"]
    before = [s for s in listed if s["enabled"]]
    assert [s["name"] for s in before] == ["jobs.purge"]
    assert before[0]["cron"] == "30 3 * * *"
    next_run = datetime.fromisoformat(before[0]["next_run_at"])
    assert (next_run.hour, next_run.minute) == (3, 30)
    assert before[0]["last_run"] is None

    await scheduler.tick(datetime.now(UTC))
    after = next(s for s in (await api.get("/schedules")).json()["items"] if s["enabled"])
    assert after["last_run"]["claimed_by"] == "test"
    assert after["last_run"]["status"] == "queued"


async def test_a_browser_follows_a_job_with_a_stream_token(
    api: httpx.AsyncClient, committed: asyncpg.Pool, sql: SqlQueries
) -> None:
    job = await enqueue(committed, sql, "demo.count", {"to": 1, "pause": 0})
    token = (await api.post("/auth/stream-token")).json()["token"]
    key = api.headers.pop("X-API-Key")  # EventSource sends no headers
    try:
        async with running_worker(committed, sql, {"demo.count": demo.count}):
            response = await api.get(f"/jobs/{job.id}/events", params={"token": token})
        assert response.status_code == 200
        assert parse_sse(response.text)[-1]["event"] == "done"
        # The token opens streams only.
        assert (await api.get(f"/jobs/{job.id}", params={"token": token})).status_code == 401
    finally:
        api.headers["X-API-Key"] = key
