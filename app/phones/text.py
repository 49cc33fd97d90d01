"""Reading a cell's text as digits: the cheap steps for the common cells, the rest
(floats, tel: URIs, other scripts, bracketed zeros, junk) only for the cells that need it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

import polars as pl

from app.phones import columns as c
from app.phones import numbering
from app.phones.columns import Frame
from app.phones.kinds import Invalid

# Template placeholders and the ways spreadsheets and exports write "nothing".
_PLACEHOLDERS = ["{{", "}}", "<na>", "null", "none", "nan", "n/a", "#n/a"]
_BASE = numbering.INTERNATIONAL_BASE
# Int64 holds 18 digits; anything longer is too long for any reading anyway.
MAX_DIGITS = 18
_SEPARATORS = r"[\s\-./\\()\[\]~]"


def read_text(frame: Frame) -> Frame:
    """`c.WRITTEN`: the number as `+digits` or `digits`, `c.VALUE`: those digits as an
    integer (both null when the cell cannot be read as a number, `c.BAD` saying why),
    `c.DROPPED`: the international key of a `+1 (0)…` number without its bracketed
    zero, `c.FRACTION`: whether a dot had digits after it that were not all zeros.

    Three steps, each for fewer cells: most are plain digits, perhaps after a `+`, and
    one integer parse reads them; most others only need their spaces, dashes or brackets
    dropped; the rest (a dot, a bracketed zero, tel:, other scripts, junk) go through
    _read_slowly, one batch at a time, on those cells only."""
    text = pl.col(c.TEXT)
    frame = frame.with_columns(text.str.strip_chars())
    value = text.str.to_integer(strict=False)
    frame = frame.with_columns(pl.when(value >= 0).then(value).alias(c.VALUE))  # "-1": no
    separated = pl.when(pl.col(c.VALUE).is_null() & ~text.str.contains(".", literal=True)).then(
        text.str.replace_all(_SEPARATORS, "")
    )
    frame = frame.with_columns(separated.alias(c.SLOW))
    value = pl.col(c.SLOW).str.to_integer(strict=False)
    frame = frame.with_columns(
        pl.coalesce(c.VALUE, pl.when(value >= 0).then(value)).alias(c.VALUE),
    )
    plain = pl.when(pl.col(c.VALUE).is_not_null())
    rest = (pl.col(c.VALUE).is_null() & (text.str.len_bytes() > 0)) | text.str.contains(
        "(0)", literal=True
    )
    read = (
        pl.when(rest)
        .then(text)
        .map_batches(
            _each_batch(c.SLOW, _read_slowly, _SLOW_READING),
            return_dtype=_SLOW_READING,
            is_elementwise=True,
        )
    )
    frame = frame.with_columns(
        plain.then(pl.coalesce(c.SLOW, c.TEXT)).alias(c.WRITTEN), read.alias(c.SLOW)
    )
    slow = pl.col(c.SLOW).struct
    return frame.with_columns(
        pl.coalesce(c.WRITTEN, slow.field(c.WRITTEN)).alias(c.WRITTEN),
        pl.coalesce(c.VALUE, slow.field(c.VALUE)).alias(c.VALUE),
        slow.field(c.DROPPED).alias(c.DROPPED),
        slow.field(c.FRACTION).fill_null(False).alias(c.FRACTION),
        slow.field(c.BAD).alias(c.BAD),
    )


_SLOW_READING = pl.Struct(
    {
        c.WRITTEN: pl.String,
        c.VALUE: pl.Int64,
        c.DROPPED: pl.Int64,
        c.FRACTION: pl.Boolean,
        c.BAD: pl.String,
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
            c.WRITTEN: written,
            c.VALUE: written.str.to_integer(strict=False),
            c.DROPPED: _replaced(nothing, bracketed, _unbracketed_key, of=texts),
            c.FRACTION: _replaced(no, decimal, _fraction, of=texts),
            c.BAD: _replaced(_nothing(texts), unread, _why_unread, of=texts),
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
    return texts.str.replace_many(unicode_map())


@cache
def unicode_map() -> dict[str, str]:
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


def unreadable() -> pl.Expr:
    """Why a cell has no digits to look up, or null."""
    length = pl.col(c.LENGTH)
    return (
        pl.when(pl.col(c.TEXT).str.len_bytes().fill_null(0) == 0)
        .then(pl.lit(Invalid.EMPTY.value))
        .when(pl.col(c.BAD).is_not_null())
        .then(pl.col(c.BAD))
        .when((length > MAX_DIGITS) | pl.col(c.VALUE).is_null())
        .then(pl.lit(Invalid.TOO_LONG.value))
    )
