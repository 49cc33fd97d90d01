"""The encryption job: `original,token` (or `original,phone` to decrypt) for every row."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import polars as pl

from app.db import acquire
from app.encryption.crypto import PhoneCipher, looks_like_token
from app.files.csv_safety import inert
from app.files.repository import FileRepository
from app.files.service import FileChangedError, FileService
from app.jobs.worker import JobContext, JobFailedError
from app.phones.normalize import with_normalized

KIND = "encryption"
JOB_KIND = "encryption.process"
# A row that cannot be done still gets its line: the reason after this mark, which no
# token or phone can contain.
ERROR_MARK = "#error:"


def result_key(file_id: UUID) -> str:
    return f"processed/{KIND}/{file_id}.csv"


def _first_column(path: Path, delimiter: str) -> pl.Series:
    frame = pl.read_csv(
        path,
        separator=delimiter,
        has_header=False,
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
        empty_string_is_null=False,
    )
    return frame.to_series(0) if frame.width else pl.Series("original", [], dtype=pl.String)


def _is_header(value: str | None, mode: str, code: str) -> bool:
    """A first line that is a column name, not data ("phone", "token", …)."""
    if value is None or not any(c.isalpha() for c in value):
        return False
    if mode == "decrypt":
        return not looks_like_token(value)
    frame = with_normalized(pl.DataFrame({"v": [value]}), "v", code, phone="p", reason="r")
    return frame["p"][0] is None


def transform(
    path: Path, delimiter: str, mode: Literal["encrypt", "decrypt"], cipher: PhoneCipher, code: str
) -> pl.DataFrame:
    """Two columns, no header: the input value and its token (or phone), or the error."""
    values = _first_column(path, delimiter).alias("original")
    if values.len() and _is_header(values[0], mode, code):
        values = values.slice(1)
    if mode == "encrypt":
        frame = with_normalized(values.to_frame(), "original", code, phone="phone", reason="why")
        phones = frame["phone"]
        valid = phones.drop_nulls().to_list()
        tokens = iter(cipher.encrypt_many(valid))
        result = [
            next(tokens) if phone is not None else f"{ERROR_MARK}{why}"
            for phone, why in zip(phones.to_list(), frame["why"].to_list(), strict=True)
        ]
    else:
        phones_out = cipher.decrypt_many(values.fill_null("").to_list())
        result = [p if p is not None else f"{ERROR_MARK}invalid_token" for p in phones_out]
    frame = pl.DataFrame({"original": values, "result": pl.Series(result, dtype=pl.String)})
    return frame.with_columns(inert(pl.col("original"), phone=True).alias("original"))


async def process_encryption(context: JobContext, payload: dict[str, Any]) -> None:
    assert context.storage is not None
    assert context.settings is not None
    if context.settings.encryption is None:
        raise JobFailedError("encryption is not configured: set AES_KEY")
    cipher = PhoneCipher(context.settings.encryption.key_bytes())
    mode = "decrypt" if payload.get("mode") == "decrypt" else "encrypt"
    file_id = UUID(payload["file_id"])
    async with acquire(context.connections) as conn:
        record = await FileRepository(conn, context.sql).get(KIND, file_id)
    if record is None or record.raw_key is None:
        raise FileChangedError("The file was deleted")
    await context.progress(0, 3, f"{mode}ing")
    with tempfile.TemporaryDirectory(prefix="optimizer-encrypt-") as folder:
        out = Path(folder) / "out.csv"
        async with context.storage.local_copy(record.raw_key) as raw:
            code = context.settings.phones.default_calling_code
            try:
                frame = await asyncio.to_thread(
                    transform, raw, record.delimiter or ",", mode, cipher, code
                )
            except pl.exceptions.PolarsError as exc:
                raise JobFailedError(
                    "The file could not be read as CSV (check its quoting and delimiter)"
                ) from exc
        await asyncio.to_thread(frame.write_csv, out, include_header=False)
        await context.progress(1, 3, "storing")
        await context.storage.put_file(result_key(file_id), out)
    done = frame.filter(~pl.col("result").str.starts_with(ERROR_MARK)).height
    async with acquire(context.connections) as conn:
        await FileService(FileRepository(conn, context.sql)).finish_processing(
            file_id,
            job_id=context.job.id,
            owner=context.owner,
            result_key=result_key(file_id),
            total=frame.height,
            clean=done,
        )
    await context.progress(3, 3, f"{done} of {frame.height} rows {mode}ed")
