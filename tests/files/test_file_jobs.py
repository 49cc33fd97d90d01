"""The file-job template with a real worker, real storage and committed rows: what a job's
failure means for its file, and what a file that goes away means for a job's results."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import polars as pl
import pytest

from app.files.jobs import FileJob, FileResult, FileRun
from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.service import UNREADABLE_CSV, FileService
from app.jobs.worker import JobWorker
from app.settings import JobSettings, Settings, StorageSettings
from app.sql import SqlQueries
from app.storage import LocalStorage
from tests.conftest import make_runtime
from tests.jobs.conftest import fetch_job
from tests.jobs.test_worker import wait_for_status

FAST = JobSettings(poll_seconds=1, lease_seconds=3, retry_base_seconds=0, shutdown_grace_seconds=5)
# A kind the files table knows; the rows are told apart by their name.
KIND = "cleaning"
NAME = "file-job-test.csv"


class Scripted(FileJob[None, FileResult]):
    """A file job whose work does what the test says: succeed, break, or lose its file."""

    file_kind = KIND
    job_kind = "test.scripted"

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.attempts = 0

    async def prepare(self, run: FileRun) -> None:
        self.attempts += 1
        if self.behaviour == "deleted_meanwhile":
            async with run.runtime.connections.acquire() as conn:
                await FileRepository(conn, run.runtime.queries).delete(KIND, run.file_id)

    def compute(self, run: FileRun, prepared: None) -> FileResult:
        if self.behaviour == "unreadable":
            raise pl.exceptions.ComputeError('row 2: 447400100001,"unterminated')
        if self.behaviour == "flaky":
            raise RuntimeError(f"flaky attempt {self.attempts}")
        out = run.folder / "out.csv"
        out.write_text(run.require_source().read_text().upper())
        return FileResult(
            key=self.result_key(run.file_id),
            path=out,
            extra={self.result_key(run.file_id, ".extra"): out},
            total=1,
            clean=1,
            message="done",
        )


@pytest.fixture
async def storage(committed: asyncpg.Pool, tmp_path: Path) -> AsyncIterator[LocalStorage]:
    """Local storage; the test's files rows (committed) are deleted afterwards."""
    yield LocalStorage(tmp_path)
    async with committed.acquire() as conn:
        await conn.execute("DELETE FROM files WHERE original_filename = $1", NAME)


async def _uploaded(committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage) -> UUID:
    file_id = uuid.uuid4()
    key = f"raw/{KIND}/{file_id}.csv"
    source = storage.root / "source.csv"
    source.write_text("phone\n447400100001\n")
    await storage.put_file(key, source)
    async with committed.acquire() as conn:
        await FileRepository(conn, sql).insert(
            id=file_id,
            kind=KIND,
            original_filename=NAME,
            raw_key=key,
            size_bytes=20,
            record_count_total=2,
            encoding="utf-8",
            delimiter=",",
        )
    return file_id


async def _start(committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage, file_id: UUID,
                 job: Scripted, attempts: int) -> FileRecord:  # fmt: skip
    async with committed.acquire() as conn:
        return await FileService(FileRepository(conn, sql), storage).start_processing(
            KIND, file_id, job_kind=job.job_kind, options={}, max_attempts=attempts
        )


async def _run(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage, job: Scripted, job_id: Any
) -> Any:
    settings = Settings(jobs=FAST, storage=StorageSettings(upload_root=storage.root))
    runtime = make_runtime(committed, sql, settings, storage=storage)
    worker = JobWorker(runtime, {job.job_kind: job.kind()})
    task = asyncio.create_task(worker.run())
    try:
        return await wait_for_status(committed, sql, job_id, {"succeeded", "failed"})
    finally:
        worker.stop()
        await asyncio.wait_for(task, 10)


async def _file(committed: asyncpg.Pool, sql: SqlQueries, file_id: UUID) -> FileRecord | None:
    async with committed.acquire() as conn:
        return await FileRepository(conn, sql).get(KIND, file_id)


async def test_a_run_stores_its_results_and_finishes_the_file(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage
) -> None:
    file_id = await _uploaded(committed, sql, storage)
    job = Scripted("succeed")
    started = await _start(committed, sql, storage, file_id, job, attempts=3)
    done = await _run(committed, sql, storage, job, started.job_id)
    assert (done.status, done.progress_message) == ("succeeded", "done")
    record = await _file(committed, sql, file_id)
    assert record is not None
    assert (record.status, record.record_count_clean) == ("processed", 1)
    assert (storage.root / f"processed/{KIND}/{file_id}.csv").read_text() == (
        "PHONE\n447400100001\n"
    )
    assert record.options["extra_keys"] == [f"processed/{KIND}/{file_id}.extra.csv"]


async def test_an_unreadable_file_fails_at_once_with_a_reason_that_quotes_nothing(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage
) -> None:
    file_id = await _uploaded(committed, sql, storage)
    job = Scripted("unreadable")
    started = await _start(committed, sql, storage, file_id, job, attempts=3)
    failed = await _run(committed, sql, storage, job, started.job_id)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 1, UNREADABLE_CSV)
    record = await _file(committed, sql, file_id)
    assert record is not None
    # The job's failure hook failed the file in the same transaction, with the same reason.
    assert (record.status, record.error_message) == ("failed", UNREADABLE_CSV)
    assert "447400100001" not in (record.error_message or "")


async def test_a_file_fails_with_its_job_after_the_last_retry(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage
) -> None:
    file_id = await _uploaded(committed, sql, storage)
    job = Scripted("flaky")
    started = await _start(committed, sql, storage, file_id, job, attempts=2)
    failed = await _run(committed, sql, storage, job, started.job_id)
    assert (failed.status, job.attempts) == ("failed", 2)
    record = await _file(committed, sql, file_id)
    assert record is not None
    assert (record.status, record.error_message) == ("failed", "RuntimeError: flaky attempt 2")


async def test_a_file_fails_when_its_worker_died_on_the_last_attempt(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage
) -> None:
    file_id = await _uploaded(committed, sql, storage)
    job = Scripted("succeed")
    started = await _start(committed, sql, storage, file_id, job, attempts=1)
    # As if a worker had claimed its only attempt and been killed: the lease has lapsed.
    async with committed.acquire() as conn:
        await conn.execute(
            "UPDATE jobs SET status = 'running', attempts = 1, lease_owner = 'dead', "
            "lease_expires_at = now() - interval '1 second' WHERE id = $1",
            started.job_id,
        )
    failed = await _run(committed, sql, storage, job, started.job_id)
    assert (failed.status, job.attempts) == ("failed", 0)
    record = await _file(committed, sql, file_id)
    assert record is not None
    assert record.status == "failed"
    assert record.error_message == failed.error
    assert "lease expired" in (record.error_message or "")


async def test_a_file_deleted_while_its_job_runs_keeps_no_results(
    committed: asyncpg.Pool, sql: SqlQueries, storage: LocalStorage
) -> None:
    file_id = await _uploaded(committed, sql, storage)
    job = Scripted("deleted_meanwhile")
    started = await _start(committed, sql, storage, file_id, job, attempts=3)
    failed = await _run(committed, sql, storage, job, started.job_id)
    assert (failed.status, failed.attempts) == ("failed", 1)  # nothing to retry
    assert await _file(committed, sql, file_id) is None
    # The run stored its results before it learned that the file was gone; it took them back.
    assert not list((storage.root / "processed").rglob("*.csv"))
    job_row = await fetch_job(committed, sql, started.job_id)
    assert job_row is not None
    assert job_row.error == "The file was archived, deleted or taken over meanwhile"
