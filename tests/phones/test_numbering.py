"""The compiled plans against the regular expressions they come from."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.phones import numbering, patterns, plans
from app.phones.patterns import Intervals

DESCS = (
    "general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
    "personal_number", "voip", "pager", "uan", "voicemail",
)  # fmt: skip


def metadata() -> Iterator[PhoneMetadata]:
    for code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            if region == "001":
                yield PhoneMetadata.metadata_for_nongeo_region(code)
            else:
                yield PhoneMetadata.metadata_for_region(region)


def number_patterns() -> list[str]:
    found = {
        desc.national_number_pattern
        for meta in metadata()
        for name in DESCS
        if (desc := getattr(meta, name)) is not None and desc.national_number_pattern
    }
    return sorted(found)


def prefix_patterns() -> list[str]:
    found = {
        p
        for meta in metadata()
        for p in (meta.national_prefix_for_parsing, meta.international_prefix)
        if p
    }
    return sorted(found)


def inside(numbers: Intervals, rng: random.Random) -> Iterator[int]:
    """Both ends of every interval, a point within, and the values just outside."""
    for lo, hi in numbers:
        yield from (lo, hi - 1, rng.randrange(lo, hi), lo - 1, hi)


def test_every_number_pattern_matches_exactly_its_intervals() -> None:
    rng = random.Random(1)
    checked = 0
    for text in number_patterns():
        compiled = re.compile(text)
        node = patterns.parse(text)
        for length in sorted(patterns.lengths(node)):
            numbers = patterns.language(node, length)
            probes = [*inside(numbers, rng), *(rng.randrange(10**length) for _ in range(8))]
            for value in probes:
                if 0 <= value < 10**length:
                    digits = str(value).zfill(length)
                    found = patterns.clip(numbers, value, value + 1) != ()
                    assert found == bool(compiled.fullmatch(digits)), (text, digits)
                    checked += 1
    assert checked > 100_000


@pytest.mark.parametrize("text", prefix_patterns())
def test_paths_match_in_the_order_re_match_tries_them(text: str) -> None:
    rng = random.Random(text)
    compiled = re.compile(text)
    paths = list(patterns.paths(patterns.parse(text)))
    for _ in range(300):
        path = rng.choice(paths)
        digits = "".join(str(rng.choice(values)) for values in path.digits)
        if not path.anchored:
            digits += "".join(rng.choice("0123456789") for _ in range(rng.randrange(12)))
        expected = compiled.match(digits)
        first = next(
            (p for p in paths if patterns.clip(p.matched(len(digits)), *_one(digits))), None
        )
        assert (first is None) == (expected is None), (text, digits)
        if first is not None and expected is not None:
            assert len(first.digits) == expected.end(), (text, digits)
            for index, start, end in first.groups:
                assert expected.span(index) == (start, end), (text, digits)


def _one(digits: str) -> tuple[int, int]:
    return int(digits), int(digits) + 1


def test_the_tables_are_sorted_and_cover_every_key() -> None:
    for blocks in (
        numbering.international_blocks(),
        numbering.plan_blocks(),
        numbering.national_blocks("GB"),
        numbering.national_blocks("AR"),
    ):
        starts = [start for start, *_ in blocks]
        assert starts == sorted(set(starts))
        for _, code, add, mod in blocks:
            assert code in set(plans.Outcome)
            assert mod >= 1
            assert add >= 0
