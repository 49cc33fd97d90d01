"""The cleaning job: lists from PostgreSQL, one polars pass off the event loop, results
to storage, counts and state back to PostgreSQL (on the shared file-job template)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg
import polars as pl

from app.cleaning.classify import Counts, Filters, Lists, classify
from app.cleaning.layout import UnusableFileError, detect_layout
from app.cleaning.repository import CleaningRepository
from app.db import acquire
from app.files.jobs import FileJob, FileResult, FileRun
from app.jobs.kinds import JobFailedError
from app.phones.repository import PhoneRepository

KIND = "cleaning"


@dataclass(frozen=True, slots=True, kw_only=True)
class CleaningResult(FileResult):
    counts: Counts
    # The kept phones, one per line, when the run records them in main_database.
    seen: Path | None


def filters_of(run: FileRun) -> Filters:
    return Filters(**{k: bool(run.payload.get(k)) for k in Filters.__dataclass_fields__})


class CleaningJob(FileJob[Lists, CleaningResult]):
    file_kind = KIND
    job_kind = "cleaning.process"

    def annotated_key(self, file_id: UUID) -> str:
        return self.result_key(file_id, ".annotated")

    async def prepare(self, run: FileRun) -> Lists:
        """Only the sets a run needs (the whitelist always: it labels kept rows)."""
        filters = filters_of(run)
        wanted = {
            "blacklist": filters.include_blacklist,
            "monitor": filters.include_monitor,
            "whitelist": True,
            "conversions": filters.include_conversion,
            "main_database": filters.include_main_database,
        }
        empty = pl.Series("phone", [], dtype=pl.Int64)
        async with acquire(run.runtime.connections) as conn:
            phones = PhoneRepository(conn, run.runtime.queries)
            loaded = {
                name: await phones.phone_set(name) if on else empty for name, on in wanted.items()
            }
        return Lists(**loaded)

    def compute(self, run: FileRun, prepared: Lists) -> CleaningResult:
        raw = run.require_source()
        filters = filters_of(run)
        # The request's region, else the default: national numbers are read there.
        code = str(run.payload.get("region") or run.runtime.settings.phones.default_calling_code)
        clean = run.folder / "clean.csv"
        annotated = run.folder / "annotated.csv" if run.payload.get("annotate") else None
        seen = run.folder / "seen.csv" if filters.include_main_database else None
        try:
            layout = detect_layout(raw, run.record.delimiter or ",", code)
            counts = classify(
                raw,
                layout,
                prepared,
                filters,
                code,
                clean_path=clean,
                annotated_path=annotated,
                seen_path=seen,
            )
        except UnusableFileError as exc:
            raise JobFailedError(str(exc)) from exc  # the same file fails the same way again
        return CleaningResult(
            key=self.result_key(run.file_id),
            path=clean,
            extra={self.annotated_key(run.file_id): annotated} if annotated else {},
            total=counts.total,
            clean=counts.kept,
            message=f"{counts.kept} of {counts.total} rows kept",
            counts=counts,
            seen=seen,
        )

    async def record(self, run: FileRun, result: CleaningResult, conn: asyncpg.Connection) -> None:
        if result.seen is not None:
            await PhoneRepository(conn, run.runtime.queries).record_seen(result.seen)
        await CleaningRepository(conn, run.runtime.queries).save_stats(run.file_id, result.counts)


CLEANING_JOB = CleaningJob()
