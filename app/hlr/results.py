"""The polars side of a run: the cleaned file's numbers in, the provider's answers in
the cache's columns out. Each function runs in a thread (no event loop work here)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from app.cleaning.layout import detect_layout
from app.phones.normalize import with_normalized

# api_hlr_live_numbers' columns (after custom_variable_1) as the provider names them:
# the v2 result's keys, nested ones dotted, as the batch results CSV flattens them.
RESULT_COLUMNS = (
    "error",
    "request_parameters.telephone_number",
    "request_parameters.cache_days_private",
    "request_parameters.cache_days_global",
    "request_parameters.save_to_cache",
    "request_parameters.output_format",
    "credits_spent",
    "detected_telephone_number",
    "formatted_telephone_number",
    "telephone_number_type",
    "live_status",
    "original_network",
    "original_network_details.name",
    "original_network_details.mccmnc",
    "original_network_details.country_name",
    "original_network_details.country_iso3",
    "original_network_details.area",
    "original_network_details.country_prefix",
    "current_network",
    "current_network_details.name",
    "current_network_details.mccmnc",
    "current_network_details.country_name",
    "current_network_details.country_iso3",
    "current_network_details.country_prefix",
    "is_ported",
)
# Where the number is when the first column (the input echoed) is not usable.
_NUMBER_COLUMNS = (
    "request_parameters.telephone_number",
    "formatted_telephone_number",
    "detected_telephone_number",
)


def kept_phones(cleaned: Path, delimiter: str, default_code: str, out: Path) -> int:
    """The cleaned file's numbers, distinct, as `phone,position` rows (no header) in `out`;
    how many. The cleaned file holds only kept rows, its phone column in E.164."""
    layout = detect_layout(cleaned, delimiter, default_code)
    frame = pl.scan_csv(
        cleaned,
        separator=delimiter,
        has_header=False,
        skip_rows=1 if layout.header else 0,
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    names = frame.collect_schema().names()
    if not names:
        out.write_text("")
        return 0
    column = names[layout.phone_index]
    phones = (
        with_normalized(frame.select(column), column, default_code, phone="phone", reason="why")
        .filter(pl.col("phone").is_not_null())
        .select("phone")
        .unique(maintain_order=True)
        .with_row_index("position")
        .select("phone", "position")
        .collect()
    )
    phones.write_csv(out, include_header=False)
    return phones.height


@dataclass(frozen=True, slots=True)
class Answers:
    """A results file in the cache's columns, and what the provider said of it."""

    rows: int
    errors: int  # per-number errors (error != NONE): not charged, not kept
    credits_spent: float


def answers_from_results(results: Path, out: Path) -> Answers:
    """The provider's results CSV (batch) as rows of api_hlr_live_numbers' columns
    (no header) in `out`. A column the file lacks is empty; the number is the first
    column (the input echoed), else the requested, formatted or detected one."""
    frame = pl.read_csv(results, infer_schema=False, raise_if_empty=False)
    if frame.width == 0:
        out.write_text("")
        return Answers(rows=0, errors=0, credits_spent=0.0)
    given = frame.columns
    candidates = [pl.col(given[0]), *(pl.col(c) for c in _NUMBER_COLUMNS if c in given)]
    digits = [_blank_is_null(c.str.replace_all(r"[^0-9]", "")) for c in candidates]
    cells = [
        (pl.col(name) if name in given else pl.lit(None, dtype=pl.String)).alias(name)
        for name in RESULT_COLUMNS
    ]
    answers = frame.select(pl.coalesce(digits).alias("custom_variable_1"), *cells).with_columns(
        pl.col("credits_spent").cast(pl.Float64, strict=False)
    )
    answers = answers.filter(pl.col("custom_variable_1").is_not_null())
    # The table's last column, "timestamp": the upsert sets it to when it was received.
    answers.with_columns(pl.lit(datetime.now(UTC).isoformat()).alias("timestamp")).write_csv(
        out, include_header=False
    )
    failed = pl.col("error").fill_null("NONE").str.to_uppercase().str.strip_chars() != "NONE"
    errors = answers.filter(failed).height
    if "credits_spent" in given:
        credits = float(answers.get_column("credits_spent").sum() or 0.0)
    else:
        # The batch results CSV may not say: a credit per answer, NO_COVERAGE being free.
        free = pl.col("live_status").fill_null("").str.to_uppercase() == "NO_COVERAGE"
        credits = float(answers.filter(~failed & ~free).height)
    return Answers(rows=answers.height, errors=errors, credits_spent=credits)


def _blank_is_null(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.len_bytes() > 0).then(value)


def write_rows(rows: Iterable[dict[str, str]], out: Path, *, append: bool) -> None:
    """Rows of the results CSV's shape (`input` + RESULT_COLUMNS): what v2 answers are
    kept as, the raw file of a run done through the v2 API."""
    header = ["input", *RESULT_COLUMNS]
    with out.open("a" if append else "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=header, extrasaction="ignore")
        if not append:
            writer.writeheader()
        writer.writerows(rows)
