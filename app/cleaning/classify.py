"""Classifying a CSV: one lazy polars pass, no Python loop per row.

Every row gets one outcome, first match wins: invalid, duplicate (of an earlier row, in
any format), then the run's own rules. For cleaning those are non_mobile (a line type no
SMS reaches), blacklisted, monitored, converted, seen (in main_database), then the kept
ones: whitelisted or clean; smart cleaning brings rules of its own (`Rules`). A filter
that is off never removes a row. The output keeps the input's order, its header and all
its columns, with the phone column in E.164.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from app.cleaning.layout import (
    MOBILE,
    Layout,
    checked_width,
    column_schema,
    scan_rows,
    unique_names,
)
from app.files.csv_safety import inert
from app.phones.normalize import with_normalized

# What every run decides first, whatever its rules.
FIRST = ("invalid", "duplicate")
# The normalized phone (Int64) and its line type, which the rules' conditions read.
PHONE = pl.col("_phone")
LINE_TYPE = pl.col("_line_type")
# Outcomes of rows whose number is counted by line type (each distinct valid number once).
_TYPED = pl.col("_outcome") > FIRST.index("duplicate")
# The annotated file's own columns; suffixed (`outcome_2`) when the file has such names.
ANNOTATIONS = ("outcome", "reason", "line_type")

# A rule: its outcome, and when it applies (False: the rule is off).
Rule = tuple[str, pl.Expr | bool]


@dataclass(frozen=True, slots=True)
class Rules:
    """A run's rules after invalid and duplicate: the removals, tried in order, then the
    labels of kept rows (the first that holds, else `otherwise`). A row's outcome is kept
    as its index in `outcomes` (an integer compares, groups and filters faster than a
    label), named on output."""

    removals: Sequence[Rule]
    labels: Sequence[Rule]
    otherwise: str

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (*FIRST, *(name for name, _ in self.removals), *self.kept)

    @property
    def kept(self) -> tuple[str, ...]:
        return (*(name for name, _ in self.labels), self.otherwise)

    def is_kept(self) -> pl.Expr:
        return pl.col("_outcome") >= len(self.outcomes) - len(self.kept)

    def outcome(self) -> pl.Expr:
        """Each row's outcome code, from `_phone`, `_reason` and `_line_type`."""
        codes = {name: code for code, name in enumerate(self.outcomes)}
        rules: list[Rule] = [
            ("invalid", pl.col("_reason").is_not_null()),
            ("duplicate", ~PHONE.is_first_distinct()),
            *self.removals,
            *self.labels,
        ]
        chain: Then | ChainedThen | None = None
        for label, condition in rules:
            if condition is False:
                continue
            code = pl.lit(codes[label], pl.UInt8)
            chain = (pl if chain is None else chain).when(condition).then(code)
        assert chain is not None  # invalid and duplicate are always there
        return chain.otherwise(pl.lit(codes[self.otherwise], pl.UInt8))


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


def cleaning_rules(lists: Lists, filters: Filters) -> Rules:
    """Cleaning's rules: each enabled filter removes, the whitelist labels what is kept."""
    return Rules(
        removals=(
            ("non_mobile", filters.exclude_non_mobile and ~LINE_TYPE.cast(pl.String).is_in(MOBILE)),
            ("blacklisted", filters.include_blacklist and PHONE.is_in(lists.blacklist.implode())),
            ("monitored", filters.include_monitor and PHONE.is_in(lists.monitor.implode())),
            (
                "converted",
                filters.include_conversion and PHONE.is_in(lists.conversions.implode()),
            ),
            ("seen", filters.include_main_database and PHONE.is_in(lists.main_database.implode())),
        ),
        labels=(("whitelisted", PHONE.is_in(lists.whitelist.implode())),),
        otherwise="clean",
    )


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_outcome: dict[str, int]
    kept_outcomes: tuple[str, ...]
    # Distinct valid numbers per LineType value.
    by_line_type: dict[str, int] = field(default_factory=dict)

    def removed(self, outcome: str) -> int:
        return self.by_outcome.get(outcome, 0)

    @property
    def kept(self) -> int:
        return sum(self.by_outcome.get(o, 0) for o in self.kept_outcomes)


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
    """Cleaning: `sift` by cleaning's rules."""
    return sift(
        source,
        layout,
        cleaning_rules(lists, filters),
        default_code,
        clean_path=clean_path,
        annotated_path=annotated_path,
        seen_path=seen_path,
    )


def sift(
    source: Path,
    layout: Layout,
    rules: Rules,
    default_code: str,
    *,
    clean_path: Path,
    annotated_path: Path | None = None,
    seen_path: Path | None = None,
) -> Counts:
    """Writes the kept rows; every row annotated, and the kept phones one per line, if
    asked (all in the same pass: nothing is read back from the results)."""
    run = partial(
        _sift,
        source,
        rules=rules,
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
        columns = checked_width(pl.scan_lines(source), layout.delimiter)
        if columns <= layout.columns:
            raise
        return run(layout.widened(columns))


def _sift(
    source: Path,
    layout: Layout,
    *,
    rules: Rules,
    default_code: str,
    clean_path: Path,
    annotated_path: Path | None,
    seen_path: Path | None,
) -> Counts:
    frame = _classified(source, layout, rules, default_code)
    names = layout.names()
    cells = _cells(layout)
    is_kept = rules.is_kept()
    kept = frame.filter(is_kept)
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
        outcome, reason, line_type = unique_names([*names, *ANNOTATIONS])[-len(ANNOTATIONS) :]
        annotations = [
            pl.lit(pl.Series(rules.outcomes)).gather(pl.col("_outcome")).alias(outcome),
            pl.col("_reason").alias(reason),
            LINE_TYPE.alias(line_type),
        ]
        plans.append(
            frame.select(*cells, *annotations).sink_csv(
                annotated_path, separator=layout.delimiter, lazy=True
            )
        )
    if seen_path is not None:
        # Taken from `frame`, not `kept`: polars then shares one scan between all the plans
        # (a second branch off `kept` made it read and normalize the file twice).
        phones = PHONE.filter(is_kept)
        plans.append(frame.select(phones).sink_csv(seen_path, include_header=False, lazy=True))
    # The streaming engine: bounded memory, and both cores on every stage.
    results = pl.collect_all(plans, engine="streaming")
    return _counts(results[1], rules)


def _counts(groups: pl.DataFrame, rules: Rules) -> Counts:
    """Rows per outcome, and distinct valid numbers per line type, from the counts of
    each (outcome, line type)."""
    by_code = groups.group_by("_outcome").agg(pl.col("len").sum()).iter_rows()
    by_outcome = {rules.outcomes[code]: count for code, count in by_code}
    typed = groups.filter(_TYPED & pl.col("_line_type").is_not_null())
    by_line_type = dict(
        typed.group_by(pl.col("_line_type").cast(pl.String)).agg(pl.col("len").sum()).iter_rows()
    )
    return Counts(
        total=sum(by_outcome.values()),
        by_outcome=by_outcome,
        kept_outcomes=rules.kept,
        by_line_type=by_line_type,
    )


def _classified(source: Path, layout: Layout, rules: Rules, default_code: str) -> pl.LazyFrame:
    """The file's rows with `_phone` (Int64), `_reason` and `_outcome`."""
    # An explicit schema: a file with a header and no rows still has its columns. No
    # truncating: a row wider than the layout fails the read (see `sift`).
    frame = scan_rows(
        source,
        layout.delimiter,
        layout.columns,
        skip_rows=1 if layout.header else 0,
        truncate_ragged_lines=False,
    )
    names = list(column_schema(layout.columns))
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
    frame = frame.with_columns(PHONE.cast(pl.Int64))
    return frame.with_columns(rules.outcome().alias("_outcome"))


def _cells(layout: Layout) -> list[pl.Expr]:
    """A row's cells as written: the phone in E.164, every cell inert."""
    cells = []
    pairs = zip(column_schema(layout.columns), layout.names(), strict=True)
    for index, (name, out) in enumerate(pairs):
        if index == layout.phone_index:
            # An invalid "phone" is whatever was there, formulas included.
            cell = pl.col("_phone").cast(pl.String).fill_null(inert(pl.col(name), phone=True))
        else:
            cell = inert(pl.col(name))
        cells.append(cell.alias(out))
    return cells
