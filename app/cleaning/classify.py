"""Classifying a CSV against the lists: one lazy polars pass, no Python loop per row.

Every row gets one outcome, first match wins: invalid, duplicate (of an earlier row, in
any format), non_mobile (a line type no SMS reaches), blacklisted, monitored, converted,
seen (in main_database), then the kept ones: whitelisted or clean. A filter that is off
never removes a row. The output keeps the input's order, its header and all its columns,
with the phone column in E.164.

Rows may differ in width. Each is read whole and written as wide as the widest row: a
short row gets empty cells, so the output is a CSV of one width that every tool loads,
and a long row loses nothing; a header gets names for the extra cells (`column_5`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from app.files.csv_safety import inert
from app.phones.normalize import (
    COUNTRY_HEADERS,
    PHONE_HEADERS,
    LineType,
    header_key,
    with_normalized,
)

# Every outcome, in the order the rules try them; a row's outcome is kept as its index
# here (an integer compares, groups and filters faster than a label), named on output.
OUTCOMES = (
    "invalid", "duplicate", "non_mobile", "blacklisted", "monitored", "converted", "seen",
    "whitelisted", "clean",
)  # fmt: skip
KEPT = ("whitelisted", "clean")
_CODE = {name: code for code, name in enumerate(OUTCOMES)}
_IS_KEPT = pl.col("_outcome") >= _CODE["whitelisted"]
# What `exclude_non_mobile` keeps: the line types an SMS can reach.
MOBILE = (LineType.MOBILE.value, LineType.FIXED_LINE_OR_MOBILE.value)
# Outcomes of rows whose number is counted by line type (each distinct valid number once).
_TYPED = pl.col("_outcome") > _CODE["duplicate"]
SAMPLE_ROWS = 1000
# The annotated file's own columns; suffixed (`outcome_2`) when the file has such names.
ANNOTATIONS = ("outcome", "reason", "line_type")
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
class Lists:
    """The phones to match against, as Int64 series (loaded once per job)."""

    blacklist: pl.Series
    monitor: pl.Series
    whitelist: pl.Series
    conversions: pl.Series
    main_database: pl.Series


@dataclass(frozen=True, slots=True)
class Filters:
    include_blacklist: bool = False
    include_monitor: bool = False
    include_conversion: bool = False
    include_main_database: bool = False
    exclude_non_mobile: bool = False


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
        return self.header or list(_columns(self.columns))

    def widened(self, columns: int) -> Layout:
        """The layout of a file whose widest row has `columns` cells."""
        extra = [""] * (columns - self.columns)  # blank names: named by their position
        header = None if self.header is None else _unique(self.header + extra)
        return replace(self, header=header, columns=columns)


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_outcome: dict[str, int]
    # Distinct valid numbers per LineType value.
    by_line_type: dict[str, int] = field(default_factory=dict)

    def removed(self, outcome: str) -> int:
        return self.by_outcome.get(outcome, 0)

    @property
    def kept(self) -> int:
        return sum(self.by_outcome.get(o, 0) for o in KEPT)


def _columns(count: int) -> dict[str, pl.DataType]:
    # The names polars gives the columns of a file without header.
    return {f"column_{i + 1}": pl.String() for i in range(count)}


def _read(path: Path, delimiter: str, columns: int, **options: object) -> pl.LazyFrame:
    return pl.scan_csv(
        path,
        separator=delimiter,
        has_header=False,
        # Every column as text: "0044…" must not become a number.
        schema=_columns(columns),
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


def _width(lines: pl.LazyFrame, delimiter: str) -> int:
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
    columns = _width(pl.scan_lines(path, n_rows=SAMPLE_ROWS), delimiter)
    # Rows past the sampled lines may be wider: the sample alone is cut to its width.
    sample = _read(
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
        header=_unique(first) if has_header else None,
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


def _unique(names: list[str]) -> list[str]:
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


def _outcome(
    phone: pl.Expr, reason: pl.Expr, line_type: pl.Expr, lists: Lists, filters: Filters
) -> pl.Expr:
    rules = [
        (reason.is_not_null(), "invalid"),
        (~phone.is_first_distinct(), "duplicate"),
        (filters.exclude_non_mobile and ~line_type.cast(pl.String).is_in(MOBILE), "non_mobile"),
        (filters.include_blacklist and phone.is_in(lists.blacklist.implode()), "blacklisted"),
        (filters.include_monitor and phone.is_in(lists.monitor.implode()), "monitored"),
        (filters.include_conversion and phone.is_in(lists.conversions.implode()), "converted"),
        (filters.include_main_database and phone.is_in(lists.main_database.implode()), "seen"),
        (phone.is_in(lists.whitelist.implode()), "whitelisted"),
    ]
    chain: Then | ChainedThen | None = None
    for condition, label in rules:
        if condition is False:
            continue
        outcome = pl.lit(_CODE[label], pl.UInt8)
        if chain is None:
            chain = pl.when(condition).then(outcome)
        else:
            chain = chain.when(condition).then(outcome)
    assert chain is not None  # the whitelist rule is always there
    return chain.otherwise(pl.lit(_CODE["clean"], pl.UInt8))


def classify(
    source: Path,
    layout: Layout,
    lists: Lists,
    filters: Filters,
    default_code: str,
    *,
    clean_path: Path,
    annotated_path: Path | None = None,
    seen_path: Path | None = None,
) -> Counts:
    """Writes the kept rows; every row annotated, and the kept phones one per line, if
    asked (all in the same pass: nothing is read back from the results)."""
    run = partial(
        _classify,
        source,
        lists=lists,
        filters=filters,
        default_code=default_code,
        clean_path=clean_path,
        annotated_path=annotated_path,
        seen_path=seen_path,
    )
    try:
        return run(layout)
    except pl.exceptions.ComputeError:
        # polars refuses a row wider than the schema rather than cut it: the sample did
        # not hold the widest row. Only then is the whole file measured (a streaming pass
        # of about a second per 10M rows, which other files never pay) and read again.
        columns = _width(pl.scan_lines(source), layout.delimiter)
        if columns <= layout.columns:
            raise
        return run(layout.widened(columns))


def _classify(
    source: Path,
    layout: Layout,
    *,
    lists: Lists,
    filters: Filters,
    default_code: str,
    clean_path: Path,
    annotated_path: Path | None,
    seen_path: Path | None,
) -> Counts:
    frame = _classified(source, layout, lists, filters, default_code)
    names = layout.names()
    cells = _cells(layout)
    kept = frame.filter(_IS_KEPT)
    plans = [
        kept.select(cells).sink_csv(
            clean_path,
            include_header=layout.header is not None,
            separator=layout.delimiter,  # the file comes back as it came
            lazy=True,
        ),
        frame.group_by("_outcome", "_line_type").len(),
    ]
    if annotated_path is not None:
        outcome, reason, line_type = _unique([*names, *ANNOTATIONS])[-len(ANNOTATIONS) :]
        annotations = [
            pl.lit(pl.Series(OUTCOMES)).gather(pl.col("_outcome")).alias(outcome),
            pl.col("_reason").alias(reason),
            pl.col("_line_type").alias(line_type),
        ]
        plans.append(
            frame.select(*cells, *annotations).sink_csv(
                annotated_path, separator=layout.delimiter, lazy=True
            )
        )
    if seen_path is not None:
        # Taken from `frame`, not `kept`: polars then shares one scan between all the plans
        # (a second branch off `kept` made it read and normalize the file twice).
        phones = pl.col("_phone").filter(_IS_KEPT)
        plans.append(frame.select(phones).sink_csv(seen_path, include_header=False, lazy=True))
    # The streaming engine: bounded memory, and both cores on every stage.
    results = pl.collect_all(plans, engine="streaming")
    return _counts(results[1])


def _counts(groups: pl.DataFrame) -> Counts:
    """Rows per outcome, and distinct valid numbers per line type, from the counts of
    each (outcome, line type)."""
    by_code = groups.group_by("_outcome").agg(pl.col("len").sum()).iter_rows()
    by_outcome = {OUTCOMES[code]: count for code, count in by_code}
    typed = groups.filter(_TYPED & pl.col("_line_type").is_not_null())
    by_line_type = dict(
        typed.group_by(pl.col("_line_type").cast(pl.String)).agg(pl.col("len").sum()).iter_rows()
    )
    return Counts(total=sum(by_outcome.values()), by_outcome=by_outcome, by_line_type=by_line_type)


def _classified(
    source: Path, layout: Layout, lists: Lists, filters: Filters, default_code: str
) -> pl.LazyFrame:
    """The file's rows with `_phone` (Int64), `_reason` and `_outcome`."""
    # An explicit schema: a file with a header and no rows still has its columns. No
    # truncating: a row wider than the layout fails the read (see `classify`).
    frame = _read(
        source,
        layout.delimiter,
        layout.columns,
        skip_rows=1 if layout.header else 0,
        truncate_ragged_lines=False,
    )
    names = list(_columns(layout.columns))
    phone_name = names[layout.phone_index]
    frame = with_normalized(
        frame,
        phone_name,
        default_code,
        phone="_phone",
        reason="_reason",
        region=None if layout.country_index is None else names[layout.country_index],
        line_type="_line_type",
    )
    # Blank lines are no rows (the old service skipped them too): an empty phone and
    # nothing in any other cell. (Cheaper than stripping every cell.)
    others = [pl.col(n).str.len_bytes() > 0 for n in names if n != phone_name]
    frame = frame.filter(pl.col("_reason").ne_missing("empty") | pl.any_horizontal(False, *others))
    return frame.with_columns(pl.col("_phone").cast(pl.Int64)).with_columns(
        _outcome(pl.col("_phone"), pl.col("_reason"), pl.col("_line_type"), lists, filters).alias(
            "_outcome"
        )
    )


def _cells(layout: Layout) -> list[pl.Expr]:
    """A row's cells as written: the phone in E.164, every cell inert."""
    cells = []
    for index, (name, out) in enumerate(zip(_columns(layout.columns), layout.names(), strict=True)):
        if index == layout.phone_index:
            # An invalid "phone" is whatever was there, formulas included.
            cell = pl.col("_phone").cast(pl.String).fill_null(inert(pl.col(name), phone=True))
        else:
            cell = inert(pl.col(name))
        cells.append(cell.alias(out))
    return cells
