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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TypeVar

import phonenumbers
import polars as pl
from phonenumbers.geodata.locale import LOCALE_DATA
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.phones import numbering
from app.phones.numbering import Block, Outcome

# Template placeholders and the ways spreadsheets and exports write "nothing".
_PLACEHOLDERS = ["{{", "}}", "<na>", "null", "none", "nan", "n/a", "#n/a"]

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

_LINE_TYPE_BY_CODE = {int(Outcome[t.name]): t.value for t in LineType}
_REASON_BY_CODE = {
    int(Outcome.UNKNOWN_COUNTRY): Invalid.UNKNOWN_COUNTRY.value,
    int(Outcome.TOO_SHORT): Invalid.TOO_SHORT.value,
    int(Outcome.TOO_LONG): Invalid.TOO_LONG.value,
    int(Outcome.INVALID_LENGTH): Invalid.INVALID_LENGTH.value,
    int(Outcome.INVALID_FOR_COUNTRY): Invalid.INVALID_FOR_COUNTRY.value,
}


def calling_code(region: str) -> str:
    """The calling code of an ISO region (GB -> 44); ValueError for an unknown region."""
    code = phonenumbers.country_code_for_region(region.upper())
    if code == 0:
        raise ValueError(f"unknown region {region!r}")
    return str(code)


def default_region(default: str) -> str:
    """The region national numbers are read in: an ISO region ("GB"), or the main
    region of a calling code ("44" -> GB, "1" -> US); ValueError for neither."""
    if default.isdigit():
        region = phonenumbers.region_code_for_country_code(int(default))
    else:
        region = default.upper()
    if region not in numbering.REGIONS:
        raise ValueError(f"unknown region {default!r}")
    return region


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Working columns, dropped again: each step is a column, not a repeated sub-expression
# (reusing expressions nests them, and the plan grows exponentially).
_TEXT, _SLOW, _WRITTEN = "_ph_text", "_ph_slow", "_ph_written"
_DROPPED, _VALUE, _LENGTH, _PLUS = "_ph_dropped", "_ph_value", "_ph_length", "_ph_plus"
_FRACTION, _BAD, _REGION = "_ph_fraction", "_ph_bad", "_ph_region"
_CODE, _TARGET = "_ph_code", "_ph_target"
_WORKING = (
    _TEXT, _SLOW, _WRITTEN, _DROPPED, _VALUE, _LENGTH, _PLUS, _FRACTION, _BAD, _REGION,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Reading:
    """The columns of one lookup: its key and block, then an Outcome code and the E.164
    digits of a valid number (or the key of the next lookup)."""

    name: str

    @property
    def key(self) -> str:
        return f"{self.name}_key"

    @property
    def block(self) -> str:
        return f"{self.name}_block"

    @property
    def code(self) -> str:
        return f"{self.name}_code"

    @property
    def target(self) -> str:
        return f"{self.name}_target"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key, self.block, self.code, self.target


_NATIONAL, _INTERNATIONAL, _UNBRACKETED = (
    _Reading("_ph_n"),
    _Reading("_ph_i"),
    _Reading("_ph_d"),
)

_BASE = numbering.INTERNATIONAL_BASE
# Int64 holds 18 digits; anything longer is too long for any reading anyway.
_MAX_DIGITS = 18
_SEPARATORS = r"[\s\-./\\()\[\]~]"


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
    home = default_region(default_code)
    tables = _tables(numbering.REGIONS if region is not None else (home,))
    index = numbering.REGIONS.index(home)
    frame = _read_text(frame.with_columns(pl.col(source).cast(pl.String).alias(_TEXT)))
    frame = frame.with_columns(
        pl.col(_WRITTEN).str.starts_with("+").alias(_PLUS),
        (pl.col(_WRITTEN).str.len_bytes() - pl.col(_WRITTEN).str.starts_with("+"))
        .cast(pl.Int64)
        .alias(_LENGTH),
        (_region_index(pl.col(region), index) if region else pl.lit(index, pl.Int64)).alias(
            _REGION
        ),
    )
    frame = frame.with_columns(_unreadable().alias(_BAD))
    frame = _chosen(_read(frame, tables))
    valid = pl.col(_CODE) < Outcome.UNKNOWN_COUNTRY
    fraction = pl.when(pl.col(_FRACTION) & ~valid).then(pl.lit(Invalid.NOT_A_NUMBER.value))
    outputs = [
        pl.when(valid).then(pl.col(_TARGET).cast(pl.String)).alias(phone),
        pl.coalesce(pl.col(_BAD), fraction, _reason_text(pl.col(_CODE))).alias(reason),
    ]
    if line_type is not None:
        outputs.append(_line_type(pl.col(_CODE)).alias(line_type))
    readings = [c for r in (_NATIONAL, _INTERNATIONAL, _UNBRACKETED) for c in r.columns]
    return frame.with_columns(outputs).drop(*_WORKING, *readings, _CODE, _TARGET)


# --- reading the text -------------------------------------------------------------------


def _read_text(frame: Frame) -> Frame:
    """`_WRITTEN`: the number as `+digits` or `digits`, `_VALUE`: those digits as an
    integer (both null when the cell cannot be read as a number, `_BAD` saying why),
    `_DROPPED`: the international key of a `+1 (0)…` number without its bracketed
    zero, `_FRACTION`: whether a dot had digits after it that were not all zeros.

    Three steps, each for fewer cells: most are plain digits, perhaps after a `+`, and
    one integer parse reads them; most others only need their spaces, dashes or brackets
    dropped; the rest (a dot, a bracketed zero, tel:, other scripts, junk) go through
    _read_slowly, one batch at a time, on those cells only."""
    text = pl.col(_TEXT)
    frame = frame.with_columns(text.str.strip_chars())
    value = text.str.to_integer(strict=False)
    frame = frame.with_columns(pl.when(value >= 0).then(value).alias(_VALUE))  # "-1": no
    separated = pl.when(pl.col(_VALUE).is_null() & ~text.str.contains(".", literal=True)).then(
        text.str.replace_all(_SEPARATORS, "")
    )
    frame = frame.with_columns(separated.alias(_SLOW))
    value = pl.col(_SLOW).str.to_integer(strict=False)
    frame = frame.with_columns(
        pl.coalesce(_VALUE, pl.when(value >= 0).then(value)).alias(_VALUE),
    )
    plain = pl.when(pl.col(_VALUE).is_not_null())
    rest = (pl.col(_VALUE).is_null() & (text.str.len_bytes() > 0)) | text.str.contains(
        "(0)", literal=True
    )
    read = (
        pl.when(rest)
        .then(text)
        .map_batches(
            _each_batch(_SLOW, _read_slowly, _SLOW_READING),
            return_dtype=_SLOW_READING,
            is_elementwise=True,
        )
    )
    frame = frame.with_columns(
        plain.then(pl.coalesce(_SLOW, _TEXT)).alias(_WRITTEN), read.alias(_SLOW)
    )
    slow = pl.col(_SLOW).struct
    return frame.with_columns(
        pl.coalesce(_WRITTEN, slow.field(_WRITTEN)).alias(_WRITTEN),
        pl.coalesce(_VALUE, slow.field(_VALUE)).alias(_VALUE),
        slow.field(_DROPPED).alias(_DROPPED),
        slow.field(_FRACTION).fill_null(False).alias(_FRACTION),
        slow.field(_BAD).alias(_BAD),
    )


_SLOW_READING = pl.Struct(
    {
        _WRITTEN: pl.String,
        _VALUE: pl.Int64,
        _DROPPED: pl.Int64,
        _FRACTION: pl.Boolean,
        _BAD: pl.String,
    }
)


def _each_batch(
    name: str, step: Callable[[pl.DataFrame], pl.DataFrame], dtype: pl.Struct
) -> Callable[[pl.Series], pl.Series]:
    """`step` on the non-null values of each batch only, its results put back in place
    (null elsewhere): polars' string kernels cost as much for a null as for a value,
    so the rare cells' steps would otherwise cost every row."""

    def run(values: pl.Series) -> pl.Series:
        if values.null_count() == 0:
            return step(values.to_frame(name)).to_struct(values.name)
        if values.null_count() == values.len():
            return pl.repeat(None, values.len(), dtype=dtype, eager=True).alias(values.name)
        present = values.is_not_null().arg_true()
        done = step(values.gather(present).to_frame(name))
        columns = [
            pl.repeat(None, values.len(), dtype=field.dtype, eager=True)
            .scatter(present, done[field.name])
            .alias(field.name)
            for field in dtype.fields
        ]
        return pl.DataFrame(columns).to_struct(values.name)

    return run


def _read_slowly(frame: pl.DataFrame) -> pl.DataFrame:
    """The cells the plain steps did not read: out of a tel: URI and other scripts, a
    float read for the integer it spells, separators dropped, and a bracketed zero's
    number without it. Each step again only works on the cells that need it."""
    texts = frame.to_series()
    uri = texts.str.contains_any(["tel:"], ascii_case_insensitive=True)
    texts = _replaced(texts, uri, _tel_uri)
    texts = _replaced(texts, texts.str.len_bytes() != texts.str.len_chars(), _ascii)
    dotted = texts.str.contains(".", literal=True)
    scientific = dotted & texts.str.contains_any(["e", "E"])
    decimal = dotted & ~scientific
    written = _replaced(texts, ~dotted, _separated)
    written = _replaced(written, scientific, _scientific)
    written = _replaced(written, decimal, _whole)
    unread = ~written.str.contains(r"^\+?[0-9]+$")
    written = _replaced(written, unread, _nothing)  # and why, below
    no = pl.repeat(False, texts.len(), eager=True)
    nothing = pl.repeat(None, texts.len(), dtype=pl.Int64, eager=True)
    bracketed = texts.str.contains("(0)", literal=True)
    return pl.DataFrame(
        {
            _WRITTEN: written,
            _VALUE: written.str.to_integer(strict=False),
            _DROPPED: _replaced(nothing, bracketed, _unbracketed_key, of=texts),
            _FRACTION: _replaced(no, decimal, _fraction, of=texts),
            _BAD: _replaced(_nothing(texts), unread, _why_unread, of=texts),
        }
    )


def _nothing(texts: pl.Series) -> pl.Series:
    """As many nulls as `texts`."""
    return pl.repeat(None, texts.len(), dtype=pl.String, eager=True)


def _why_unread(texts: pl.Series) -> pl.Series:
    """A template placeholder or a way of writing "nothing", or not a number."""
    placeholder = texts.str.contains_any(_PLACEHOLDERS, ascii_case_insensitive=True)
    reasons = pl.Series([Invalid.NOT_A_NUMBER.value, Invalid.PLACEHOLDER.value])
    return reasons.gather(placeholder.cast(pl.UInt32))


def _replaced(
    values: pl.Series,
    rows: pl.Series,
    step: Callable[[pl.Series], pl.Series],
    of: pl.Series | None = None,
) -> pl.Series:
    """`values` where `rows` is false; where true, `step` of those rows of `of` (or of
    the values)."""
    at = rows.arg_true()
    if at.is_empty():
        return values
    return values.clone().scatter(at, step((values if of is None else of).gather(at)))


# More significant digits than a float keeps exactly (and a spreadsheet shows).
_FLOAT_DIGITS = 15


def _scientific(texts: pl.Series) -> pl.Series:
    """The integer a spreadsheet float spells (4.47400123456E+11), or "" when it spells
    none exactly (refused as not_a_number): a mantissa with fewer digits than the
    number was rounded (4.474e+11), and a number that is no integer has a fraction."""
    text = pl.col("text")
    exponent_at = pl.coalesce(text.str.find("e", literal=True), text.str.find("E", literal=True))
    # The mantissa's digits: all before the exponent but its one dot (and a sign).
    digits = exponent_at - 1 - text.str.starts_with("+").cast(pl.UInt32)
    frame = texts.to_frame("text").with_columns(
        text.cast(pl.Float64, strict=False).alias("value"), digits.alias("digits")
    )
    value, digits = pl.col("value"), pl.col("digits")
    exact = (
        (value >= 1)
        & (value.floor() == value)
        & (digits >= value.log10().floor() + 1)
        & (digits <= _FLOAT_DIGITS)
    )
    spelled = pl.when(exact).then(value.cast(pl.Int64).cast(pl.String)).otherwise(pl.lit(""))
    return frame.select(spelled).to_series()


def _separated(texts: pl.Series) -> pl.Series:
    """Spaces, dashes, dots, brackets and slashes dropped."""
    return texts.str.replace_all(_SEPARATORS, "")


def _whole(texts: pl.Series) -> pl.Series:
    """447400123456.0: a decimal with only zeros after its dot is its whole part; a dot
    in anything else is a separator (07400.123456)."""
    whole = pl.col("text").str.extract(r"^([1-9][0-9]*)\.0+$", 1)
    separated = pl.col("text").str.replace_all(_SEPARATORS, "")
    return texts.to_frame("text").select(pl.coalesce(whole, separated)).to_series()


def _fraction(texts: pl.Series) -> pl.Series:
    """A dot with digits after it that are not all zeros: if the cell is no number with
    the dot read as a separator, it was a fraction (447400123456.5)."""
    return texts.str.contains(r"^[1-9][0-9]*\.[0-9]*[1-9][0-9]*$")


def _unbracketed_key(texts: pl.Series) -> pl.Series:
    """`+1 (0)201…`: the international key of the number without its bracketed zero
    (tried when the number with it is invalid)."""
    text = pl.col("text")
    international = text.str.starts_with("+") | text.str.starts_with("00")
    digits = text.str.replace("(0)", "", literal=True).str.replace_all(_SEPARATORS, "")
    digits = (
        pl.when(text.str.starts_with("+")).then(digits.str.slice(1)).otherwise(digits.str.slice(2))
    )
    length = digits.str.len_bytes().cast(pl.Int64)
    key = length * _BASE + digits.str.to_integer(strict=False)
    wanted = international & (length <= numbering.MAX_INTERNATIONAL)
    return texts.to_frame("text").select(pl.when(wanted).then(key)).to_series()


def _tel_uri(texts: pl.Series) -> pl.Series:
    """RFC 3966: `tel:` + number, then `;parameters`; a `phone-context` that is a
    `+` prefix goes in front of a local number (parse() does the same)."""
    text = pl.col("text")
    body = text.str.slice(4)
    number = body.str.extract(r"^([^;]*)", 1)
    context = body.str.extract(r";phone-context=(\+[0-9\-.()]*)", 1).fill_null("")
    is_uri = text.str.slice(0, 4).str.to_lowercase() == "tel:"
    return texts.to_frame("text").select(pl.when(is_uri).then(context + number).otherwise(text))[
        "text"
    ]


def _ascii(texts: pl.Series) -> pl.Series:
    """Digits of every script as ASCII, and the other scripts' plus signs, dashes,
    spaces and brackets as ASCII ones."""
    return texts.str.replace_many(_unicode_map())


@cache
def _unicode_map() -> dict[str, str]:
    mapping = {
        chr(c): str(unicodedata.decimal(chr(c)))
        for c in range(0x80, 0x20000)  # every script's decimal digits are below 0x20000
        if unicodedata.category(chr(c)) == "Nd"
    }
    for chars, ascii_char in _UNICODE_PUNCTUATION.items():
        mapping.update(dict.fromkeys(chars, ascii_char))
    return mapping


# The punctuation libphonenumber accepts in numbers, as the ASCII it stands for.
_UNICODE_PUNCTUATION = {
    "\uff0b": "+",
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d": "-",
    "\u00a0\u2007\u202f\u3000": " ",
    "\u00ad\u200b\u2060": "",
    "\uff0f": "/",
    "\uff08": "(",
    "\uff09": ")",
    "\uff3b": "[",
    "\uff3d": "]",
    "\u2053\u223c\uff5e": "~",
}


def _unreadable() -> pl.Expr:
    """Why a cell has no digits to look up, or null."""
    length = pl.col(_LENGTH)
    return (
        pl.when(pl.col(_TEXT).str.len_bytes().fill_null(0) == 0)
        .then(pl.lit(Invalid.EMPTY.value))
        .when(pl.col(_BAD).is_not_null())
        .then(pl.col(_BAD))
        .when((length > _MAX_DIGITS) | pl.col(_VALUE).is_null())
        .then(pl.lit(Invalid.TOO_LONG.value))
    )


# --- regions ------------------------------------------------------------------------------


def _region_index(column: pl.Expr, home: int) -> pl.Expr:
    """A column of ISO codes, country names (any language libphonenumber knows) or
    calling codes as region indexes; what is none of them reads as the default."""
    key = column.cast(pl.String).str.normalize("NFKD").str.replace_all(r"[^\p{L}\p{N}]", "")
    names = _region_names()

    def indexes(keys: pl.Series) -> pl.Series:
        # One batch at a time: replace_strict on the whole column would not stream.
        return keys.replace_strict(names, default=home, return_dtype=pl.Int64)

    return key.str.to_lowercase().map_batches(indexes, return_dtype=pl.Int64, is_elementwise=True)


def _name_key(name: str) -> str:
    """A name as _region_index compares it: no accents, spaces or punctuation."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if c.isalnum()).lower()


# Names people write that libphonenumber's lists spell differently.
_ALIASES = {
    "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northernireland": "GB", "usa": "US", "unitedstatesofamerica": "US",
    "america": "US", "southkorea": "KR", "korea": "KR", "russianfederation": "RU",
    "holland": "NL", "czechia": "CZ", "ivorycoast": "CI", "uae": "AE",
}  # fmt: skip


@cache
def _region_names() -> dict[str, int]:
    index = {region: i for i, region in enumerate(numbering.REGIONS)}
    names: dict[str, set[str]] = {}
    for region, languages in LOCALE_DATA.items():
        for name in languages.values():
            if region in index and not name.startswith("*"):  # "*en": as language en
                names.setdefault(_name_key(name), set()).add(region)
    # A name two regions share (in different languages) says neither.
    found = {key: index[next(iter(rs))] for key, rs in names.items() if len(rs) == 1}
    found.update({key: index[region] for key, region in _ALIASES.items()})
    for code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        if regions[0] in index:
            found[str(code)] = index[regions[0]]
    found.update({region.lower(): i for region, i in index.items()})
    return found


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    """A lookup table: block starts, and each block's code, add and mod."""

    starts: pl.Series
    codes: pl.Series
    adds: pl.Series
    mods: pl.Series

    @property
    def defers(self) -> bool:
        return bool((self.codes == Outcome.DEFERRED).any())

    @classmethod
    def of(cls, blocks: tuple[Block, ...]) -> _Table:
        starts, codes, adds, mods = zip(*blocks, strict=True)
        return cls(*(pl.Series(c, dtype=pl.Int64) for c in (starts, codes, adds, mods)))

    def lookup(self, frame: Frame, reading: _Reading, key: pl.Expr, value: pl.Expr) -> Frame:
        """`reading` filled in from the block `key` falls in: its code, and its target
        add + value % mod (null where the key is)."""
        frame = frame.with_columns(key.alias(reading.key))
        found = pl.col(reading.key).map_batches(
            self._blocks, return_dtype=_FOUND, is_elementwise=True
        )
        frame = frame.with_columns(found.alias(reading.block))
        block, looked_up = pl.col(reading.block).struct, pl.col(reading.key).is_not_null()
        return frame.with_columns(
            pl.when(looked_up).then(block.field("code")).alias(reading.code),
            pl.when(looked_up)
            .then(block.field("add") + value % block.field("mod"))
            .alias(reading.target),
        )

    def _blocks(self, keys: pl.Series) -> pl.Series:
        """One batch's blocks: a binary search each. (As expressions on literal series,
        the lookups and gathers keep the streaming engine from streaming.)"""
        if keys.null_count() == keys.len():  # a reading no row of the batch needs
            return pl.repeat(None, keys.len(), dtype=_FOUND, eager=True).alias(keys.name)
        found = self.starts.search_sorted(keys.fill_null(0), side="right").cast(pl.Int64) - 1
        block = found.clip(0)  # a null key's block is never used
        return pl.DataFrame(
            [
                self.codes.gather(block).alias("code"),
                self.adds.gather(block).alias("add"),
                self.mods.gather(block).alias("mod"),
            ]
        ).to_struct(keys.name)


_FOUND = pl.Struct({"code": pl.Int64, "add": pl.Int64, "mod": pl.Int64})


@dataclass(frozen=True, slots=True)
class _Tables:
    national: _Table
    international: _Table
    plan: _Table


@cache
def _tables(regions: tuple[str, ...]) -> _Tables:
    """Compiled on first use, not at import: the international table takes a second
    or two, once per process."""
    return _Tables(
        national=_Table.of(tuple(b for r in regions for b in numbering.national_blocks(r))),
        international=_Table.of(numbering.international_blocks()),
        plan=_Table.of(numbering.plan_blocks()),
    )


def _read(frame: Frame, tables: _Tables) -> Frame:
    """The lookups: national digits in their region's table (a number found to be
    international goes on to the international table), `+` numbers in the international
    table, and readings the tables defer in the plan table."""
    length, readable = pl.col(_LENGTH), pl.col(_BAD).is_null()
    # More than 15 national digits are no national number (E.164 allows 15, calling
    # code included); such a row is still tried as international digits ("00" + 15).
    national = readable & ~pl.col(_PLUS) & (length <= numbering.MAX_NATIONAL)
    key = (pl.col(_REGION) * 16 + length) * numbering.NATIONAL_BASE + pl.col(_VALUE)
    frame = tables.national.lookup(frame, _NATIONAL, pl.when(national).then(key), pl.col(_VALUE))
    code = pl.col(_NATIONAL.code).fill_null(pl.lit(Outcome.TOO_LONG, pl.Int64))
    frame = frame.with_columns(pl.when(readable & ~pl.col(_PLUS)).then(code).alias(_NATIONAL.code))
    frame = _deferred(frame, tables.plan, _NATIONAL, tables.national)
    international = pl.when(readable).then(_international_key())
    unbracketed = pl.when(readable).then(pl.col(_DROPPED))
    for reading, key in ((_INTERNATIONAL, international), (_UNBRACKETED, unbracketed)):
        # A key's digits (its length is the rest) are what add and mod work on.
        digits = pl.col(reading.key) % _BASE
        frame = tables.international.lookup(frame, reading, key, digits)
        frame = _deferred(frame, tables.plan, reading, tables.international)
    return frame


def _deferred(frame: Frame, plan: _Table, reading: _Reading, table: _Table) -> Frame:
    """Readings `table` deferred, judged in the plan table (a carrier code cut off,
    say): their target is the plan table's key."""
    if not table.defers:
        return frame
    deferred = pl.col(reading.code) == Outcome.DEFERRED
    again = _Reading(f"{reading.name}_again")
    key = pl.when(deferred).then(pl.col(reading.target))
    frame = plan.lookup(frame, again, key, pl.col(again.key) % _BASE)
    return frame.with_columns(
        pl.coalesce(again.code, reading.code).alias(reading.code),
        pl.coalesce(again.target, reading.target).alias(reading.target),
    ).drop(*again.columns)


def _international_key() -> pl.Expr:
    """What to look up in the international table: the digits after a `+`, a reading
    the national table handed on (after an international prefix, say), or, for digits
    that are no valid national number, the digits themselves (a leading 00 dropped)."""
    length, value, code = pl.col(_LENGTH), pl.col(_VALUE), pl.col(_NATIONAL.code)
    bare = length - pl.when(pl.col(_WRITTEN).str.starts_with("00")).then(2).otherwise(0)
    return (
        pl.when(pl.col(_PLUS) & (length <= numbering.MAX_INTERNATIONAL))
        .then(length * _BASE + value)
        .when(code == Outcome.INTERNATIONAL)
        .then(pl.col(_NATIONAL.target))
        .when((code >= Outcome.UNKNOWN_COUNTRY) & (bare <= numbering.MAX_INTERNATIONAL))
        .then(bare * _BASE + value)
    )


def _chosen(frame: Frame) -> Frame:
    """The reading that counts, as its code and E.164 digits: international for a
    `+` number or one the national table handed on; else the national one when valid,
    or the international one when it is valid or got further."""
    national, international = pl.col(_NATIONAL.code), pl.col(_INTERNATIONAL.code)
    handed_on = pl.col(_PLUS) | (national == Outcome.INTERNATIONAL)
    better = (international < Outcome.UNKNOWN_COUNTRY) | (international > national)
    use_international = handed_on | (
        (national >= Outcome.UNKNOWN_COUNTRY) & better.fill_null(False)
    )
    too_long = pl.lit(Outcome.TOO_LONG, pl.Int64)
    code = (
        pl.when(pl.col(_BAD).is_not_null())
        .then(None)
        .when(use_international)
        .then(pl.coalesce(international, too_long))
        .otherwise(national)
    )
    target = (
        pl.when(use_international)
        .then(pl.col(_INTERNATIONAL.target))
        .otherwise(pl.col(_NATIONAL.target))
    )
    frame = frame.with_columns(code.alias(_CODE), target.alias(_TARGET))
    unbracketed = (pl.col(_CODE) >= Outcome.UNKNOWN_COUNTRY) & (
        pl.col(_UNBRACKETED.code) < Outcome.UNKNOWN_COUNTRY
    )
    return frame.with_columns(
        pl.when(unbracketed).then(pl.col(_UNBRACKETED.code)).otherwise(pl.col(_CODE)).alias(_CODE),
        pl.when(unbracketed)
        .then(pl.col(_UNBRACKETED.target))
        .otherwise(pl.col(_TARGET))
        .alias(_TARGET),
    )


def _reason_text(code: pl.Expr) -> pl.Expr:
    # A gather from a small literal, not replace_strict: that one does not stream.
    return pl.lit(_by_code(_REASON_BY_CODE, pl.String())).gather(code)


def _line_type(code: pl.Expr) -> pl.Expr:
    return pl.lit(_by_code(_LINE_TYPE_BY_CODE, LINE_TYPES)).gather(code)


def _by_code(names: dict[int, str], dtype: pl.DataType) -> pl.Series:
    """`names` as a series indexed by outcome code (null for the other codes)."""
    return pl.Series([names.get(code) for code in range(Outcome.DEFERRED)], dtype=dtype)


# --- one series, one number -------------------------------------------------------------


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
