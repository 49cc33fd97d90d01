"""Classifying a CSV against the lists: one lazy polars pass, no Python loop per row.

Every row gets one outcome, first match wins: invalid, duplicate (of an earlier row, in
any format), blacklisted, monitored, converted, seen (in main_database), then the kept
ones: whitelisted or clean. A filter that is off never removes a row. The output keeps
the input's order, its header and all its columns, with the phone column in E.164.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from app.files.csv_safety import inert
from app.phones.normalize import PHONE_HEADERS, header_key, with_normalized

KEPT = ("whitelisted", "clean")
SAMPLE_ROWS = 1000


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


@dataclass(frozen=True, slots=True)
class Layout:
    delimiter: str
    header: list[str] | None  # the names, when the first line is a header
    columns: int
    phone_index: int


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_outcome: dict[str, int]

    def removed(self, outcome: str) -> int:
        return self.by_outcome.get(outcome, 0)

    @property
    def kept(self) -> int:
        return sum(self.by_outcome.get(o, 0) for o in KEPT)


def _columns(count: int) -> dict[str, pl.DataType]:
    return {f"column_{i}": pl.String() for i in range(count)}


def _read(path: Path, delimiter: str, **options: object) -> pl.LazyFrame:
    return pl.scan_csv(
        path,
        separator=delimiter,
        has_header=False,
        infer_schema=False,  # every column as text: "0044…" must not become a number
        truncate_ragged_lines=True,
        empty_string_is_null=False,
        raise_if_empty=False,
        **options,  # type: ignore[arg-type]
    )


def detect_layout(path: Path, delimiter: str, default_code: str) -> Layout:
    """Which column holds the phones, and whether the first line is a header."""
    sample = _read(path, delimiter, n_rows=SAMPLE_ROWS).collect(engine="streaming")
    if sample.height == 0:
        return Layout(delimiter=delimiter, header=None, columns=1, phone_index=0)
    first = [str(v or "") for v in sample.row(0)]
    named = [i for i, name in enumerate(first) if header_key(name) in PHONE_HEADERS]
    if named:
        phone_index = named[0]
    else:
        # The column with the most plausible numbers below the first line (the first line
        # may be a header); ids and timestamps are digits too, but rarely real numbers.
        scores = [
            _plausible(sample.to_series(i).slice(1), default_code) for i in range(sample.width)
        ]
        phone_index = max(range(sample.width), key=lambda i: (scores[i], -i))
    cell = first[phone_index]
    # A header cell is a word: letters, no digits (a data row's bad phone has digits,
    # or is a {{placeholder}} or empty).
    is_word = bool(re.search(r"[A-Za-z]", cell)) and not re.search(r"[0-9{}]", cell)
    has_header = bool(named) or is_word
    return Layout(
        delimiter=delimiter,
        header=_unique(first) if has_header else None,
        columns=sample.width,
        phone_index=phone_index,
    )


def _plausible(values: pl.Series, default_code: str) -> tuple[int, int]:
    """How many values have a possible length for their country's numbering plan, and
    their total digits: on a tie, the column of longer numbers (mobiles, not ids)."""
    frame = with_normalized(values.to_frame("v"), "v", default_code, phone="_p", reason="_r")
    count = digits = 0
    for phone in frame["_p"].drop_nulls().to_list():
        try:
            possible = phonenumbers.is_possible_number(phonenumbers.parse("+" + phone))
        except phonenumbers.NumberParseException:
            continue
        count += possible
        digits += len(phone) if possible else 0
    return count, digits


def _unique(names: list[str]) -> list[str]:
    """Header names as written out: unique, and inert (a header is a cell like any other)."""
    seen: dict[str, int] = {}
    unique = []
    for index, name in enumerate(names):
        base = name.strip() or f"column_{index + 1}"
        if re.match(r"[=+\-@\t\r]", base):
            base = "'" + base
        seen[base] = seen.get(base, 0) + 1
        unique.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return unique


def _outcome(phone: pl.Expr, reason: pl.Expr, lists: Lists, filters: Filters) -> pl.Expr:
    rules = [
        (reason.is_not_null(), "invalid"),
        (~phone.is_first_distinct(), "duplicate"),
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
        outcome = pl.lit(label)
        if chain is None:
            chain = pl.when(condition).then(outcome)
        else:
            chain = chain.when(condition).then(outcome)
    assert chain is not None  # the whitelist rule is always there
    return chain.otherwise(pl.lit("clean"))


def classify(
    source: Path,
    layout: Layout,
    lists: Lists,
    filters: Filters,
    default_code: str,
    *,
    clean_path: Path,
    annotated_path: Path | None = None,
) -> Counts:
    """Writes the kept rows, and every row annotated if asked; the kept phones are the
    phone column of the kept rows (read back for main_database, not sunk twice)."""
    # An explicit schema: a file with a header and no rows still has its columns.
    frame = _read(
        source,
        layout.delimiter,
        skip_rows=1 if layout.header else 0,
        schema=_columns(layout.columns),
    )
    names = frame.collect_schema().names()
    output = layout.header or names
    phone_name = names[layout.phone_index]
    frame = with_normalized(frame, phone_name, default_code, phone="_phone", reason="_reason")
    # Blank lines are no rows (the old service skipped them too): an empty phone and
    # nothing in any other cell. (Cheaper than stripping every cell.)
    others = [pl.col(n).str.len_bytes() > 0 for n in names if n != phone_name]
    frame = frame.filter(pl.col("_reason").ne_missing("empty") | pl.any_horizontal(False, *others))
    frame = frame.with_columns(pl.col("_phone").cast(pl.Int64)).with_columns(
        _outcome(pl.col("_phone"), pl.col("_reason"), lists, filters).alias("_outcome")
    )

    def row(*, annotated: bool) -> list[pl.Expr]:
        cells = [
            (
                # An invalid "phone" is whatever was there, formulas included.
                pl.col("_phone").cast(pl.String).fill_null(inert(pl.col(name), phone=True))
                if name == phone_name
                else inert(pl.col(name))
            ).alias(out)
            for name, out in zip(names, output, strict=True)
        ]
        if annotated:
            cells += [pl.col("_outcome").alias("outcome"), pl.col("_reason").alias("reason")]
        return cells

    kept = frame.filter(pl.col("_outcome").is_in(KEPT))
    plans = [
        kept.select(row(annotated=False)).sink_csv(
            clean_path,
            include_header=layout.header is not None,
            separator=layout.delimiter,  # the file comes back as it came
            lazy=True,
        ),
        frame.group_by("_outcome").len(),
    ]
    if annotated_path is not None:
        plans.append(
            frame.select(row(annotated=True)).sink_csv(
                annotated_path, separator=layout.delimiter, lazy=True
            )
        )
    # The streaming engine: bounded memory, and both cores on every stage.
    results = pl.collect_all(plans, engine="streaming")
    by_outcome = dict(results[1].iter_rows())
    return Counts(total=sum(by_outcome.values()), by_outcome=by_outcome)


def kept_phones(clean_path: Path, layout: Layout) -> pl.LazyFrame:
    """The E.164 phones of a written result, as one Int64 column `phone` (maybe none)."""
    frame = _read(
        clean_path,
        layout.delimiter,
        skip_rows=1 if layout.header else 0,
        schema=_columns(layout.columns),
    )
    return frame.select(pl.col(f"column_{layout.phone_index}").cast(pl.Int64).alias("phone"))
