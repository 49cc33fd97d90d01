"""One normalizer for every path: every format people write, and every way to fail."""

from __future__ import annotations

import polars as pl
import pytest

from app.phones.normalize import (
    Normalized,
    calling_code,
    default_region,
    normalize_phone,
    normalize_series,
    with_normalized,
)

# Ofcom's drama range (07700 900xxx) is reserved for fiction: no plan makes it valid, so
# the examples are libphonenumber's own GB mobile, 07400 123456.


@pytest.mark.parametrize(
    "raw",
    [
        "+44 7400 123456",
        "+447400123456",
        "0044 7400 123456",
        "00447400123456",
        "447400123456",
        "07400 123456",
        "07400-123-456",
        "(07400) 123.456",
        "+44 (0)7400 123456",
        "+44 07400 123456",
        "  447400123456  ",
        "4.47400123456e+11",
        "4.47400123456E+11",
        "447400123456.0",
        "tel:+44-7400-123456",
        "TEL:+44-7400-123456;ext=12",
        "tel:07400123456;phone-context=+44",
        "+\u0664\u0664\u0667\u0664\u0660\u0660\u0661\u0662\u0663\u0664\u0665\u0666",
        "\uff0b\uff14\uff14\uff17\uff14\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16",
        "07400\u2013123456",
        447400123456,
        447400123456.0,
    ],
)
def test_every_way_of_writing_a_uk_mobile(raw: object) -> None:
    assert normalize_phone(raw, "GB") == Normalized("447400123456", None, "mobile")


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
        ("+44+7400123456", "not_a_number"),
        ("4477abc00001", "not_a_number"),
        ("+44 7400 123456 ext. 12", "not_a_number"),
        ("12345", "too_short"),
        ("99999999999999999999", "too_long"),
        ("+0 123 45678", "unknown_country_code"),
        # One digit short and one long (the issue's): NANPA numbers have 10 digits.
        ("+1201555696", "too_short"),
        ("+120155503767", "too_long"),
        ("+44 74001234", "invalid_length_for_country"),
        ("447700900001", "invalid_for_country"),  # the drama range
        ("+44 4400 123456", "invalid_for_country"),
    ],
)
def test_what_is_not_a_number_says_why(raw: object, reason: str) -> None:
    assert normalize_phone(raw, "GB") == Normalized(phone=None, reason=reason)


@pytest.mark.parametrize(
    ("raw", "phone", "line_type"),
    [
        ("+44 20 7946 0000", "442079460000", "fixed_line"),
        ("+1 201-555-0123", "12015550123", "fixed_line_or_mobile"),  # NANPA: one pattern
        ("0800 123 4567", "448001234567", "toll_free"),
        ("09012 345678", "449012345678", "premium_rate"),
        ("+49 15123456789", "4915123456789", "mobile"),
        ("+7 701 123 4567", "77011234567", "mobile"),  # Kazakhstan, sharing +7
        ("+44 7797 123456", "447797123456", "mobile"),  # Jersey, sharing +44
        ("+800 1234 5678", "80012345678", "toll_free"),  # no country at all
    ],
)
def test_every_valid_number_has_its_line_type(raw: str, phone: str, line_type: str) -> None:
    assert normalize_phone(raw, "GB") == Normalized(phone, None, line_type)


def test_national_numbers_follow_the_default_region() -> None:
    assert normalize_phone("0151 23456789", "DE").phone == "4915123456789"
    assert normalize_phone("+1 (202) 555-0143", "DE").phone == "12025550143"
    assert normalize_phone("(201) 555-0123", "US").phone == "12015550123"
    assert normalize_phone("011 44 7400 123456", "US").phone == "447400123456"
    assert calling_code("fr") == "33"
    with pytest.raises(ValueError, match="unknown region"):
        calling_code("XX")


def test_a_default_is_a_region_or_a_calling_code() -> None:
    assert [default_region(d) for d in ("44", "gb", "1", "7", "49")] == [
        "GB",
        "GB",
        "US",
        "RU",
        "DE",
    ]
    with pytest.raises(ValueError, match="unknown region"):
        default_region("999")


def test_bare_international_digits_are_read_when_no_national_number_fits() -> None:
    assert normalize_phone("4915123456789", "GB").phone == "4915123456789"
    assert normalize_phone("0049 151 23456789", "US").phone == "4915123456789"
    assert normalize_phone("2015550123", "US").phone == "12015550123"  # national first


def test_each_row_can_have_its_own_region() -> None:
    values = ["07400 123456", "0151 23456789", "(201) 555-0123", "06 12 34 56 78", "7400123456"]
    regions = ["UK", "Deutschland", "us", "+33", None]
    frame = normalize_series(pl.Series(values), "GB", pl.Series(regions))
    assert frame["phone"].to_list() == [
        "447400123456",
        "4915123456789",
        "12015550123",
        "33612345678",
        "447400123456",  # no region: the default
    ]
    assert normalize_phone("0151 23456789", "GB", region="Côte d'Ivoire").phone is None
    assert normalize_phone("0151 23456789", "GB", region="Germany").phone == "4915123456789"
    assert normalize_phone("0151 23456789", "DE", region="Atlantis").phone == "4915123456789"


def test_a_series_keeps_its_order_and_length() -> None:
    values = pl.Series(["+44 7400 123456", "x", None, "07400 123457"])
    frame = normalize_series(values, "GB")
    assert frame["phone"].to_list() == ["447400123456", None, None, "447400123457"]
    assert frame["reason"].to_list() == [None, "not_a_number", "empty", None]
    assert frame["line_type"].to_list() == ["mobile", None, None, "mobile"]


@pytest.mark.parametrize(
    "raw",
    [
        "447400123456.5",  # a fraction is no phone
        "4.47401E+11",  # rounded by a spreadsheet: the digits are gone
        "4.474001e+11",
        "4.4740012345612e+11",  # more digits than the exponent: a fraction, not truncated
        "1e400",  # a float too big for any number, not "empty"
        "1.5e+400",
    ],
)
def test_what_cannot_be_read_exactly_is_refused_not_guessed(raw: str) -> None:
    assert normalize_phone(raw, "GB") == Normalized(None, "not_a_number")


def test_an_exact_float_with_more_zeros_is_fine() -> None:
    assert normalize_phone("447400123456.00", "GB").phone == "447400123456"
    assert normalize_phone("4.474001234560e+11", "GB").phone == "447400123456"


def test_a_dot_between_digits_that_make_a_number_is_a_separator() -> None:
    assert normalize_phone("07400.123456", "GB").phone == "447400123456"
    assert normalize_phone("712.345", "GB", region="AD").phone == "376712345"


def test_a_bracketed_zero_is_dropped_only_when_the_number_needs_it() -> None:
    assert normalize_phone("+1 (0)201 555 0123", "GB").phone == "12015550123"
    # Italian numbers keep their 0: with it the number is valid, and a fixed line.
    assert normalize_phone("+39 (0)6 1234 5678", "GB").phone == "390612345678"


def test_a_lazy_frame_streams_and_gives_what_a_frame_gives() -> None:
    frame = pl.DataFrame(
        {
            "p": ["+44 7400 123456", "0151 23456789", "x", "2015550123"],
            "c": [None, "DE", "GB", "US"],
        }
    )
    args = {"phone": "phone", "reason": "reason", "region": "c", "line_type": "type"}
    eager = with_normalized(frame, "p", "44", **args)
    lazy = with_normalized(frame.lazy(), "p", "44", **args).collect(engine="streaming")
    assert eager.equals(lazy)
    assert eager.columns == ["p", "c", "phone", "reason", "type"]
    assert eager["phone"].to_list() == ["447400123456", "4915123456789", None, "12015550123"]
