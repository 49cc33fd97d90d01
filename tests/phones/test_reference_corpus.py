"""The normalizer against libphonenumber itself, row by row.

A corpus of a few tens of thousands of rows: every example number phonenumbers has (each
region, each type) written in many formats, seeded random digit strings, numbers one
digit off, and garbage. Each row is checked against `phonenumbers.parse` (in the row's
region, or the default), `is_valid_number`, `number_type` and E.164 formatting.

Where we read differently on purpose, the difference is a named class below with the
reason ours is right; a disagreement outside those classes fails the test.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
import polars as pl
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    COUNTRY_CODES_FOR_NON_GEO_REGIONS,
    SUPPORTED_REGIONS,
)

from app.phones.normalize import LineType, normalize_series

DEFAULT = "GB"
SEED = 20240617
TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)
LINE_TYPE = {getattr(PhoneNumberType, t.name): t.value for t in LineType}
# Zero of each script whose digits run 0-9 from it: Arabic-Indic, Persian, Devanagari,
# Bengali, Thai, fullwidth.
SCRIPTS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0xFF10)


@dataclass(frozen=True, slots=True)
class Row:
    kind: str
    text: str | None
    region: str | None  # the row's own region (a country column), or the default


@dataclass(frozen=True, slots=True)
class Reading:
    phone: str | None
    line_type: str | None


# --- the corpus ---------------------------------------------------------------------------


def examples() -> Iterator[tuple[str, phonenumbers.PhoneNumber]]:
    for region in sorted(SUPPORTED_REGIONS):
        for number_type in TYPES:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None:
                yield region, number
    for code in sorted(COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            yield "001", number


def formats(region: str, number: phonenumbers.PhoneNumber, index: int) -> Iterator[Row]:
    """The number written sixteen ways."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    rfc3966 = phonenumbers.format_number(number, PhoneNumberFormat.RFC3966)
    digits = e164[1:]
    nsn = phonenumbers.national_significant_number(number)
    code = number.country_code
    yield Row("e164", e164, None)
    yield Row("international", international, None)
    yield Row("plus_space", "+ " + " ".join(re.findall(".{1,3}", digits)), None)
    yield Row("dashes", rfc3966.removeprefix("tel:"), None)
    yield Row("idd_00", "00" + international[1:], None)
    yield Row("bare_digits", digits, None)
    yield Row("float", f"{digits[0]}.{digits[1:]}e+{len(digits) - 1}", None)
    yield Row("tel_uri", rfc3966, None)
    yield Row("tel_context", f"tel:{nsn};phone-context=+{code}", None)
    yield Row("script", _in_script(e164, SCRIPTS[index % len(SCRIPTS)]), None)
    if region == "001":
        return
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    yield Row("national", national, region)
    yield Row("national_padded", f"  {national}\t", region)
    yield Row("national_no_trunk", nsn, region)
    yield Row("national_dots", re.sub(r"[\s\-]+", ".", national), region)
    trunk = phonenumbers.ndd_prefix_for_region(region, True)
    if trunk:  # "+44 (0)7400 123456": the trunk prefix, bracketed
        yield Row("bracketed_trunk", f"+{code} ({trunk}){nsn}", None)
    if region in BRACKETED_ZERO_ANYWAY:
        yield Row("bracketed_zero", f"+{code} (0){nsn}", None)


# Countries without a trunk 0 that people still write "(0)" for.
BRACKETED_ZERO_ANYWAY = ("US", "CA", "ES", "IT", "DK", "NO")


def _in_script(e164: str, zero: int) -> str:
    plus = "\uff0b" if zero == 0xFF10 else "+"
    return plus + "".join(chr(zero + int(d)) for d in e164[1:])


def random_rows(rng: random.Random, count: int) -> Iterator[Row]:
    codes = sorted(COUNTRY_CODE_TO_REGION_CODE)
    regions = sorted(SUPPORTED_REGIONS)
    for _ in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 14)))
        match rng.randrange(3):
            case 0:
                yield Row("random_international", f"+{rng.choice(codes)}{digits}", None)
            case 1:
                yield Row("random_national", digits, rng.choice(regions))
            case _:
                yield Row("random_bare", digits, None)


def one_digit_off(rng: random.Random) -> Iterator[Row]:
    """Every example one digit short, long or changed, with `+` and nationally."""
    for region, number in examples():
        nsn = phonenumbers.national_significant_number(number)
        at = rng.randrange(len(nsn))
        digit = rng.choice("0123456789")
        for kind, changed in (
            ("short", nsn[:at] + nsn[at + 1 :]),
            ("long", nsn[:at] + digit + nsn[at:]),
            ("changed", nsn[:at] + digit + nsn[at + 1 :]),
        ):
            yield Row(f"{kind}_international", f"+{number.country_code} {changed}", None)
            if region != "001":
                yield Row(f"{kind}_national", changed, region)


GARBAGE = (
    None, "", "   ", "{{phone}}", "{{ phoneNumber }}", "<NA>", "NULL", "none", "NaN", "n/a",
    "#N/A", "abc", "john@example.com", "+", "++", "-", "()", "4477abc00001", "12345",
    "1", "+0 123 45678", "00", "+44+7400123456", "447400123456.5", "4.474e+11",
    "4.47400123456E+11x", "1e400", "4.4740012345612e+11", "99999999999999999999",
    "+44 7400 123456 ext. 12", "1-800-FLOWERS", "Tel: 07400 123456", "07400 123456!",
    "0x1F", "=HYPERLINK(1)", "+44 (0) 7400 x", "7400123456;ext=1", "tel:", "tel:;x",
)  # fmt: skip


def corpus() -> list[Row]:
    rng = random.Random(SEED)
    rows = [
        row
        for index, (region, number) in enumerate(examples())
        for row in formats(region, number, index)
    ]
    rows += one_digit_off(rng)
    rows += random_rows(rng, 6000)
    rows += [Row("garbage", text, None) for text in GARBAGE]
    rows += [Row("garbage", _scramble(rng), None) for _ in range(500)]
    return rows


def _scramble(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789 +-()./abcxyzé#*,;") for _ in range(rng.randint(1, 16)))


# --- libphonenumber's answer --------------------------------------------------------------


def libphonenumber(text: str | None, region: str) -> Reading:
    if text is None:
        return Reading(None, None)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Reading(None, None)
    if not phonenumbers.is_valid_number(number):
        return Reading(None, None)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Reading(e164[1:], LINE_TYPE[phonenumbers.number_type(number)])


def reference(row: Row) -> Reading:
    """libphonenumber's reading of the row. Two kinds of row it cannot read as they are
    meant: a spreadsheet float is read as the integer it spells; and digits without a
    `+` that are no valid national number are read as international digits ("+" and
    the digits, a leading 00 dropped) — the normalizer's documented addition."""
    region = row.region or DEFAULT
    text = row.text
    if row.kind == "float" and text is not None:
        mantissa, exponent = text.split("e+")
        text = mantissa.replace(".", "").ljust(int(exponent) + 1, "0")
    national = libphonenumber(text, region)
    bare = re.sub(r"[\s\-.()]", "", text or "")
    if national.phone is None and bare.isdigit() and bare.isascii():
        return libphonenumber("+" + bare.removeprefix("00"), region)
    return national


# --- where we differ on purpose -----------------------------------------------------------

# name -> (does this row fall in the class?, why ours is right)
Explained = tuple[Callable[[Row, Reading, Reading], bool], str]
CLASSES: dict[str, Explained] = {
    "bracketed_zero": (
        lambda row, ours, ref: "(0)" in (row.text or "") and ref.phone is None,
        "`+1 (0)201 555 2157`: a bracketed 0 after the calling code is the trunk prefix "
        "people write for any country; where the number is invalid with it we drop it. "
        "libphonenumber keeps it as a digit (or, in Colombia, reads `03` as a carrier "
        "code) and finds the number invalid.",
    ),
    "over_15_digits": (
        lambda row, ours, ref: ref.phone is not None and len(ref.phone) > 15,
        "E.164 numbers have at most 15 digits; libphonenumber's German, Japanese, "
        "Indonesian… patterns allow longer ones, which cannot be dialled internationally.",
    ),
    "letters_or_extension": (
        lambda row, ours, ref: ours.phone is None and bool(re.search(r"[A-Za-z]", row.text or "")),
        "Letters are no phone: libphonenumber turns vanity letters into digits "
        "(1-800-FLOWERS), skips leading words (`Tel: …`) and drops extensions (`ext. 12`); "
        "a list row like that is no number a message can be sent to, so it is refused.",
    ),
    "trailing_punctuation": (
        lambda row, ours, ref: ours.phone is None and bool(re.search(r"[!#*,;]", row.text or "")),
        "libphonenumber cuts a number at punctuation it does not know (`…456!`, `…;ext=`) "
        "and reads the rest; we refuse a cell that holds more than a number.",
    ),
}


def explain(row: Row, ours: Reading, ref: Reading) -> str | None:
    return next((name for name, (test, _) in CLASSES.items() if test(row, ours, ref)), None)


def normalized(rows: list[Row]) -> list[Reading]:
    frame = normalize_series(
        pl.Series([r.text for r in rows], dtype=pl.String),
        DEFAULT,
        pl.Series([r.region for r in rows], dtype=pl.String),
    )
    return [
        Reading(phone, None if line_type is None else str(line_type))
        for phone, line_type in frame.select("phone", "line_type").iter_rows()
    ]


@pytest.fixture(scope="module")
def results() -> list[tuple[Row, Reading, Reading]]:
    rows = corpus()
    return list(zip(rows, normalized(rows), map(reference, rows), strict=True))


def test_the_corpus_is_tens_of_thousands_of_rows(
    results: list[tuple[Row, Reading, Reading]],
) -> None:
    assert 20_000 <= len(results) <= 60_000
    assert sum(ref.phone is not None for _, _, ref in results) > len(results) / 2


def test_we_agree_with_libphonenumber(results: list[tuple[Row, Reading, Reading]]) -> None:
    disagreements = [(row, ours, ref) for row, ours, ref in results if ours != ref]
    unexplained = [d for d in disagreements if explain(*d) is None]
    assert unexplained[:20] == []
    agreement = 1 - len(disagreements) / len(results)
    assert agreement >= 0.995, Counter(explain(*d) for d in disagreements)
