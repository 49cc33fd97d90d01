"""The HLR job: a cleaned file's numbers, less those answered recently, looked up once.

A run is resumable at every step that may charge. The batch id is stored before the
source is uploaded or the batch started; each of those steps is recorded once done, and
one a restart cannot be sure of is checked against the batch itself. A restart (a new
attempt of the job, in this container or another) therefore polls the same batch and
never starts a second one. An upload whose outcome is unknown is never repeated into
the same batch: that batch, never started, costs nothing and is replaced by a new one.
A run that failed (a poll timeout, attempts exhausted) leaves its batch id to the next
run on the file, which fetches that batch's answers (paid for) before it plans: what the
batch answered is reused, never sent again. Few new numbers go through the v2 API
instead, a request of at most 80 at a time, each request's answers stored before the
next: a restart sends only what has no answer yet.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from app.clients.hlr import COMPLETE, FAILED, UNDER_WAY, V2_MAX_NUMBERS, HlrClient
from app.db import acquire
from app.errors import IntegrationDisabledError
from app.files.repository import FileRepository
from app.hlr.repository import HlrRepository
from app.hlr.results import Answers, answers_from_results, kept_phones, write_rows
from app.hlr.schemas import OUTCOMES, HlrRun
from app.jobs.kinds import JobContext, JobFailedError, JobKind
from app.jobs.schemas import JobOutcome
from app.runtime import Runtime
from app.settings import HlrSettings
from app.sql import SqlQueries
from app.storage import StoredObjectMissingError

KIND = "hlr.validate"
CLEANING = "cleaning"
RUN_GONE = "The HLR run was restarted or its file deleted meanwhile"


def live_key(file_id: UUID) -> str:
    return f"hlr/{file_id}/live.csv"


def raw_key(file_id: UUID) -> str:
    return f"hlr/{file_id}/raw.csv"


async def fail_run(conn: asyncpg.Connection, sql: SqlQueries, outcome: JobOutcome) -> None:
    """The failure hook: the run fails with the job's error (never stays processing)."""
    await HlrRepository(conn, sql).fail(job_id=outcome.id, error=outcome.error or "failed")


class _Run:
    """One attempt at a run: what it needs at hand, and its recorded steps."""

    def __init__(self, context: JobContext, run: HlrRun, folder: Path) -> None:
        self.context = context
        self.runtime: Runtime = context.runtime
        self.job_id = context.job.id
        self.file_id = run.file_id
        self.state = run
        self.folder = folder
        settings = self.runtime.settings.hlr
        if settings is None:
            raise JobFailedError("HLR is not configured: set HLRLOOKUP_APIKEY and HLRLOOKUP_SECRET")
        self.settings: HlrSettings = settings
        try:
            self.client = self.runtime.clients.get(HlrClient)
        except IntegrationDisabledError as exc:
            raise JobFailedError(str(exc)) from exc
        # Answers received after this are reused: the run's start, less the cache window.
        self.fresh_since = run.hlr_started_at - timedelta(days=settings.cache_days)
        self.total = 0
        self.cached = 0
        # The answers of an earlier run's batch fetched by this attempt (_recover).
        self.recovered: Answers | None = None

    async def step(self, action: Callable[[HlrRepository], Awaitable[bool]]) -> None:
        async with acquire(self.runtime.connections) as conn:
            held = await action(HlrRepository(conn, self.runtime.queries))
        if not held:
            raise JobFailedError(RUN_GONE)

    async def progress(self, answered: int, message: str) -> None:
        done = self.cached + answered
        await self.step(
            lambda r: r.report_progress(self.file_id, job_id=self.job_id, num_complete=done)
        )
        await self.context.progress(done, self.total, message)

    async def save(self, answers_csv: Path) -> None:
        async with acquire(self.runtime.connections) as conn, conn.transaction():
            await HlrRepository(conn, self.runtime.queries).save_results(answers_csv)


class HlrJob:
    """The job kind; `sleep` and `clock` are the poll loop's, replaceable in tests."""

    def __init__(
        self,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sleep = sleep
        self._clock = clock

    def kind(self) -> JobKind:
        return JobKind(KIND, self.handle, on_failed=fail_run)

    async def handle(self, context: JobContext, payload: dict[str, Any]) -> None:
        file_id = UUID(payload["file_id"])
        runtime = context.runtime
        async with acquire(runtime.connections) as conn:
            state = await HlrRepository(conn, runtime.queries).get(file_id)
            record = await FileRepository(conn, runtime.queries).get(CLEANING, file_id)
        if state is None or record is None or state.job_id != context.job.id:
            raise JobFailedError(RUN_GONE)
        if state.hlr_status not in ("uploading", "processing") or record.result_key is None:
            raise JobFailedError("The file has no cleaned result to validate")
        with tempfile.TemporaryDirectory(prefix="optimizer-hlr-") as folder:
            run = _Run(context, state, Path(folder))
            phones = run.folder / "phones.csv"
            try:
                async with runtime.storage.local_copy(record.result_key) as cleaned:
                    code = runtime.settings.phones.default_calling_code
                    delimiter = record.delimiter or ","
                    run.total = await asyncio.to_thread(
                        kept_phones, cleaned, delimiter, code, phones
                    )
            except StoredObjectMissingError as exc:
                raise JobFailedError("The cleaned file is missing from storage") from exc
            if state.hlr_mode is None and state.hlr_batch_id is not None:
                await self._recover(run, state.hlr_batch_id)
            to_send = await self._to_send(run, phones)
            await self._plan(run, to_send)
            await context.progress(run.cached, run.total, "looking up")
            answers = await self._look_up(run, to_send)
            await self._finish(run, phones, answers)

    async def _recover(self, run: _Run, batch_id: str) -> None:
        """An earlier run's batch (that run failed; a batch id before any plan is only
        ever one): if the provider has it under way or done, it is paid for, so it is
        polled to the end (the poll limit counted from this run's start) and its answers
        stored before anything is planned. One never started cost nothing, and one the
        provider failed has nothing to fetch: both are left, and the plan sends anew."""
        status = (await run.client.get_batch(batch_id=batch_id)).status.upper()
        if status not in UNDER_WAY or status in FAILED:
            return
        await self._poll(run, batch_id, started=run.state.hlr_started_at)
        run.recovered = await self._download(run, batch_id)

    async def _to_send(self, run: _Run, phones: Path) -> list[str]:
        out = run.folder / "to_send.csv"
        async with acquire(run.runtime.connections) as conn, conn.transaction():
            repository = HlrRepository(conn, run.runtime.queries)
            await repository.stage_phones(phones)
            await repository.copy_phones_to_send(out, fresh_since=run.fresh_since)
        return out.read_text().split()

    async def _plan(self, run: _Run, to_send: list[str]) -> None:
        """The first attempt decides how; a later one keeps that (and its counts)."""
        state = run.state
        if state.hlr_mode is None:
            mode = "sync" if len(to_send) <= run.settings.sync_max_numbers else "batch"
            async with acquire(run.runtime.connections) as conn:
                planned = await HlrRepository(conn, run.runtime.queries).plan(
                    run.file_id,
                    job_id=run.job_id,
                    mode=mode,
                    num_items=run.total,
                    num_cached=run.total - len(to_send),
                    num_sent=len(to_send),
                )
            if planned is None:
                raise JobFailedError(RUN_GONE)
            run.state = state = planned
        run.cached = state.hlr_num_cached or 0

    async def _look_up(self, run: _Run, to_send: list[str]) -> Answers:
        recovered = run.recovered
        if recovered is not None:
            if not to_send:  # all answered: the raw file is the recovered batch's
                return recovered
            # Only what the recovered batch did not answer (per-number errors, not charged).
            answers = await self._look_up_planned(run, to_send)
            credits = answers.credits_spent + recovered.credits_spent
            return dataclasses.replace(answers, credits_spent=credits)
        return await self._look_up_planned(run, to_send)

    async def _look_up_planned(self, run: _Run, to_send: list[str]) -> Answers:
        state = run.state
        # A batch not created yet whose numbers were all answered meanwhile (by another
        # file's run) is not created at all.
        if state.hlr_mode == "batch" and (to_send or state.hlr_batch_id is not None):
            return await self._batch(run, to_send)
        return await self._sync(run, to_send)

    async def _sync(self, run: _Run, to_send: list[str]) -> Answers:
        await run.step(lambda r: r.mark_started(run.file_id, job_id=run.job_id))
        raw, chunk = run.folder / "raw.csv", run.folder / "chunk.csv"
        write_rows((), raw, append=False)
        errors, credits = 0, 0.0
        for start in range(0, len(to_send), V2_MAX_NUMBERS):
            numbers = to_send[start : start + V2_MAX_NUMBERS]
            results = await run.client.lookup(numbers=numbers)
            rows = [
                result.flattened(number) for number, result in zip(numbers, results, strict=True)
            ]
            write_rows(rows, chunk, append=False)
            write_rows(rows, raw, append=True)
            answers = await asyncio.to_thread(answers_from_results, chunk, run.folder / "a.csv")
            # Stored before the next request: a restart does not pay for these again.
            await run.save(run.folder / "a.csv")
            errors, credits = errors + answers.errors, credits + answers.credits_spent
            await run.progress(start + len(numbers), "looking up")
        return Answers(rows=len(to_send), errors=errors, credits_spent=credits)

    async def _batch(self, run: _Run, to_send: list[str]) -> Answers:
        client, state = run.client, run.state
        batch_id, under_way = state.hlr_batch_id, False
        if batch_id is not None and state.hlr_batch_started_at is None:
            # Resumed before the start was recorded: a batch under way had its source
            # and its start, whatever this run recorded.
            seen = await client.get_batch(batch_id=batch_id)
            under_way = seen.status.upper() in UNDER_WAY
        if state.hlr_source_uploaded_at is None and not under_way:
            # No batch yet, or one whose upload may or may not have arrived (right after
            # an upload a batch may still show no items): never filled again, as each
            # number it holds would then be paid twice; a new batch replaces it.
            batch_id = await self._new_batch(run, replaces=batch_id)
            body = ("\n".join(to_send) + "\n").encode()
            await client.upload_source(batch_id=batch_id, numbers_csv=body)
        if state.hlr_source_uploaded_at is None:
            await run.step(lambda r: r.mark_source_uploaded(run.file_id, job_id=run.job_id))
        assert batch_id is not None  # recorded before, or just created
        if state.hlr_batch_started_at is None:
            if not under_way:
                await client.start_batch(batch_id=batch_id)
            await run.step(lambda r: r.mark_started(run.file_id, job_id=run.job_id))
        # From the batch's start: a restart does not start the clock again.
        await self._poll(run, batch_id, started=state.hlr_batch_started_at or self._clock())
        return await self._download(run, batch_id)

    async def _new_batch(self, run: _Run, *, replaces: str | None) -> str:
        """A new batch, its id recorded (in place of `replaces`) before it is filled."""
        batch_id = await run.client.create_batch(filename=f"{run.file_id}.csv")
        await run.step(
            lambda r: r.record_batch_id(
                run.file_id, job_id=run.job_id, batch_id=batch_id, replaces=replaces
            )
        )
        return batch_id

    async def _download(self, run: _Run, batch_id: str) -> Answers:
        """The batch's results: the run's raw file, and stored for reuse."""
        raw = run.folder / "raw.csv"
        raw.write_bytes(await run.client.batch_results(batch_id=batch_id))
        answers = await asyncio.to_thread(answers_from_results, raw, run.folder / "a.csv")
        await run.save(run.folder / "a.csv")
        return answers

    async def _poll(self, run: _Run, batch_id: str, *, started: datetime) -> None:
        """Until the batch is complete; failed when it fails or outlasts the limit,
        counted from `started`."""
        limit = run.settings.poll_max_seconds
        deadline = started + timedelta(seconds=limit)
        while True:
            batch = await run.client.get_batch(batch_id=batch_id)
            status = batch.status.upper()
            await run.progress(batch.num_complete or 0, f"batch {batch_id}: {status.lower()}")
            if status in COMPLETE:
                return
            if status in FAILED:
                raise JobFailedError(f"HLR batch {batch_id} ended with status {status}")
            if self._clock() >= deadline:
                raise JobFailedError(
                    f"HLR batch {batch_id} was not complete after {limit} s (HLR_POLL_MAX_SECONDS)"
                )
            await self._sleep(run.settings.poll_every_seconds)

    async def _finish(self, run: _Run, phones: Path, answers: Answers) -> None:
        """Outcomes from every answer (reused or new), the lists, the files, complete."""
        runtime, body = run.runtime, run.folder / "live_body.csv"
        async with acquire(runtime.connections) as conn, conn.transaction():
            repository = HlrRepository(conn, runtime.queries)
            await repository.stage_phones(phones)
            found = await repository.outcomes(fresh_since=run.fresh_since)
            await repository.copy_live_phones(body)
            decisions = await repository.write_decisions()
        live = run.folder / "live.csv"
        with live.open("wb") as out, body.open("rb") as rows:
            out.write(b"phone_number\n")
            shutil.copyfileobj(rows, out)
        raw = run.folder / "raw.csv"
        keys = {live_key(run.file_id): live}
        if raw.exists():
            keys[raw_key(run.file_id)] = raw
        for key, path in keys.items():
            await runtime.storage.put_file(key, path)
        outcomes = {name: found.get(name, 0) for name in OUTCOMES}
        outcomes["lists_written"] = decisions.written
        outcomes["lists_released"] = decisions.released
        async with acquire(runtime.connections) as conn, conn.transaction():
            repository = HlrRepository(conn, runtime.queries)
            await repository.add_keys(run.file_id, list(keys))
            finished = await repository.finish(
                run.file_id,
                job_id=run.job_id,
                result_key=live_key(run.file_id),
                raw_key=raw_key(run.file_id) if raw.exists() else None,
                credits_spent=answers.credits_spent,
                outcomes=outcomes,
            )
            if finished is None:
                raise JobFailedError(RUN_GONE)
        await run.context.progress(
            run.total, run.total, f"{outcomes['live']} of {run.total} numbers live"
        )


HLR_JOB = HlrJob()
