"""What the normalizer says of a number: why it is invalid, or its line type."""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from app.phones.plans import Outcome


class Invalid(StrEnum):
    EMPTY = "empty"
    PLACEHOLDER = "placeholder"
    NOT_A_NUMBER = "not_a_number"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    UNKNOWN_COUNTRY = "unknown_country_code"
    INVALID_LENGTH = "invalid_length_for_country"
    INVALID_FOR_COUNTRY = "invalid_for_country"


class LineType(StrEnum):
    """libphonenumber's PhoneNumberType of a valid number (never UNKNOWN: a number is
    valid exactly when its plan gives it a type)."""

    FIXED_LINE = "fixed_line"
    MOBILE = "mobile"
    FIXED_LINE_OR_MOBILE = "fixed_line_or_mobile"
    TOLL_FREE = "toll_free"
    PREMIUM_RATE = "premium_rate"
    SHARED_COST = "shared_cost"
    VOIP = "voip"
    PERSONAL_NUMBER = "personal_number"
    PAGER = "pager"
    UAN = "uan"
    VOICEMAIL = "voicemail"


LINE_TYPES = pl.Enum([t.value for t in LineType])

LINE_TYPE_BY_CODE = {int(Outcome[t.name]): t.value for t in LineType}
REASON_BY_CODE = {
    int(Outcome.UNKNOWN_COUNTRY): Invalid.UNKNOWN_COUNTRY.value,
    int(Outcome.TOO_SHORT): Invalid.TOO_SHORT.value,
    int(Outcome.TOO_LONG): Invalid.TOO_LONG.value,
    int(Outcome.INVALID_LENGTH): Invalid.INVALID_LENGTH.value,
    int(Outcome.INVALID_FOR_COUNTRY): Invalid.INVALID_FOR_COUNTRY.value,
}


def reason_text(code: pl.Expr) -> pl.Expr:
    # A gather from a small literal, not replace_strict: that one does not stream.
    return pl.lit(_by_code(REASON_BY_CODE, pl.String())).gather(code)


def line_type_of(code: pl.Expr) -> pl.Expr:
    return pl.lit(_by_code(LINE_TYPE_BY_CODE, LINE_TYPES)).gather(code)


def _by_code(names: dict[int, str], dtype: pl.DataType) -> pl.Series:
    """`names` as a series indexed by outcome code (null for the other codes)."""
    return pl.Series([names.get(code) for code in range(Outcome.DEFERRED)], dtype=dtype)
