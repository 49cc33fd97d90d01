"""Reading a drip upload: the old required headers, every row kept with its position, and
the rows that can never be sent marked `invalid` with their reason (not dropped)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import polars as pl

from app.csv_jobs.schemas import InvalidRow
from app.errors import BadRequestError
from app.files.sniff import SNIFF_BYTES, EmptyFileError, ensure_text, sniff

# The old service's required headers, exact case, in the order a 400 names the missing.
REQUIRED = (
    "List_ID", "Email", "Country", "Source", "Mobile", "conversion_type",
    "Original_source", "HLR_Status", "Uuid",
)  # fmt: skip
# Header -> record column, in the repository's column order after `position`.
_COLUMNS = {
    "List_ID": "list_id",
    "Email": "email",
    "Country": "country",
    "Source": "source",
    "Mobile": "mobile",
    "conversion_type": "conversion_type",
    "Original_source": "original_source",
    "HLR_Status": "hlr_status",
    "Uuid": "uuid",
}
# One @, something before it, a dotted domain after it, no spaces: enough to keep typos
# and placeholders from Ongage, which checks the rest.
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
_LIST_ID = r"^[0-9]{1,20}$"
# How many invalid rows the upload answer shows; every one is kept with its reason.
EXAMPLES = 20


class UnreadableCsvError(BadRequestError):
    detail = "The file could not be read as CSV (check its quoting and delimiter)"


@dataclass(frozen=True, slots=True)
class ParsedContacts:
    # (position, list_id, email, country, ..., uuid, send_status, error_message) per row.
    rows: list[tuple[Any, ...]]
    invalid: int
    examples: list[InvalidRow]


def parse_contacts(raw: bytes) -> ParsedContacts:
    """Every data row in file order, or a 400 (no header we need, no rows, not CSV)."""
    sniffed = sniff(raw[:SNIFF_BYTES])
    try:
        text = raw.decode(sniffed.encoding)
        ensure_text(text)  # the whole file: the sniff saw its head only
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=sniffed.delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except (UnicodeDecodeError, pl.exceptions.PolarsError) as exc:
        raise UnreadableCsvError from exc
    headers = {name.strip(): name for name in frame.columns}
    missing = [name for name in REQUIRED if name not in headers]
    if missing:
        raise BadRequestError(f"Missing required CSV columns: {', '.join(missing)}")
    if frame.height == 0:
        raise EmptyFileError
    cells = frame.select(
        [
            pl.col(headers[header]).str.strip_chars().replace("", None).alias(column)
            for header, column in _COLUMNS.items()
        ]
    ).with_row_index("position")
    reason = (
        pl.when(pl.col("email").is_null())
        .then(pl.lit("no email"))
        .when(~pl.col("email").str.contains(_EMAIL))
        .then(pl.lit("not an email address"))
        .when(pl.col("list_id").is_not_null() & ~pl.col("list_id").str.contains(_LIST_ID))
        .then(pl.lit("List_ID is not a number"))
    )
    marked = cells.with_columns(
        pl.when(reason.is_null())
        .then(pl.lit("pending"))
        .otherwise(pl.lit("invalid"))
        .alias("send_status"),
        reason.alias("error_message"),
    )
    invalid = marked.filter(pl.col("send_status") == "invalid")
    examples = [
        InvalidRow(position=row["position"], email=row["email"], reason=row["error_message"])
        for row in invalid.head(EXAMPLES).iter_rows(named=True)
    ]
    return ParsedContacts(rows=marked.rows(), invalid=invalid.height, examples=examples)
