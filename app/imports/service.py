"""Manual imports into the lists: every row gets an outcome, repeats inside the file too.

The file is parsed with polars, valid rows reach PostgreSQL by COPY, and one statement
decides them all; the result file lists every input row with what happened to it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import polars as pl

from app.errors import BadRequestError, NotFoundError
from app.files.csv_safety import inert
from app.files.repository import FileRepository
from app.files.schemas import FileRecord
from app.files.service import UNREADABLE_CSV, FileMissingError, FileService, StoredUpload
from app.imports.parse import ParsedImport, parse_import
from app.imports.repository import ImportRepository
from app.imports.schemas import ImportItem, Target
from app.storage import Storage

MANUAL_KIND = "manual_import"
BLACKLIST_KIND = "blacklist_import"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    record: FileRecord
    target: Target
    uploaded: int
    accepted: int
    rejected: int


def result_key(kind: str, file_id: object) -> str:
    return f"results/{kind}/{file_id}.csv"


class UnreadableCsvError(BadRequestError):
    detail = UNREADABLE_CSV


class ImportNotFoundError(NotFoundError):
    detail = "Import not found"


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
        """Parse, decide and record in one transaction; then store the result file (never
        while the transaction holds its row locks: storage may be a remote call)."""
        parsed = await self._parse(stored, required, default_code)
        staged = _with_defaults(parsed.staged(), reason=reason, source=source)
        async with self._files.transaction():
            decided = await self._imports.decide(staged, target)
            results = parsed.rows.join(
                decided, on="phone", how="left", maintain_order="left"
            ).with_columns(pl.coalesce("outcome", "result").alias("result"))
            accepted = results.filter(
                pl.col("result").str.contains("^(added|moved|confirmed)_")
            ).height
            record = await FileService(self._files, self._storage).record_upload(stored)
            await self._imports.record(
                record.id,
                target=target,
                uploaded=parsed.uploaded,
                accepted=accepted,
                rejected=parsed.uploaded - accepted,
            )
        key = result_key(stored.kind, record.id)
        with tempfile.TemporaryDirectory(prefix="optimizer-import-") as folder:
            out = Path(folder) / "result.csv"
            # A number as E.164; what was not a number as it was, formulas made inert.
            raw = inert(pl.col("raw").fill_null(""), phone=True)
            results.sort("line").select(
                pl.coalesce("phone", raw).alias("phone"), "result"
            ).write_csv(out)
            await self._storage.put_file(key, out)
        record = await self._files.mark_processed(
            record.id, result_key=key, total=parsed.uploaded, clean=accepted
        )
        return ImportOutcome(
            record=record,
            target=target,
            uploaded=parsed.uploaded,
            accepted=accepted,
            rejected=parsed.uploaded - accepted,
        )

    async def history(self) -> list[ImportItem]:
        return await self._imports.history()

    async def download(self, import_id: UUID) -> tuple[FileRecord, AsyncIterator[bytes]]:
        """An import's result file; both kinds of import are in the history, so both
        download here."""
        files = FileService(self._files, self._storage)
        for kind in (MANUAL_KIND, BLACKLIST_KIND):
            try:
                return await files.download(kind, import_id)
            except FileMissingError:
                continue
        raise ImportNotFoundError

    async def _parse(
        self, stored: StoredUpload, required: tuple[str, ...], default_code: str
    ) -> ParsedImport:
        async with self._storage.local_copy(stored.key) as raw:
            try:
                return await asyncio.to_thread(
                    parse_import, raw, stored.delimiter, default_code, required=required
                )
            except pl.exceptions.PolarsError as exc:
                # Not the parser's message: it quotes the file, phone numbers included.
                raise UnreadableCsvError from exc


def _with_defaults(staged: pl.DataFrame, **defaults: str | None) -> pl.DataFrame:
    """Fills reason/source where a file has no such column or leaves them empty."""
    return staged.with_columns(
        pl.when(pl.col(name).fill_null("") == "")
        .then(pl.lit(value))
        .otherwise(pl.col(name))
        .alias(name)
        for name, value in defaults.items()
        if value
    )
