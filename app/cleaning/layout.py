"""How a CSV is laid out: which column holds the phones (and which the rows' countries),
whether its first line is a header, and how wide its widest row is; and reading its rows
by that layout. Cleaning, smart cleaning and HLR read uploads the same way.

Rows may differ in width. Each is read whole and written as wide as the widest row: a
short row gets empty cells, so the output is a CSV of one width that every tool loads,
and a long row loses nothing; a header gets names for the extra cells (`column_5`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from app.phones.normalize import (
    COUNTRY_HEADERS,
    PHONE_HEADERS,
    LineType,
    header_key,
    with_normalized,
)

# The line types an SMS can reach.
MOBILE = (LineType.MOBILE.value, LineType.FIXED_LINE_OR_MOBILE.value)
SAMPLE_ROWS = 1000
# A column holds phones when at least this share of its non-empty sampled cells are
# valid numbers. Names, e-mails or cities have none; a column of messy phones keeps far
# more; one number in a notes column is not enough.
PHONE_SHARE = 0.1
# A failure names a file's columns: each cut to this length, and at most this many.
NAME_CHARS = 30
MAX_NAMES = 20
# More cells in a row is no list of contacts but a broken file (a line of delimiters):
# reading every row as that many columns would cost more memory and time than it is worth.
MAX_COLUMNS = 1000


class UnusableFileError(ValueError):
    """The file cannot be cleaned, for the reason its message gives (quoting no cell)."""


class NoPhoneColumnError(UnusableFileError):
    """No column of the file holds phone numbers; the message names the columns."""


class TooWideError(UnusableFileError):
    """A row has more cells than MAX_COLUMNS."""


@dataclass(frozen=True, slots=True)
class Layout:
    delimiter: str
    header: list[str] | None  # the names, when the first line is a header
    columns: int  # the cells of the widest row: every row is written as wide
    phone_index: int
    # The column of each row's country (a header named like COUNTRY_HEADERS): its
    # national numbers are read in that country.
    country_index: int | None = None

    def names(self) -> list[str]:
        """What the written files call the columns (a file without header is given
        names in its annotated copy only)."""
        return self.header or list(column_schema(self.columns))

    def widened(self, columns: int) -> Layout:
        """The layout of a file whose widest row has `columns` cells."""
        extra = [""] * (columns - self.columns)  # blank names: named by their position
        header = None if self.header is None else unique_names(self.header + extra)
        return replace(self, header=header, columns=columns)


def column_schema(count: int) -> dict[str, pl.DataType]:
    # The names polars gives the columns of a file without header.
    return {f"column_{i + 1}": pl.String() for i in range(count)}


def scan_rows(path: Path, delimiter: str, columns: int, **options: object) -> pl.LazyFrame:
    return pl.scan_csv(
        path,
        separator=delimiter,
        has_header=False,
        # Every column as text: "0044…" must not become a number.
        schema=column_schema(columns),
        # A row narrower than the schema gets empty cells; polars checks the schema
        # against the first row alone, which may be such a row.
        missing_columns="insert",
        empty_string_is_null=False,
        raise_if_empty=False,
        **options,  # type: ignore[arg-type]
    )


def widest_row(lines: pl.LazyFrame, delimiter: str) -> int:
    """The cells of the widest row of `lines` (a column `line`), counted as polars reads
    them: a row goes on past a line break while its quotes are odd, and a cell is quoted
    when it starts with a quote. A line's quoted cells are dropped, and the delimiters
    left are summed over the lines of its row."""
    line, quotes = pl.col("line"), pl.col("quotes")
    inside, separators = pl.col("inside"), pl.col("separators")
    quoted_cell = rf'(^|\x{{{ord(delimiter):x}}})"(?:[^"]|"")*("|$)'
    frame = lines.with_columns(line.str.count_matches('"', literal=True).alias("quotes"))
    frame = frame.with_columns(((quotes.cum_sum() - quotes) % 2 == 1).alias("inside"))
    # A line that starts inside a quoted cell gets that cell's opening quote back.
    text = pl.when(inside).then(pl.lit('"') + line).otherwise(line)
    bare = text.str.replace_all(quoted_cell, "${1}")
    frame = frame.select(
        inside, bare.str.count_matches(delimiter, literal=True).alias("separators")
    )
    so_far = separators.cum_sum()
    before_row = pl.when(~inside).then(so_far - separators).forward_fill()
    widest = frame.select((so_far - before_row).max()).collect(engine="streaming").item()
    return int(widest or 0) + 1


def checked_width(lines: pl.LazyFrame, delimiter: str) -> int:
    columns = widest_row(lines, delimiter)
    if columns > MAX_COLUMNS:
        raise TooWideError(
            f"A row has {columns:,} cells, more than the {MAX_COLUMNS:,} a file may have"
        )
    return columns


def detect_layout(path: Path, delimiter: str, default_code: str) -> Layout:
    """Which column holds the phones (and which the rows' countries), whether the first
    line is a header, and the widest row of the sample (`classify` widens it for a
    wider row further down)."""
    columns = checked_width(pl.scan_lines(path, n_rows=SAMPLE_ROWS), delimiter)
    # Rows past the sampled lines may be wider: the sample alone is cut to its width.
    sample = scan_rows(
        path, delimiter, columns, n_rows=SAMPLE_ROWS, truncate_ragged_lines=True
    ).collect(engine="streaming")
    if sample.height == 0:
        return Layout(delimiter=delimiter, header=None, columns=columns, phone_index=0)
    first = [str(v or "") for v in sample.row(0)]
    keys = [header_key(name) for name in first]
    named = [i for i, key in enumerate(keys) if key in PHONE_HEADERS]
    countries = [i for i, key in enumerate(keys) if key in COUNTRY_HEADERS]
    country = countries[0] if countries else None
    phone_index = named[0] if named else _phone_column(sample, default_code, country)
    if phone_index is None:
        raise NoPhoneColumnError(_no_phone_column(first))
    has_header = bool(named) or _is_word(first[phone_index])
    return Layout(
        delimiter=delimiter,
        header=unique_names(first) if has_header else None,
        columns=columns,
        phone_index=phone_index,
        country_index=country if has_header else None,
    )


def _is_word(cell: str) -> bool:
    """A header cell is a word: letters, no digits (a data row's bad phone has digits,
    or is a {{placeholder}} or empty)."""
    return bool(re.search(r"[A-Za-z]", cell)) and not re.search(r"[0-9{}]", cell)


def _phone_column(sample: pl.DataFrame, default_code: str, country: int | None) -> int | None:
    """Of the columns where valid numbers are a real share (PHONE_SHARE), the one with
    the most; None when there is none. Ids and timestamps are digits too, but rarely
    valid numbers, and when they are (1700000000 is a GB landline), rarely mobiles: on
    a tie the column of more mobiles wins, then of longer numbers. (A header scores
    nothing, so the first line counts too: a file of one row has nothing below it.)"""
    region = None if country is None else sample.columns[country]
    scores = {}
    for index, name in enumerate(sample.columns):
        if index == country:
            continue
        found = with_normalized(
            sample, name, default_code, phone="_p", reason="_r", region=region, line_type="_t"
        ).select(
            pl.col("_p").count().alias("valid"),
            pl.col("_t").cast(pl.String).is_in(MOBILE).sum().alias("mobile"),
            pl.col("_p").str.len_bytes().sum().alias("digits"),
        )
        valid, mobile, digits = found.row(0)
        filled = int(sample[name].str.strip_chars().str.len_bytes().gt(0).sum())
        if valid and valid >= PHONE_SHARE * filled:
            scores[index] = (valid, mobile, digits)
    return max(scores, key=lambda i: (scores[i], -i)) if scores else None


def _no_phone_column(first: list[str]) -> str:
    """Why the file cannot be cleaned, naming its columns: by the first line's cells
    when it has no digit at all (a header), else by position. A header-less file's
    first row is data, and its numbers must not reach a message."""
    header = any(map(_is_word, first)) and not any(re.search("[0-9]", c) for c in first)
    names = [
        _shown(cell) if header and cell.strip() else f"column_{index + 1}"
        for index, cell in enumerate(first)
    ]
    listed = ", ".join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        listed += f", … ({len(names) - MAX_NAMES} more)"
    return f"No column holds phone numbers (columns: {listed})"


def _shown(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def unique_names(names: list[str]) -> list[str]:
    """Header names as written out: unique (a repeated name gets the first free suffix,
    a blank one its position) and inert (a header is a cell like any other)."""
    taken: set[str] = set()
    unique = []
    for index, name in enumerate(names):
        base = name.strip() or f"column_{index + 1}"
        if re.match(r"[=+\-@\t\r]", base):
            base = "'" + base
        candidate, suffix = base, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}_{suffix}"
        taken.add(candidate)
        unique.append(candidate)
    return unique
