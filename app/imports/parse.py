"""Reading an import file: columns by (normalized) header, one outcome per row.

Headers are compared trimmed, lower-cased, without spaces and underscores, as the old
service did ("Phone", "custom_variable_1" and "OS Version" all match). Rows that cannot
be imported get their outcome here; the rest go to the database, which decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from app.errors import BadRequestError
from app.phones.normalize import COUNTRY_HEADERS, PHONE_HEADERS, header_key, with_normalized

# Normalized header -> our column. The old service stored `useragent` as browser_version.
_ALIASES = {
    **dict.fromkeys(PHONE_HEADERS, "phone"),
    "reason": "reason",
    "source": "source",
    "osversion": "os_version",
    "browserversion": "browser_version",
    "useragent": "browser_version",
    "ip": "ip",
    # Not stored: each row's national number is read in its own country.
    **dict.fromkeys(COUNTRY_HEADERS, "country"),
}
STAGED = ("phone", "reason", "source", "os_version", "browser_version", "ip")
READ = (*STAGED, "country")


class MissingColumnsError(BadRequestError):
    pass


@dataclass(frozen=True, slots=True)
class ParsedImport:
    rows: pl.DataFrame  # line, raw, outcome (null for rows to stage), and the staged columns
    uploaded: int

    def staged(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("outcome").is_null()).select(STAGED)


def parse_import(
    path: Path, delimiter: str, default_code: str, *, required: tuple[str, ...]
) -> ParsedImport:
    """Every data row with its outcome if it cannot be imported, and its clean values."""
    frame = pl.read_csv(
        path,
        separator=delimiter,
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    columns: dict[str, str] = {}
    for header in frame.columns:
        ours = _ALIASES.get(header_key(header))
        if ours and ours not in columns:
            columns[ours] = header
    missing = [name for name in required if name not in columns]
    if missing:
        raise MissingColumnsError(f"Missing required CSV columns: {', '.join(missing)}")
    frame = frame.select(
        [
            pl.col(columns[name]).str.strip_chars().alias(name)
            if name in columns
            else pl.lit(None, pl.String).alias(name)
            for name in READ
        ]
    ).with_row_index("line", offset=2)  # line 1 is the header
    frame = with_normalized(
        frame, "phone", default_code, phone="_phone", reason="_invalid", region="country"
    )
    blank = pl.any_horizontal([pl.col(name).is_null() | (pl.col(name) == "") for name in required])
    # A repeat is a repeat of an importable row: a first line rejected for a missing
    # field does not make the next, complete one a duplicate.
    importable = pl.when(~blank & pl.col("_invalid").is_null()).then(pl.col("_phone"))
    outcome = (
        pl.when(blank)
        .then(pl.lit("rejected_missing_required"))
        .when(pl.col("_invalid").is_not_null())
        .then(pl.lit("rejected_invalid_phone"))
        .when(importable.is_not_null() & ~importable.is_first_distinct())
        .then(pl.lit("rejected_duplicate_in_file"))
    )
    rows = frame.with_columns(outcome.alias("outcome"), pl.col("phone").alias("raw")).with_columns(
        pl.col("_phone").alias("phone")
    )
    return ParsedImport(rows=rows.drop("_phone", "_invalid"), uploaded=rows.height)
