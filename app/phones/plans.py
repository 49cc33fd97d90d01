"""One region's numbering plan, parsed from libphonenumber's metadata (the installed
`phonenumbers`), and what it says of every national significant number of one length:
valid with a line type, or why not (`Outcome`). numbering.py builds the lookup tables
from these answers; readings.py says which digits they are asked about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.phones import patterns
from app.phones.patterns import Intervals, Node

MAX_E164 = 15  # ITU-T E.164: a number has at most 15 digits
MIN_NSN = 2  # phonenumbers' shortest national significant number


class Outcome(IntEnum):
    """What a reading found: a line type (phonenumbers' own numbers) or why not."""

    FIXED_LINE = PhoneNumberType.FIXED_LINE
    MOBILE = PhoneNumberType.MOBILE
    FIXED_LINE_OR_MOBILE = PhoneNumberType.FIXED_LINE_OR_MOBILE
    TOLL_FREE = PhoneNumberType.TOLL_FREE
    PREMIUM_RATE = PhoneNumberType.PREMIUM_RATE
    SHARED_COST = PhoneNumberType.SHARED_COST
    VOIP = PhoneNumberType.VOIP
    PERSONAL_NUMBER = PhoneNumberType.PERSONAL_NUMBER
    PAGER = PhoneNumberType.PAGER
    UAN = PhoneNumberType.UAN
    VOICEMAIL = PhoneNumberType.VOICEMAIL
    # Invalid, from the least to the most of the number read: when a bare number is
    # tried both as national and as international digits, the reading that got further
    # gives the reason.
    UNKNOWN_COUNTRY = 16
    TOO_SHORT = 17
    TOO_LONG = 18
    INVALID_LENGTH = 19
    INVALID_FOR_COUNTRY = 20
    # Not an outcome yet: the reading is looked up again (see Block).
    DEFERRED = 24
    INTERNATIONAL = 25

    @property
    def valid(self) -> bool:
        return self < Outcome.UNKNOWN_COUNTRY


# _number_type_helper's order: these first, then fixed line and mobile.
_TYPE_ORDER = (
    ("premium_rate", Outcome.PREMIUM_RATE),
    ("toll_free", Outcome.TOLL_FREE),
    ("shared_cost", Outcome.SHARED_COST),
    ("voip", Outcome.VOIP),
    ("personal_number", Outcome.PERSONAL_NUMBER),
    ("pager", Outcome.PAGER),
    ("uan", Outcome.UAN),
    ("voicemail", Outcome.VOICEMAIL),
)


@dataclass(frozen=True, slots=True)
class _Desc:
    pattern: Node
    lengths: frozenset[int]

    def numbers(self, length: int) -> Intervals:
        """_is_number_matching_desc: a possible length, then the whole pattern."""
        return patterns.language(self.pattern, length) if length in self.lengths else ()


def _desc(desc: PhoneNumberDesc | None) -> _Desc | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return _Desc(patterns.parse(desc.national_number_pattern), frozenset(desc.possible_length))


@dataclass(frozen=True, slots=True)
class Plan:
    """One region's metadata (or a non-geographic entity's), parsed."""

    region: str
    code: int
    general: _Desc
    local_lengths: frozenset[int]
    types: tuple[tuple[_Desc, Outcome], ...]
    fixed: _Desc | None
    mobile: _Desc | None
    same_fixed_and_mobile: bool
    leading: Node | None
    trunk: Node | None
    trunk_groups: int
    transform: str | None
    idd: Node | None

    def viable(self, length: int) -> Intervals:
        """_match_national_number on the general pattern: no length check."""
        return patterns.language(self.general.pattern, length)


@cache
def region_plan(region: str, code: int) -> Plan:
    meta = (
        PhoneMetadata.metadata_for_nongeo_region(code)
        if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
        else PhoneMetadata.metadata_for_region(region)
    )
    general_desc = meta.general_desc if meta is not None else None
    if meta is None or general_desc is None or (general := _desc(general_desc)) is None:
        raise ValueError(f"no numbering plan for {region}")
    trunk = meta.national_prefix_for_parsing or None
    return Plan(
        region=region,
        code=code,
        general=general,
        local_lengths=frozenset(general_desc.possible_length_local_only),
        types=tuple(
            (desc, outcome)
            for name, outcome in _TYPE_ORDER
            if (desc := _desc(getattr(meta, name))) is not None
        ),
        fixed=_desc(meta.fixed_line),
        mobile=_desc(meta.mobile),
        same_fixed_and_mobile=bool(meta.same_mobile_and_fixed_line_pattern),
        leading=patterns.parse(meta.leading_digits) if meta.leading_digits else None,
        trunk=patterns.parse(trunk) if trunk else None,
        trunk_groups=patterns.group_count(trunk) if trunk else 0,
        transform=meta.national_prefix_transform_rule or None,
        idd=patterns.parse(meta.international_prefix) if meta.international_prefix else None,
    )


def code_plans(code: int) -> list[Plan]:
    return [region_plan(region, code) for region in COUNTRY_CODE_TO_REGION_CODE[code]]


def main_plan(code: int) -> Plan:
    """The metadata parse() reads a number with this calling code by."""
    return code_plans(code)[0]


# --- validity and type of a national significant number ------------------------------

# A covering of [0, 10**n) by (lo, hi, outcome), in order.
Segments = list[tuple[int, int, Outcome]]


def _types(plan: Plan, length: int) -> list[tuple[Intervals, Outcome]]:
    """_number_type_helper for every number of `length` digits at once."""
    remaining = plan.general.numbers(length)
    found: list[tuple[Intervals, Outcome]] = []
    for desc, outcome in plan.types:
        hit = patterns.intersect(desc.numbers(length), remaining)
        found.append((hit, outcome))
        remaining = patterns.subtract(remaining, hit)
    fixed = patterns.intersect(plan.fixed.numbers(length) if plan.fixed else (), remaining)
    mobile = plan.mobile.numbers(length) if plan.mobile else ()
    remaining = patterns.subtract(remaining, fixed)
    if plan.same_fixed_and_mobile:
        found.append((fixed, Outcome.FIXED_LINE_OR_MOBILE))
    else:
        both = patterns.intersect(fixed, mobile)
        found.append((both, Outcome.FIXED_LINE_OR_MOBILE))
        found.append((patterns.subtract(fixed, both), Outcome.FIXED_LINE))
        found.append((patterns.intersect(mobile, remaining), Outcome.MOBILE))
    return [(numbers, outcome) for numbers, outcome in found if numbers]


def _claimed_types(plans: Sequence[Plan], length: int) -> list[tuple[Intervals, Outcome]]:
    """Types under region_code_for_number: of the regions sharing a calling code, the
    first whose leading digits match (or, without them, that finds a type) owns it."""
    if len(plans) == 1:
        return _types(plans[0], length)
    claimed: Intervals = ()
    found: list[tuple[Intervals, Outcome]] = []
    for plan in plans:
        types = _types(plan, length)
        claim = (
            patterns.prefixed(plan.leading, length)
            if plan.leading is not None
            else patterns.union(*(numbers for numbers, _ in types))
        )
        claim = patterns.subtract(claim, claimed)
        claimed = patterns.union(claimed, claim)
        found += [(patterns.intersect(numbers, claim), outcome) for numbers, outcome in types]
    return found


@cache
def validity(code: int, length: int) -> Segments:
    """Outcome of every national significant number of `length` digits after `code`."""
    plans = code_plans(code)
    wrong = _wrong_length(plans, length)
    if wrong is not None:
        return [(0, 10**length, wrong)]
    found = sorted(
        (lo, hi, outcome)
        for numbers, outcome in _claimed_types(plans, length)
        for lo, hi in numbers
    )
    return _fill(found, 10**length, Outcome.INVALID_FOR_COUNTRY)


def _wrong_length(plans: Sequence[Plan], length: int) -> Outcome | None:
    """Why no number of this length can be valid, or None when some can. Short and long
    are as is_possible_number says them, by the main region."""
    possible = frozenset().union(*(plan.general.lengths for plan in plans))
    main = plans[0].general.lengths
    e164 = len(str(plans[0].code)) + length
    if length in possible and length >= MIN_NSN and e164 <= MAX_E164:
        return None
    if length < max(min(main), MIN_NSN):
        return Outcome.TOO_SHORT
    if length > max(main) or e164 > MAX_E164:
        return Outcome.TOO_LONG
    return Outcome.INVALID_LENGTH


def _fill(found: Segments, size: int, gap: Outcome) -> Segments:
    covered: Segments = []
    cursor = 0
    for lo, hi, outcome in found:
        if lo > cursor:
            covered.append((cursor, lo, gap))
        covered.append((lo, hi, outcome))
        cursor = hi
    if cursor < size:
        covered.append((cursor, size, gap))
    return covered


class Length(IntEnum):
    POSSIBLE = 0
    LOCAL_ONLY = 1
    TOO_SHORT = 2
    TOO_LONG = 3
    INVALID = 4


def length_verdict(plan: Plan, length: int) -> Length:
    """_test_number_length against the general description."""
    possible = sorted(plan.general.lengths)
    if length in plan.local_lengths:
        return Length.LOCAL_ONLY
    if length < possible[0]:
        return Length.TOO_SHORT
    if length > possible[-1]:
        return Length.TOO_LONG
    return Length.POSSIBLE if length in possible else Length.INVALID


def forget() -> None:
    """Drops the parsed plans and validities (see numbering.forget)."""
    region_plan.cache_clear()
    validity.cache_clear()
