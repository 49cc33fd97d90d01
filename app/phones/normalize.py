"""One phone normalizer for every path: uploads, imports, Voluum, SQS, HLR.

A phone is stored as E.164 digits without the `+` (447700900001). The rules are polars
expressions, so a 10-million-row file is normalized in one vectorized pass; a single
number goes through the very same expressions.

Accepted: `+44 7700 900001`, `0044 7700 900001`, `447700900001`, a national number with
its trunk zero (`07700 900001`, read in the default region), spreadsheet floats
(`4.47700900001e+11`, `447700900001.0`), and stray spaces, dashes, dots, brackets and
slashes. Anything else is invalid, with a reason, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import phonenumbers
import polars as pl
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

# E.164 allows 15 digits; the shortest real numbers (small island states) have about 7.
MIN_DIGITS = 7
MAX_DIGITS = 15

# Template placeholders and the ways spreadsheets and exports write "nothing".
_PLACEHOLDERS = ["{{", "}}", "<na>", "null", "none", "nan", "n/a", "#n/a"]
_SEPARATORS = r"[\s\-.()/\\]"
# Every country calling code (1 to 3 digits) that exists.
_CALLING_CODE = "^(" + "|".join(str(c) for c in sorted(COUNTRY_CODE_TO_REGION_CODE)) + ")"


# Column names that mean "the phone", compared as header_key() makes them.
PHONE_HEADERS = frozenset(
    {
        "phone", "phones", "phonenumber", "mobile", "mobilenumber", "msisdn", "number",
        "numbers", "tel", "telephone", "cell", "cv1", "customvariable1", "recipient", "to",
    }
)  # fmt: skip


def header_key(name: str) -> str:
    """A header as the old service compared them: trimmed, lower-case, no spaces or _."""
    return re.sub(r"[\s_]", "", name.strip().lower())


class Invalid(StrEnum):
    EMPTY = "empty"
    PLACEHOLDER = "placeholder"
    NOT_A_NUMBER = "not_a_number"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    UNKNOWN_COUNTRY = "unknown_country_code"


def calling_code(region: str) -> str:
    """The calling code of an ISO region (GB -> 44); ValueError for an unknown region."""
    code = phonenumbers.country_code_for_region(region.upper())
    if code == 0:
        raise ValueError(f"unknown region {region!r}")
    return str(code)


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Working columns, dropped again: each step is a column, not a repeated sub-expression
# (reusing expressions nests them, and the plan grows exponentially).
_TEXT, _DIGITS, _INTERNATIONAL = "_phone_text", "_phone_digits", "_phone_international"


def with_normalized(
    frame: Frame, source: str, default_code: str, *, phone: str, reason: str
) -> Frame:
    """`frame` with `phone` (E.164 digits as text, or null) and `reason` (null or why).

    Literal matches and casts rather than regular expressions where they can: this runs
    on every row of every upload.
    """
    text = pl.col(_TEXT)
    digits = pl.col(_DIGITS)
    frame = frame.with_columns(pl.col(source).cast(pl.String).str.strip_chars().alias(_TEXT))
    # A spreadsheet float ("4.47700900001e+11", "447700900001.0") is exact for up to
    # 15 digits, E.164's maximum, when it kept them all: a mantissa with fewer digits than
    # the number ("4.477e+11") or a fraction ("…001.5") is not a phone.
    mantissa = text.str.extract(r"^\+?([0-9])\.([0-9]+)[eE]\+?([0-9]+)$", 2)
    exponent = text.str.extract(r"^\+?[0-9]\.[0-9]+[eE]\+?([0-9]+)$", 1).cast(pl.Int64)
    scientific = mantissa.is_not_null()
    whole = text.str.contains(r"^[0-9]+\.0+$")
    exact = (scientific & (mantissa.str.len_chars() >= exponent)) | whole
    from_float = text.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).cast(pl.String)
    frame = frame.with_columns(
        pl.when(exact)
        .then(from_float)
        .when(scientific | text.str.contains(r"^[0-9]+\.[0-9]+$"))
        .then(pl.lit("not a phone: a rounded number"))  # refused below, not guessed
        .otherwise(text)
        .alias(_TEXT)
    )
    international = text.str.starts_with("+") | text.str.starts_with("00")
    frame = frame.with_columns(
        international.alias(_INTERNATIONAL),
        # "+44 (0)7700 900001": a trunk zero in brackets inside an international number.
        pl.when(international)
        .then(text.str.replace("(0)", "", literal=True))
        .otherwise(text)
        .str.replace_all(_SEPARATORS, "")
        .str.strip_prefix("+")
        .alias(_DIGITS),
    )
    frame = frame.with_columns(
        pl.when(digits.str.starts_with("00"))
        .then(digits.str.slice(2))
        .when(~pl.col(_INTERNATIONAL) & digits.str.starts_with("0"))
        .then(pl.lit(default_code) + digits.str.slice(1))
        .otherwise(digits)
        .alias(_DIGITS)
    )
    length = digits.str.len_chars()
    frame = frame.with_columns(
        pl.when(text.fill_null("") == "")
        .then(pl.lit(Invalid.EMPTY.value))
        .when(text.str.contains_any(_PLACEHOLDERS, ascii_case_insensitive=True))
        .then(pl.lit(Invalid.PLACEHOLDER.value))
        # ASCII digits only: \D would let other scripts' digits through.
        .when(digits.str.contains(r"[^0-9]"))
        .then(pl.lit(Invalid.NOT_A_NUMBER.value))
        .when(length < MIN_DIGITS)
        .then(pl.lit(Invalid.TOO_SHORT.value))
        .when(length > MAX_DIGITS)
        .then(pl.lit(Invalid.TOO_LONG.value))
        .when(~digits.str.contains(_CALLING_CODE) | digits.str.starts_with("0"))
        .then(pl.lit(Invalid.UNKNOWN_COUNTRY.value))
        .alias(reason)
    )
    return frame.with_columns(pl.when(pl.col(reason).is_null()).then(digits).alias(phone)).drop(
        _TEXT, _DIGITS, _INTERNATIONAL
    )


@dataclass(frozen=True, slots=True)
class Normalized:
    phone: str | None
    reason: str | None


def normalize_series(values: pl.Series, default_region: str) -> pl.DataFrame:
    """A frame of `phone` and `reason`, one row per value, in order."""
    frame = pl.DataFrame({"raw": values.cast(pl.String)}).lazy()
    normalized = with_normalized(
        frame, "raw", calling_code(default_region), phone="phone", reason="reason"
    )
    # One lazy plan, not seven eager steps: this also serves small batches (an SQS
    # receive, one lookup), where polars' fixed cost per step is what counts.
    return normalized.select("phone", "reason").collect(engine="in-memory")


def normalize_phone(value: object, default_region: str) -> Normalized:
    """One number, through the same rules as a file."""
    row = normalize_series(pl.Series([None if value is None else str(value)]), default_region)
    return Normalized(phone=row["phone"][0], reason=row["reason"][0])
