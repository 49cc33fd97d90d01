"""Regions: ISO codes, calling codes and country names, as the normalizer reads them."""

from __future__ import annotations

import unicodedata
from functools import cache

import phonenumbers
import polars as pl
from phonenumbers.geodata.locale import LOCALE_DATA
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.phones import numbering


def calling_code(region: str) -> str:
    """The calling code of an ISO region (GB -> 44); ValueError for an unknown region."""
    code = phonenumbers.country_code_for_region(region.upper())
    if code == 0:
        raise ValueError(f"unknown region {region!r}")
    return str(code)


def default_region(default: str) -> str:
    """The region national numbers are read in: an ISO region ("GB"), or the main
    region of a calling code ("44" -> GB, "1" -> US); ValueError for neither."""
    if not default.isascii():  # "ß".upper() is "SS": no letter outside ASCII names one
        raise ValueError(f"unknown region {default!r}")
    if default.isdigit():
        region = phonenumbers.region_code_for_country_code(int(default))
    else:
        region = default.upper()
    if region not in numbering.REGIONS:
        raise ValueError(f"unknown region {default!r}")
    return region


def region_of(phone: str) -> str | None:
    """The ISO region an E.164 number (digits, no `+`) belongs to, or None."""
    try:
        number = phonenumbers.parse("+" + phone)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return None if region in (None, phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY) else region


def region_index(column: pl.Expr, home: int) -> pl.Expr:
    """A column of ISO codes, country names (any language libphonenumber knows) or
    calling codes as region indexes; what is none of them reads as the default."""
    key = column.cast(pl.String).str.normalize("NFKD").str.replace_all(r"[^\p{L}\p{N}]", "")
    names = region_names()

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
def region_names() -> dict[str, int]:
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
