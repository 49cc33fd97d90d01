"""Voluum rows into polars frames, by key name; custom variable 1 into a phone.

Shared by the report and the conversion syncs: a page's rows become columns named as our
tables name them, and the phone goes through decryption (link tokens) and the one
normalizer, with a reason wherever it is no phone.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import polars as pl

from app.encryption.crypto import PhoneCipher
from app.phones.normalize import with_normalized
from app.phones.regions import main_region_of

# Voluum custom variables hold a phone or a link token; tokens are long (crypto.py).
TOKEN_MIN_CHARS = 25
UNDECRYPTABLE = "undecryptable_token"


def columns_of(
    rows: Sequence[Mapping[str, Any]], keys: Mapping[str, tuple[str, pl.DataType]]
) -> pl.DataFrame:
    """The rows' values under `keys` (Voluum key → our column, type), read by name: a
    missing key is null, and so is a value of another type than documented."""
    schema = {key: dtype for key, (_, dtype) in keys.items()}
    try:
        frame = pl.from_dicts(rows, schema=schema)
    except (pl.exceptions.ComputeError, TypeError, ValueError):
        # One odd value (a string where a number belongs): column by column, leniently.
        frame = pl.DataFrame(
            [
                pl.Series(key, [row.get(key) for row in rows], dtype=dtype, strict=False)
                for key, dtype in schema.items()
            ]
        )
    return frame.rename({key: column for key, (column, _) in keys.items()})


def columns_of_json(rows_json: bytes, keys: Mapping[str, tuple[str, pl.DataType]]) -> pl.DataFrame:
    """As `columns_of`, from the rows as one JSON array: parsed by polars at once, and
    only when a value has another type than documented, row by row."""
    schema = {key: dtype for key, (_, dtype) in keys.items()}
    try:
        frame = pl.read_json(rows_json, schema=schema)
    except pl.exceptions.PolarsError:
        return columns_of(msgspec.json.decode(rows_json, type=list[dict[str, Any]]), keys)
    return frame.rename({key: column for key, (column, _) in keys.items()})


def with_phone(
    frame: pl.DataFrame, source: str, *, cipher: PhoneCipher | None, default_code: str
) -> pl.DataFrame:
    """`frame` with `custom_variable_1` (the phone as E.164 digits; else the value as
    received, decrypted when it could be), `invalid_reason` (null for a phone) and
    `country_code` (the calling code's main region)."""
    # A copy: scatter() below writes in place.
    raw = frame[source].cast(pl.String).clone()
    is_token = (raw.str.len_chars() >= TOKEN_MIN_CHARS).fill_null(False)
    plain = raw
    undecryptable = pl.Series("undecryptable", [False] * len(raw), dtype=pl.Boolean)
    positions = is_token.arg_true()
    if len(positions):
        tokens = raw.gather(positions).to_list()
        decrypted = cipher.decrypt_many(tokens) if cipher else [None] * len(tokens)
        plain = raw.clone().scatter(positions, pl.Series(decrypted, dtype=pl.String))
        undecryptable = undecryptable.scatter(
            positions, pl.Series([value is None for value in decrypted], dtype=pl.Boolean)
        )
    work = frame.with_columns(
        plain.alias("_plain"), raw.alias("_raw"), undecryptable.alias("_undecryptable")
    )
    work = with_normalized(work, "_plain", default_code, phone="_phone", reason="_reason")
    return work.with_columns(
        pl.coalesce("_phone", "_plain", "_raw").alias("custom_variable_1"),
        pl.when(pl.col("_undecryptable"))
        .then(pl.lit(UNDECRYPTABLE))
        .otherwise(pl.col("_reason"))
        .alias("invalid_reason"),
        main_region_of(pl.col("_phone")).alias("country_code"),
    ).drop("_plain", "_raw", "_undecryptable", "_phone", "_reason")


def csv_bytes(frame: pl.DataFrame, columns: Sequence[str]) -> io.BytesIO:
    """The columns as CSV without a header, for COPY (an empty field is NULL)."""
    buffer = io.BytesIO()
    frame.select(columns).write_csv(buffer, include_header=False)
    buffer.seek(0)
    return buffer
