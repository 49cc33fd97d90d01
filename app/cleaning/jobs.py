"""The cleaning job: lists from PostgreSQL, one polars pass off the event loop, results
to storage, counts and state back to PostgreSQL."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl

from app.cleaning.classify import Filters, Lists, classify, detect_layout, kept_phones
from app.cleaning.repository import CleaningRepository
from app.db import acquire
from app.files.repository import FileRepository
from app.files.service import FileChangedError, FileService
from app.jobs.worker import JobContext, JobFailedError
from app.phones.repository import PhoneRepository

KIND = "cleaning"
JOB_KIND = "cleaning.process"
STEPS = 4


def result_key(file_id: UUID, *, annotated: bool = False) -> str:
    return f"processed/{KIND}/{file_id}{'.annotated' if annotated else ''}.csv"


async def _lists(context: JobContext, filters: Filters) -> Lists:
    """Only the sets a run needs (the whitelist always: it labels kept rows)."""
    wanted = {
        "blacklist": filters.include_blacklist,
        "monitor": filters.include_monitor,
        "whitelist": True,
        "conversions": filters.include_conversion,
        "main_database": filters.include_main_database,
    }
    empty = pl.Series("phone", [], dtype=pl.Int64)
    async with acquire(context.connections) as conn:
        phones = PhoneRepository(conn, context.sql)
        loaded = {
            name: await phones.phone_set(name) if on else empty for name, on in wanted.items()
        }
    return Lists(**loaded)


async def process_cleaning(context: JobContext, payload: dict[str, Any]) -> None:
    """Classify one upload with the flags it was started with."""
    assert context.storage is not None
    assert context.settings is not None
    file_id = UUID(payload["file_id"])
    filters = Filters(**{k: bool(payload.get(k)) for k in Filters.__dataclass_fields__})
    code = context.settings.phones.default_calling_code
    async with acquire(context.connections) as conn:
        record = await FileRepository(conn, context.sql).get(KIND, file_id)
    if record is None or record.raw_key is None:
        raise FileChangedError("The file was deleted")

    await context.progress(0, STEPS, "loading the lists")
    lists = await _lists(context, filters)
    await context.progress(1, STEPS, "classifying")
    with tempfile.TemporaryDirectory(prefix="optimizer-clean-") as folder:
        clean = Path(folder) / "clean.csv"
        annotated = Path(folder) / "annotated.csv" if payload.get("annotate") else None
        async with context.storage.local_copy(record.raw_key) as raw:
            try:
                layout = await asyncio.to_thread(detect_layout, raw, record.delimiter or ",", code)
                counts = await asyncio.to_thread(
                    classify,
                    raw,
                    layout,
                    lists,
                    filters,
                    code,
                    clean_path=clean,
                    annotated_path=annotated,
                )
            except pl.exceptions.PolarsError as exc:
                # Not the parser's message: it quotes the file, phone numbers included.
                raise JobFailedError(
                    "The file could not be read as CSV (check its quoting and delimiter)"
                ) from exc
        await context.progress(2, STEPS, "storing the results")
        await context.storage.put_file(result_key(file_id), clean)
        if annotated is not None:
            await context.storage.put_file(result_key(file_id, annotated=True), annotated)
        seen = Path(folder) / "seen.csv"
        if filters.include_main_database:
            await asyncio.to_thread(
                lambda: kept_phones(clean, layout).sink_csv(seen, include_header=False)
            )
        await context.progress(3, STEPS, "recording")
        async with acquire(context.connections) as conn, conn.transaction():
            if filters.include_main_database:
                await PhoneRepository(conn, context.sql).record_seen(seen)
            await CleaningRepository(conn, context.sql).save_stats(file_id, counts)
            await FileService(FileRepository(conn, context.sql), context.storage).finish_processing(
                file_id,
                job_id=context.job.id,
                owner=context.owner,
                result_key=result_key(file_id),
                total=counts.total,
                clean=counts.kept,
                extra_keys=(result_key(file_id, annotated=True),) if annotated else (),
            )
    await context.progress(STEPS, STEPS, f"{counts.kept} of {counts.total} rows kept")
