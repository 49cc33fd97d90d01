"""The drip runner against a real database and a counting fake of Ongage, on a clock the
tests move: pacing, pause and resume, a PATCH mid-run, partial failures, backoff,
restarts and a second runner, completion."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from pytest_httpx import HTTPXMock

from app.clients import Clients
from app.csv_jobs.repository import CsvJobRepository, DripRepository
from app.csv_jobs.runner import Tick
from app.csv_jobs.service import CsvJobService
from app.sql import SqlQueries
from tests.conftest import SingleConnection
from tests.csv_jobs.conftest import (
    DEFAULT_LIST,
    Clock,
    FakeOngage,
    contacts_csv,
    email,
    runner,
    started_job,
    statuses,
)


@pytest.fixture(autouse=True)
def ongage_answers(httpx_mock: HTTPXMock, fake_ongage: FakeOngage) -> None:
    httpx_mock.add_callback(fake_ongage, is_reusable=True)


async def sent_per_tick(conn: asyncpg.Connection, job_id: object) -> list[int]:
    rows = await conn.fetch(
        "SELECT sent + failed AS n FROM csv_job_ticks WHERE job_id = $1 ORDER BY id", job_id
    )
    return [row["n"] for row in rows]


async def job_row(conn: asyncpg.Connection, job_id: object) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM csv_jobs WHERE id = $1", job_id)
    assert row is not None
    return row


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
async def test_a_job_drains_at_its_pace_in_file_order_then_completes(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(100))
    drip = runner(SingleConnection(conn), sql, ongage_clients, clock)
    ticks = 0
    while (await job_row(conn, job_id))["status"] == "running":
        assert await drip.run_due() == 1
        ticks += 1
        # Not due again before the interval has passed.
        clock.advance(59)
        assert await drip.run_due() == 0
        clock.advance(1)
        assert ticks < 20
    per_tick = await sent_per_tick(conn, job_id)
    assert sum(per_tick) == 100
    assert all(10 <= n <= 20 for n in per_tick[:-1])
    assert 1 <= per_tick[-1] <= 20
    # File order, each contact once, in requests Ongage accepts, to the default list.
    assert fake_ongage.received == [email(i) for i in range(100)]
    assert all(len(body) <= 20 for _, body in fake_ongage.requests)
    assert {list_id for list_id, _ in fake_ongage.requests} == {DEFAULT_LIST}
    job = await job_row(conn, job_id)
    assert job["status"] == "completed"
    assert job["completed_at"] is not None
    assert job["claimed_by"] is None
    assert await statuses(conn, job_id) == {"sent": 100}
    # The fields sent are the record's own; empty cells are left out.
    first = fake_ongage.requests[0][1][0]
    assert first["fields"] == {
        "country": "GB",
        "source": "drip",
        "mobile": "447400100000",
        "conversion_type": "REG",
        "original_source": "ads",
        "hlr_status": "LIVE",
        "uuid": "u-0",
    }


async def test_records_go_to_their_own_list_one_request_per_list(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    raw = contacts_csv(6, list_of=lambda i: "777" if i in (2, 3) else "")
    job_id = await started_job(conn, sql, ongage_clients, clock, raw, lower=6, upper=6)
    await runner(SingleConnection(conn), sql, ongage_clients, clock).run_due()
    assert [(list_id, len(body)) for list_id, body in fake_ongage.requests] == [
        (DEFAULT_LIST, 2),
        ("777", 2),
        (DEFAULT_LIST, 2),
    ]
    assert await statuses(conn, job_id) == {"sent": 6}


async def test_pause_stops_the_next_send_and_resume_continues_where_it_stopped(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(30), lower=5, upper=5)
    service = CsvJobService(CsvJobRepository(conn, sql), ongage_clients, clock=clock)
    drip = runner(SingleConnection(conn), sql, ongage_clients, clock)
    await drip.run_due()
    await service.transition(job_id, "pause")
    for _ in range(3):
        clock.advance(60)
        assert await drip.run_due() == 0
    assert len(fake_ongage.received) == 5
    await service.transition(job_id, "resume")
    await drip.run_due()
    assert fake_ongage.received == [email(i) for i in range(10)]


async def test_a_pause_during_a_tick_stops_it_before_its_next_batch(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(
        conn, sql, ongage_clients, clock, contacts_csv(60), lower=60, upper=60
    )
    service = CsvJobService(CsvJobRepository(conn, sql), ongage_clients, clock=clock)

    async def pause_while_at_ongage() -> None:
        await service.transition(job_id, "pause")

    fake_ongage.after_answer = pause_while_at_ongage
    await runner(SingleConnection(conn), sql, ongage_clients, clock).run_due()
    # The batch at Ongage was recorded; the tick's other two batches were never sent.
    assert fake_ongage.received == [email(i) for i in range(20)]
    assert await statuses(conn, job_id) == {"sent": 20, "pending": 40}
    assert (await job_row(conn, job_id))["status"] == "paused"


async def test_a_patch_applies_from_the_next_tick(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(40), lower=2, upper=2)
    service = CsvJobService(CsvJobRepository(conn, sql), ongage_clients, clock=clock)
    drip = runner(SingleConnection(conn), sql, ongage_clients, clock)
    tick_at = clock.now
    await drip.run_due()
    await service.set_pace(job_id, interval_seconds=120, lower_limit=7, upper_limit=7)
    job = await job_row(conn, job_id)
    # The tick already set its successor from the old interval.
    assert (job["next_run_at"] - tick_at).total_seconds() == 60
    clock.advance(60)
    second_at = clock.now
    await drip.run_due()
    assert await sent_per_tick(conn, job_id) == [2, 7]
    job = await job_row(conn, job_id)
    assert (job["next_run_at"] - second_at).total_seconds() == 120
    assert fake_ongage.received == [email(i) for i in range(9)]


async def test_a_412_is_recorded_contact_by_contact(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    fake_ongage.failed = {email(1): "Email already exists", email(3): "Invalid email domain"}
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(5), lower=5, upper=5)
    await runner(SingleConnection(conn), sql, ongage_clients, clock).run_due()
    rows = await conn.fetch(
        "SELECT position, send_status, error_message, sent_at IS NOT NULL AS stamped"
        " FROM csv_active_records WHERE file_id = $1 ORDER BY position",
        job_id,
    )
    assert [(r["send_status"], r["error_message"]) for r in rows] == [
        ("sent", None),
        ("failed", "Email already exists"),
        ("sent", None),
        ("failed", "Invalid email domain"),
        ("sent", None),
    ]
    assert len(fake_ongage.requests) == 1
    job = await job_row(conn, job_id)
    # Failed contacts are outcomes, not errors of the tick: the job completes.
    assert job["status"] == "completed"
    assert job["last_error"] is None
    tick = await conn.fetchrow("SELECT * FROM csv_job_ticks WHERE job_id = $1", job_id)
    assert (tick["sent"], tick["failed"], tick["requests"]) == (3, 2, 1)


async def test_a_429_is_backed_off_and_the_batch_goes_once(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    fake_ongage.statuses = [429, 429]
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(4), lower=4, upper=4)
    await runner(SingleConnection(conn), sql, ongage_clients, clock).run_due()
    assert len(fake_ongage.requests) == 3
    assert fake_ongage.received == [email(i) for i in range(4)]
    assert await statuses(conn, job_id) == {"sent": 4}


async def test_a_failed_batch_stays_unsent_and_the_job_backs_off(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    fake_ongage.statuses = [503]
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(4), lower=4, upper=4)
    drip = runner(SingleConnection(conn), sql, ongage_clients, clock)
    tick_at = clock.now
    await drip.run_due()
    # Never resent blindly: one request, nothing marked, the error shown.
    assert len(fake_ongage.requests) == 1
    assert await statuses(conn, job_id) == {"pending": 4}
    job = await job_row(conn, job_id)
    assert job["last_error"] == "ongage answered 503 to POST /4321/api/v2/contacts/"
    assert (job["next_run_at"] - tick_at).total_seconds() == 120  # twice the interval
    clock.advance(60)
    assert await drip.run_due() == 0
    clock.advance(60)
    assert await drip.run_due() == 1
    assert await statuses(conn, job_id) == {"sent": 4}
    job = await job_row(conn, job_id)
    assert (job["status"], job["last_error"], job["consecutive_failures"]) == (
        "completed",
        None,
        0,
    )
    history = await CsvJobService(CsvJobRepository(conn, sql), ongage_clients).ticks(
        job_id, limit=10
    )
    assert [t.error for t in history.items] == [
        None,
        "ongage answered 503 to POST /4321/api/v2/contacts/",
    ]


async def test_a_runner_that_died_holding_a_job_is_taken_over_after_its_claim(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(10), lower=5, upper=5)
    # A runner claims the tick and dies before sending anything.
    claimed = await DripRepository(conn, sql).claim(
        owner="dead-runner", now=clock.now, lease_seconds=300, planned=lambda job: 5
    )
    assert claimed is not None
    survivor = runner(SingleConnection(conn), sql, ongage_clients, clock, owner="runner-b")
    assert await survivor.run_due() == 0  # the claim still holds
    clock.advance(301)
    assert await survivor.run_due() == 1
    assert fake_ongage.received == [email(i) for i in range(5)]
    ticks = await conn.fetch(
        "SELECT runner, finished_at IS NOT NULL AS done FROM csv_job_ticks"
        " WHERE job_id = $1 ORDER BY id",
        job_id,
    )
    assert [(t["runner"], t["done"]) for t in ticks] == [
        ("dead-runner", False),
        ("runner-b", True),
    ]


async def test_a_restart_mid_job_sends_nothing_twice(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(
        conn, sql, ongage_clients, clock, contacts_csv(100), lower=60, upper=60
    )
    first = runner(SingleConnection(conn), sql, ongage_clients, clock, owner="runner-a")

    async def shut_down() -> None:
        first.stop()  # the container is told to stop while a batch is at Ongage

    fake_ongage.after_answer = shut_down
    await first.run_due()
    fake_ongage.after_answer = None
    # The batch in flight was recorded, the tick closed and the job released.
    assert await statuses(conn, job_id) == {"sent": 20, "pending": 80}
    assert (await job_row(conn, job_id))["claimed_by"] is None
    second = runner(SingleConnection(conn), sql, ongage_clients, clock, owner="runner-b")
    while (await job_row(conn, job_id))["status"] == "running":
        clock.advance(60)
        await second.run_due()
    assert fake_ongage.received == [email(i) for i in range(100)]
    assert fake_ongage.twice() == set()


async def test_a_restart_mid_job_resends_at_most_the_batch_in_flight(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    job_id = await started_job(
        conn, sql, ongage_clients, clock, contacts_csv(100), lower=60, upper=60
    )
    first = runner(SingleConnection(conn), sql, ongage_clients, clock, owner="runner-a")
    task = asyncio.create_task(first.run_due())

    async def crash_on_second_answer() -> None:
        # Ongage has applied the second batch; the process stops before our commit.
        if len(fake_ongage.requests) == 2:
            task.cancel()

    fake_ongage.after_answer = crash_on_second_answer
    with pytest.raises(asyncio.CancelledError):
        await task
    fake_ongage.after_answer = None
    assert await statuses(conn, job_id) == {"sent": 20, "pending": 80}
    second = runner(SingleConnection(conn), sql, ongage_clients, clock, owner="runner-b")
    while (await job_row(conn, job_id))["status"] == "running":
        clock.advance(60)
        await second.run_due()
    assert set(fake_ongage.received) == {email(i) for i in range(100)}
    # Only the batch whose answer was lost went twice (overwrite: true made it an update).
    assert fake_ongage.twice() == {email(i) for i in range(20, 40)}
    assert await statuses(conn, job_id) == {"sent": 100}


async def test_two_runners_never_send_one_record_twice(
    committed: asyncpg.Pool,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    async with committed.acquire() as conn:
        job_ids = [
            await started_job(
                conn, sql, ongage_clients, clock, contacts_csv(60, first=60 * n), lower=10, upper=20
            )
            for n in range(3)
        ]
    try:
        runners = [
            runner(committed, sql, ongage_clients, clock, owner=f"runner-{n}") for n in range(2)
        ]
        for _ in range(12):
            await asyncio.gather(*(r.run_due() for r in runners))
            clock.advance(60)
        assert fake_ongage.twice() == set()
        assert set(fake_ongage.received) == {email(i) for i in range(180)}
        async with committed.acquire() as conn:
            for job_id in job_ids:
                assert await statuses(conn, job_id) == {"sent": 60}
                assert (await job_row(conn, job_id))["status"] == "completed"
                # One tick per job and moment: never two runners on one job's tick.
                overlap = await conn.fetchval(
                    "SELECT count(*) - count(DISTINCT started_at) FROM csv_job_ticks"
                    " WHERE job_id = $1",
                    job_id,
                )
                assert overlap == 0
    finally:
        async with committed.acquire() as conn:
            await conn.execute("DELETE FROM csv_jobs WHERE id = ANY($1::uuid[])", job_ids)


async def test_refused_credentials_fail_the_tick_not_the_contacts(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
    fake_ongage: FakeOngage,
) -> None:
    # A wrong X_PASSWORD for longer than a record's attempts last.
    fake_ongage.statuses = [401] * 6
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(4), lower=4, upper=4)
    drip = runner(SingleConnection(conn), sql, ongage_clients, clock)
    for _ in range(6):
        assert await drip.run_due() == 1
        clock.advance(3600)  # past the job's backoff
    assert len(fake_ongage.requests) == 6
    assert await statuses(conn, job_id) == {"pending": 4}
    attempts = await conn.fetchval(
        "SELECT max(attempts) FROM csv_active_records WHERE file_id = $1", job_id
    )
    assert attempts == 0
    job = await job_row(conn, job_id)
    assert job["last_error"] == "ongage answered 401 to POST /4321/api/v2/contacts/"
    # The password fixed, the next tick sends every contact.
    assert await drip.run_due() == 1
    assert await statuses(conn, job_id) == {"sent": 4}


class DatabaseAway:
    """A connection source while the database cannot be reached."""

    @contextlib.asynccontextmanager
    async def acquire(
        self,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - the pool's signature, unused here
    ) -> AsyncIterator[asyncpg.Connection]:
        raise ConnectionRefusedError("database away")
        yield  # pragma: no cover - makes this a generator


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
async def test_a_runner_that_cannot_renew_its_claim_stops_sending_before_it_lapses(
    conn: asyncpg.Connection,
    sql: SqlQueries,
    ongage_clients: Clients,
    clock: Clock,
) -> None:
    job_id = await started_job(conn, sql, ongage_clients, clock, contacts_csv(4))
    claimed = await DripRepository(conn, sql).claim(
        owner="runner-a", now=clock.now, lease_seconds=0.3, planned=lambda job: 4
    )
    assert claimed is not None
    job, tick_id, planned = claimed
    cut_off = runner(DatabaseAway(), sql, ongage_clients, clock, lease_seconds=0.3)
    lost = asyncio.Event()
    keeper = asyncio.create_task(
        cut_off._keep_claim(Tick(job=job, id=tick_id, planned=planned, at=clock.now), lost)
    )
    try:
        # Renewals fail: the tick stops itself rather than send past its claim.
        await asyncio.wait_for(lost.wait(), timeout=10)
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    assert job.id == job_id
