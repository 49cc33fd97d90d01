"""One normalizer for every path: every format people write, and every way to fail."""

from __future__ import annotations

import polars as pl
import pytest

from app.phones.normalize import calling_code, normalize_phone, normalize_series


@pytest.mark.parametrize(
    "raw",
    [
        "+44 7700 900001",
        "+447700900001",
        "0044 7700 900001",
        "00447700900001",
        "447700900001",
        "07700 900001",
        "07700-900-001",
        "(07700) 900.001",
        "+44 (0)7700 900001",
        "  447700900001  ",
        "4.47700900001e+11",
        "4.47700900001E+11",
        "447700900001.0",
        447700900001,
        447700900001.0,
    ],
)
def test_every_way_of_writing_a_uk_mobile(raw: object) -> None:
    assert normalize_phone(raw, "GB").phone == "447700900001"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("{{phone}}", "placeholder"),
        ("{{phoneNumber}}", "placeholder"),
        ("<NA>", "placeholder"),
        ("NULL", "placeholder"),
        ("n/a", "placeholder"),
        ("abc", "not_a_number"),
        ("+44+7700900001", "not_a_number"),
        ("4477abc00001", "not_a_number"),
        ("12345", "too_short"),
        ("99999999999999999999", "too_long"),
        ("+0 123 45678", "unknown_country_code"),
    ],
)
def test_what_is_not_a_number_says_why(raw: object, reason: str) -> None:
    assert normalize_phone(raw, "GB") == type(normalize_phone("", "GB"))(phone=None, reason=reason)


def test_national_numbers_follow_the_default_region() -> None:
    assert normalize_phone("0151 234567", "DE").phone == "49151234567"
    assert normalize_phone("+1 (202) 555-0143", "DE").phone == "12025550143"
    assert calling_code("fr") == "33"
    with pytest.raises(ValueError, match="unknown region"):
        calling_code("XX")


def test_a_series_keeps_its_order_and_length() -> None:
    values = pl.Series(["+44 7700 900001", "x", None, "07700 900002"])
    frame = normalize_series(values, "GB")
    assert frame["phone"].to_list() == ["447700900001", None, None, "447700900002"]
    assert frame["reason"].to_list() == [None, "not_a_number", "empty", None]


@pytest.mark.parametrize(
    "raw",
    [
        "447700900001.5",  # a fraction is no phone
        "4.47701E+11",  # rounded by a spreadsheet: the digits are gone
        "4.477009e+11",
        "44\u0667\u0667\u0660\u0660\u0669\u0660\u0660\u0660\u0660\u0661",  # Arabic-Indic digits
    ],
)
def test_what_cannot_be_read_exactly_is_refused_not_guessed(raw: str) -> None:
    found = normalize_phone(raw, "GB")
    assert found.phone is None
    assert found.reason == "not_a_number"


def test_an_exact_float_with_more_zeros_is_fine() -> None:
    assert normalize_phone("447700900001.00", "GB").phone == "447700900001"
