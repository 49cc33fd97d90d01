"""The one template every file job follows, and what a file job's failure means.

Fetch the file's record, get a local copy of its upload, prepare (async: read what the
work needs from the database), run the work off the event loop, store the results,
then record and finish in one transaction. A kind of file job only says what is its
own; failures are mapped here, once:
- the file deleted, archived or taken over meanwhile: failed for good, and whatever the
  run stored for it is deleted again;
- its upload missing from storage, or not readable as CSV: failed for good, with a
  reason that quotes nothing of the file (parser messages quote rows: phone numbers);
- anything else: retried by the queue, and the file fails with the job's last error.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

import asyncpg
import polars as pl

from app.db import acquire
from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.service import UNREADABLE_CSV, FileChangedError, FileService
from app.jobs.kinds import JobContext, JobFailedError, JobKind
from app.jobs.schemas import JobOutcome
from app.runtime import Runtime
from app.sql import SqlQueries
from app.storage import StoredObjectMissingError

P = TypeVar("P")
R = TypeVar("R", bound="FileResult")

STEPS = 4


@dataclass(frozen=True, slots=True)
class FileRun:
    """One run of a file job: the file, its options, its upload and a scratch folder."""

    record: FileRecord
    payload: Mapping[str, Any]
    # A local copy of the upload; None for files the job creates (exports).
    source: Path | None
    folder: Path
    runtime: Runtime

    @property
    def file_id(self) -> UUID:
        return self.record.id

    def require_source(self) -> Path:
        if self.source is None:
            raise JobFailedError("The file has no upload to process")
        return self.source


@dataclass(frozen=True, slots=True, kw_only=True)
class FileResult:
    """What the work produced: the result object, its counts, and other objects of it.
    A kind that records more (stats, say) subclasses it."""

    key: str
    path: Path
    total: int
    clean: int
    message: str
    # Other objects of the result (key -> local file), deleted with the file.
    extra: Mapping[str, Path] = field(default_factory=dict)

    def objects(self) -> dict[str, Path]:
        return {self.key: self.path, **self.extra}


async def fail_file(conn: asyncpg.Connection, sql: SqlQueries, outcome: JobOutcome) -> None:
    """The failure hook of every file job: its file fails with the job's error."""
    await FileRepository(conn, sql).fail_processing(
        job_id=outcome.id, error=outcome.error or "failed"
    )


class FileJob(ABC, Generic[P, R]):
    """One kind of file job. Subclasses name their kinds and fill in the steps."""

    file_kind: ClassVar[str]
    job_kind: ClassVar[str]

    @abstractmethod
    async def prepare(self, run: FileRun) -> P:
        """What the work needs from the database or settings (on the event loop)."""

    @abstractmethod
    def compute(self, run: FileRun, prepared: P) -> R:
        """The work itself, in a thread: read `run.source`, write into `run.folder`."""

    async def record(self, run: FileRun, result: R, conn: asyncpg.Connection) -> None:
        """Writes that belong with the result, in the transaction that finishes the file."""

    def result_key(self, file_id: UUID, suffix: str = "") -> str:
        return f"processed/{self.file_kind}/{file_id}{suffix}.csv"

    def kind(self) -> JobKind:
        return JobKind(self.job_kind, self.handle, on_failed=fail_file)

    async def handle(self, context: JobContext, payload: dict[str, Any]) -> None:
        """The template: the steps in order, with the one mapping of failures."""
        runtime = context.runtime
        record = await self._record_of(runtime, UUID(payload["file_id"]))
        with tempfile.TemporaryDirectory(prefix=f"optimizer-{self.file_kind}-") as folder:
            with _mapped_failures():
                async with self._source(runtime, record) as source:
                    run = FileRun(record, payload, source, Path(folder), runtime)
                    await context.progress(0, STEPS, "preparing")
                    prepared = await self.prepare(run)
                    await context.progress(1, STEPS, "working")
                    result = await asyncio.to_thread(self.compute, run, prepared)
            await context.progress(2, STEPS, "storing the results")
            objects = result.objects()
            try:
                for key, path in objects.items():
                    await runtime.storage.put_file(key, path)
                await context.progress(3, STEPS, "recording")
                await self._finish(context, run, result)
            except FileChangedError:
                # A job must not leave results behind for a file that is gone.
                for key in objects:
                    await runtime.storage.delete(key)
                raise
        await context.progress(STEPS, STEPS, result.message)

    async def _record_of(self, runtime: Runtime, file_id: UUID) -> FileRecord:
        async with acquire(runtime.connections) as conn:
            record = await FileRepository(conn, runtime.queries).get(self.file_kind, file_id)
        if record is None:
            raise FileChangedError("The file was deleted")
        return record

    @contextlib.asynccontextmanager
    async def _source(self, runtime: Runtime, record: FileRecord) -> AsyncIterator[Path | None]:
        if record.raw_key is None:
            yield None
            return
        async with runtime.storage.local_copy(record.raw_key) as path:
            yield path

    async def _finish(self, context: JobContext, run: FileRun, result: R) -> None:
        runtime = context.runtime
        async with acquire(runtime.connections) as conn, conn.transaction():
            await self.record(run, result, conn)
            await FileService(
                FileRepository(conn, runtime.queries), runtime.storage
            ).finish_processing(
                run.file_id,
                job_id=context.job.id,
                owner=context.owner,
                result_key=result.key,
                total=result.total,
                clean=result.clean,
                extra_keys=tuple(result.extra),
            )


@contextlib.contextmanager
def _mapped_failures() -> Iterator[None]:
    try:
        yield
    except pl.exceptions.PolarsError as exc:
        raise JobFailedError(UNREADABLE_CSV) from exc
    except StoredObjectMissingError as exc:
        raise JobFailedError("The uploaded file is missing from storage") from exc
