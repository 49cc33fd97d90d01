"""Manual imports into the lists: every row gets an outcome, repeats inside the file too.

The file is parsed with polars, valid rows reach PostgreSQL by COPY, and one statement
decides them all; the result file lists every input row with what happened to it.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.service import FileService, StoredUpload
from app.imports.parse import parse_import
from app.imports.repository import ImportRepository
from app.storage import Storage

Target = Literal["blacklist", "whitelist", "monitor"]


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    record: FileRecord
    target: Target
    uploaded: int
    accepted: int
    rejected: int


def result_key(kind: str, file_id: object) -> str:
    return f"results/{kind}/{file_id}.csv"


class ImportService:
    def __init__(self, imports: ImportRepository, files: FileRepository, storage: Storage) -> None:
        self._imports = imports
        self._files = files
        self._storage = storage

    async def run(
        self,
        stored: StoredUpload,
        *,
        target: Target,
        required: tuple[str, ...],
        default_code: str,
        reason: str | None = None,
        source: str | None = None,
    ) -> ImportOutcome:
        """Parse, decide, store the result file and record the import, all or nothing."""
        async with self._storage.local_copy(stored.key) as raw:
            parsed = await asyncio.to_thread(
                parse_import, raw, stored.delimiter, default_code, required=required
            )
        defaults = {
            name: value for name, value in (("reason", reason), ("source", source)) if value
        }
        staged = parsed.staged().with_columns(  # defaults for files without these columns
            pl.when(pl.col(name).fill_null("") == "")
            .then(pl.lit(value))
            .otherwise(pl.col(name))
            .alias(name)
            for name, value in defaults.items()
        )
        async with self._files.transaction():
            decided = await self._imports.decide(staged, target)
            results = parsed.rows.join(
                decided, on="phone", how="left", maintain_order="left"
            ).with_columns(pl.coalesce("outcome", "result").alias("result"))
            accepted = results.filter(pl.col("result").str.contains("^(added|moved)_")).height
            record = await FileService(self._files, self._storage).record_upload(stored)
            with tempfile.TemporaryDirectory(prefix="optimizer-import-") as folder:
                out = Path(folder) / "result.csv"
                raw = pl.col("raw").fill_null("")
                # A number as E.164; what was not a number as it was, formulas made inert.
                escaped = pl.when(raw.str.contains(r"^[=+\-@\t\r]")).then("'" + raw).otherwise(raw)
                results.sort("line").select(
                    pl.coalesce("phone", escaped).alias("phone"), "result"
                ).write_csv(out)
                key = result_key(stored.kind, record.id)
                await self._storage.put_file(key, out)
            record = await self._files.mark_processed(
                record.id, result_key=key, total=parsed.uploaded, clean=accepted
            )
            await self._imports.record(
                record.id,
                target=target,
                uploaded=parsed.uploaded,
                accepted=accepted,
                rejected=parsed.uploaded - accepted,
            )
        return ImportOutcome(
            record=record,
            target=target,
            uploaded=parsed.uploaded,
            accepted=accepted,
            rejected=parsed.uploaded - accepted,
        )
