"""One phone normalizer for every path: uploads, imports, Voluum, SQS, HLR.

A phone is stored as E.164 digits without the `+` (447400123456), and only when its
country's numbering plan says the number can exist (libphonenumber's metadata: calling
code, length, pattern); each valid number also gets its line type. The rules are polars
expressions, so a 10-million-row file is normalized in one vectorized pass; a single
number goes through the very same expressions.

Read: `+44 7400 123456`, `0044 7400 123456` (the region's international prefix),
national numbers with or without their trunk prefix (`07400 123456`), in the default
region or the row's own, bare international digits (`447400123456`), `+44 (0)7400…`,
RFC 3966 `tel:+44-7400-123456`, digits of any script, spreadsheet floats that kept every
digit (`4.47400123456e+11`, `447400123456.0`), and spaces, dashes, dots, brackets and
slashes. Anything else is invalid with a reason, never dropped silently.

A number is read as libphonenumber's `parse` reads it (numbering.py compiles that into
lookup tables), with two additions: digits without a `+` that are no valid national
number are tried as international digits (`4915123456789` in GB, `0049…` in the US),
since files are full of E.164 without its `+`; and a bracketed trunk zero that makes a
number invalid is dropped (`+1 (0)201 555 2157`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from app.phones import columns as c
from app.phones import numbering, regions, tables, text
from app.phones.columns import Frame
from app.phones.kinds import LINE_TYPES, Invalid, LineType, line_type_of, reason_text
from app.phones.plans import Outcome
from app.phones.regions import calling_code, default_region, region_of

__all__ = [
    "COUNTRY_HEADERS",
    "LINE_TYPES",
    "PHONE_HEADERS",
    "Invalid",
    "LineType",
    "Normalized",
    "calling_code",
    "compile_plans",
    "default_region",
    "header_key",
    "normalize_phone",
    "normalize_series",
    "region_of",
    "with_normalized",
]

# Column names that mean "the phone", compared as header_key() makes them.
PHONE_HEADERS = frozenset(
    {
        "phone", "phones", "phonenumber", "mobile", "mobilenumber", "msisdn", "number",
        "numbers", "tel", "telephone", "cell", "cv1", "customvariable1", "recipient", "to",
    }
)  # fmt: skip

# Column names that hold a row's country (the old csv-jobs' `Country`).
COUNTRY_HEADERS = frozenset({"country", "countrycode", "countryname", "countryiso"})


def header_key(name: str) -> str:
    """A header as the old service compared them: trimmed, lower-case, no spaces or _."""
    return re.sub(r"[\s_]", "", name.strip().lower())


def with_normalized(
    frame: Frame,
    source: str,
    default_code: str,
    *,
    phone: str,
    reason: str,
    region: str | None = None,
    line_type: str | None = None,
) -> Frame:
    """`frame` with `phone` (E.164 digits as text, or null) and `reason` (null or why).

    National numbers are read in `default_code`'s region (a calling code, read in its
    main region, or an ISO region), or in the row's own when `region` names a column of
    ISO codes, country names or calling codes (an unknown or empty one: the default).
    `line_type`, when given, names a column for the valid numbers' LineType.
    """
    home = numbering.REGIONS.index(default_region(default_code))
    frame = text.read_text(frame.with_columns(pl.col(source).cast(pl.String).alias(c.TEXT)))
    written = pl.col(c.WRITTEN)
    frame = frame.with_columns(
        written.str.starts_with("+").alias(c.PLUS),
        (written.str.len_bytes() - written.str.starts_with("+")).cast(pl.Int64).alias(c.LENGTH),
        (regions.region_index(pl.col(region), home) if region else pl.lit(home, pl.Int64)).alias(
            c.REGION
        ),
    )
    frame = frame.with_columns(text.unreadable().alias(c.BAD))
    frame = tables.chosen(tables.read(frame, tables.tables()))
    valid = pl.col(c.CODE) < Outcome.UNKNOWN_COUNTRY
    fraction = pl.when(pl.col(c.FRACTION) & ~valid).then(pl.lit(Invalid.NOT_A_NUMBER.value))
    outputs = [
        pl.when(valid).then(pl.col(c.TARGET).cast(pl.String)).alias(phone),
        pl.coalesce(pl.col(c.BAD), fraction, reason_text(pl.col(c.CODE))).alias(reason),
    ]
    if line_type is not None:
        outputs.append(line_type_of(pl.col(c.CODE)).alias(line_type))
    return frame.with_columns(outputs).drop(*c.WORKING, *tables.READING_COLUMNS, c.CODE, c.TARGET)


def compile_plans() -> None:
    """Compiles every lookup the normalizer uses, so that no request or job pays for it
    (the service calls it at start-up, in a thread)."""
    tables.tables()
    regions.region_names()
    text.unicode_map()


@dataclass(frozen=True, slots=True)
class Normalized:
    phone: str | None
    reason: str | None
    line_type: str | None = None


def normalize_series(
    values: pl.Series, default_region: str, regions: pl.Series | None = None
) -> pl.DataFrame:
    """A frame of `phone`, `reason` and `line_type`, one row per value, in order;
    `regions` (ISO codes or country names, aligned with `values`) reads each row's
    national number in its own region."""
    columns = {"raw": values.cast(pl.String)}
    if regions is not None:
        columns["region"] = regions.cast(pl.String)
    normalized = with_normalized(
        pl.DataFrame(columns).lazy(),
        "raw",
        default_region,
        phone="phone",
        reason="reason",
        region="region" if regions is not None else None,
        line_type="line_type",
    )
    # One lazy plan, not eager steps: this also serves small batches (an SQS receive,
    # one lookup), where polars' fixed cost per step is what counts.
    return normalized.select("phone", "reason", "line_type").collect(engine="in-memory")


def normalize_phone(value: object, default_region: str, region: str | None = None) -> Normalized:
    """One number, through the same rules as a file (`region`: the number's own)."""
    regions = None if region is None else pl.Series([region], dtype=pl.String)
    raw = pl.Series([None if value is None else str(value)], dtype=pl.String)
    row = normalize_series(raw, default_region, regions).row(0)
    return Normalized(phone=row[0], reason=row[1], line_type=row[2])
