"""The encryption job: `original,token` (or `original,phone` to decrypt) for every row."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import polars as pl

from app.encryption.crypto import PhoneCipher, looks_like_token
from app.files.csv_safety import inert
from app.files.jobs import FileJob, FileResult, FileRun
from app.jobs.kinds import JobFailedError
from app.phones.normalize import with_normalized

KIND = "encryption"
# A row that cannot be done still gets its line: the reason after this mark, which no
# token or phone can contain.
ERROR_MARK = "#error:"


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


class EncryptionJob(FileJob[PhoneCipher, FileResult]):
    file_kind = KIND
    job_kind = "encryption.process"

    async def prepare(self, run: FileRun) -> PhoneCipher:
        encryption = run.runtime.settings.encryption
        if encryption is None:
            raise JobFailedError("encryption is not configured: set AES_KEY")
        return PhoneCipher(encryption.key_bytes())

    def compute(self, run: FileRun, prepared: PhoneCipher) -> FileResult:
        mode: Literal["encrypt", "decrypt"] = (
            "decrypt" if run.payload.get("mode") == "decrypt" else "encrypt"
        )
        code = run.runtime.settings.phones.default_calling_code
        delimiter = run.record.delimiter or ","
        frame = transform(run.require_source(), delimiter, mode, prepared, code)
        out = run.folder / "out.csv"
        frame.write_csv(out, include_header=False)
        done = frame.filter(~pl.col("result").str.starts_with(ERROR_MARK)).height
        return FileResult(
            key=self.result_key(run.file_id),
            path=out,
            total=frame.height,
            clean=done,
            message=f"{done} of {frame.height} rows {mode}ed",
        )


ENCRYPTION_JOB = EncryptionJob()
