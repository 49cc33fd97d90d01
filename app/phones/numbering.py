"""libphonenumber's numbering plans, compiled into lookup tables for polars.

Reading a number the way `phonenumbers.parse` does and then asking `is_valid_number`
and `number_type` is a pure function of its digits; for strings of one length it is
constant on intervals of their values, because every rule involved is a pattern over
digits. So each reading compiles (once per process, on first use) into a table of
blocks that polars looks up with one binary search per row:

- the national table, keyed by `(region * 16 + length) * 10**15 + value` of the digits
  as written in a region (at most 15): that region's international prefix, national
  prefix and carrier codes, its own calling code written without `+`, then the plan;
- the international table, keyed by `length * 10**17 + value` of the digits after a
  `+` (or an international prefix): calling code, national prefix after it
  (`+44 07…`), then the plan of the region that owns the number (`region_code_for_
  number`: +1 is 25 regions, +44 four, +7 two…);
- the plan table, keyed like the international one by E.164 digits, judged as they
  are: for the few readings that would copy the plan once per carrier code into the
  other tables (China's 2,100), which defer to it.

A block holds an `Outcome` and `add`, `mod`: for a valid number its E.164 digits are
`add + value % mod`. The metadata comes from the installed `phonenumbers`, so upgrading
that dependency updates the plans.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberDesc, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

from app.phones import patterns
from app.phones.patterns import Intervals, Node, Path

INTERNATIONAL_BASE = 10**17  # digits after "+": at most 17, as phonenumbers allows
NATIONAL_BASE = 10**15  # national digits: the first 15 are enough to decide
MAX_INTERNATIONAL = 17
MAX_NATIONAL = 15
MAX_E164 = 15  # ITU-T E.164: a number has at most 15 digits
_MIN_NSN = 2  # phonenumbers' shortest national significant number


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
class _Plan:
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
def _plan(region: str, code: int) -> _Plan:
    meta = (
        PhoneMetadata.metadata_for_nongeo_region(code)
        if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
        else PhoneMetadata.metadata_for_region(region)
    )
    general_desc = meta.general_desc if meta is not None else None
    if meta is None or general_desc is None or (general := _desc(general_desc)) is None:
        raise ValueError(f"no numbering plan for {region}")
    trunk = meta.national_prefix_for_parsing or None
    return _Plan(
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


def _plans(code: int) -> list[_Plan]:
    return [_plan(region, code) for region in COUNTRY_CODE_TO_REGION_CODE[code]]


def _main_plan(code: int) -> _Plan:
    """The metadata parse() reads a number with this calling code by."""
    return _plans(code)[0]


# --- validity and type of a national significant number ------------------------------

# A covering of [0, 10**n) by (lo, hi, outcome), in order.
Segments = list[tuple[int, int, Outcome]]


def _types(plan: _Plan, length: int) -> list[tuple[Intervals, Outcome]]:
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


def _claimed_types(plans: Sequence[_Plan], length: int) -> list[tuple[Intervals, Outcome]]:
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
def _validity(code: int, length: int) -> Segments:
    """Outcome of every national significant number of `length` digits after `code`."""
    plans = _plans(code)
    wrong = _wrong_length(plans, length)
    if wrong is not None:
        return [(0, 10**length, wrong)]
    found = sorted(
        (lo, hi, outcome)
        for numbers, outcome in _claimed_types(plans, length)
        for lo, hi in numbers
    )
    return _fill(found, 10**length, Outcome.INVALID_FOR_COUNTRY)


def _wrong_length(plans: Sequence[_Plan], length: int) -> Outcome | None:
    """Why no number of this length can be valid, or None when some can. Short and long
    are as is_possible_number says them, by the main region."""
    possible = frozenset().union(*(plan.general.lengths for plan in plans))
    main = plans[0].general.lengths
    e164 = len(str(plans[0].code)) + length
    if length in possible and length >= _MIN_NSN and e164 <= MAX_E164:
        return None
    if length < max(min(main), _MIN_NSN):
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


# --- readings: which digits become the national significant number ------------------

# A prefix pattern that matches this many blocks of strings (CN's 2,100 carrier codes)
# would copy the plan once per block into the table: such readings are judged by a
# second lookup in the plan table instead.
_MAX_BLOCKS = 16


@dataclass(frozen=True, slots=True)
class _Piece:
    """Strings [lo, hi) of one length whose reading is `prepend + digits[drop:]`.

    With drop > 0 the piece lies within one block of strings sharing their first `drop`
    digits, so the reading maps it onto one interval. A `deferred` piece is judged by a
    second lookup."""

    lo: int
    hi: int
    drop: int = 0
    prepend: str = ""
    deferred: bool = False

    def image(self, length: int) -> tuple[int, int, int]:
        """The interval the reading maps this piece to, and the reading's length."""
        tail = 10 ** (length - self.drop)
        start = int(self.prepend or 0) * tail + self.lo % tail
        return start, start + self.hi - self.lo, len(self.prepend) + length - self.drop

    def restricted(self, numbers: Intervals) -> Iterator[_Piece]:
        for lo, hi in patterns.clip(numbers, self.lo, self.hi):
            yield _Piece(lo, hi, self.drop, self.prepend, self.deferred)

    def shifted(self, offset: int, drop: int) -> _Piece:
        """The piece behind `drop` more leading digits, `offset` being their value."""
        return _Piece(
            offset + self.lo, offset + self.hi, self.drop + drop, self.prepend, self.deferred
        )


def _identity(numbers: Intervals) -> list[_Piece]:
    return [_Piece(lo, hi) for lo, hi in numbers]


def _blocks(numbers: Intervals, length: int, drop: int, prepend: str) -> list[_Piece]:
    """`numbers` as pieces, cut where their first `drop` digits change."""
    block = 10 ** (length - drop)
    found: list[_Piece] = []
    for lo, hi in numbers:
        while lo < hi:
            end = min(hi, (lo // block + 1) * block)
            found.append(_Piece(lo, end, drop, prepend))
            lo = end
    if len(found) > _MAX_BLOCKS:
        return [_Piece(p.lo, p.hi, drop, prepend, deferred=True) for p in found]
    return found


def _pull_back(piece: _Piece, length: int, numbers: Intervals) -> Intervals:
    """The strings of `piece` whose reading lies in `numbers`."""
    start, end, _ = piece.image(length)
    shift = piece.lo - start
    return tuple((lo + shift, hi + shift) for lo, hi in patterns.clip(numbers, start, end))


@cache
def _trunk_paths(plan: _Plan) -> tuple[tuple[Path, int, str], ...]:
    """Each way the national prefix pattern matches, with what it leaves: the digits
    from `drop` on, after `prepend` (the transform rule's text)."""
    if plan.trunk is None:
        return ()
    found: list[tuple[Path, int, str]] = []
    for path in patterns.paths(plan.trunk):
        # The transform applies when the last group took part in the match.
        last = path.span(plan.trunk_groups) if plan.trunk_groups else None
        if plan.transform is None or last is None:
            found.append((path, len(path.digits), ""))
        else:
            found += _transformed(path, plan.transform)
    return tuple(found)


def _transformed(path: Path, rule: str) -> list[tuple[Path, int, str]]:
    """re.sub(pattern, rule) on a match by `path`: the rule's text, then the rest. A
    group that ends where the match does continues into the rest (`246\\1` on a local
    number); any other group's digits are spelled out, one path per value."""
    parts = re.split(r"\\(\d)", rule)
    literals, refs = parts[0::2], [int(g) for g in parts[1::2]]
    end = len(path.digits)
    last = path.span(refs[-1]) if refs and not literals[-1] else None
    keep = last[0] if last is not None and last[1] == end else end
    spelled_refs = refs[:-1] if keep != end else refs
    spans = {g: span for g in spelled_refs if (span := path.span(g)) is not None}
    found: list[tuple[Path, int, str]] = []
    for spelled in _spelled(path, sorted(set(spans.values()))):
        text = literals[0]
        for ref, literal in zip(refs, literals[1:], strict=True):
            span = spans.get(ref)
            text += (patterns.text(spelled, *span) or "") if span else ""
            text += literal
        found.append((spelled, keep, text))
    return found


def _spelled(path: Path, spans: list[tuple[int, int]]) -> Iterator[Path]:
    if not spans:
        yield path
        return
    (start, end), rest = spans[0], spans[1:]
    for one in patterns.concrete(path, start, end):
        yield from _spelled(one, rest)


@cache
def _strip_national_prefix(plan: _Plan, length: int) -> tuple[_Piece, ...]:
    """_maybe_strip_national_prefix_carrier_code for every string of `length` digits."""
    everything: Intervals = ((0, 10**length),)
    if plan.trunk is None or length == 0:
        return tuple(_identity(everything))
    viable = plan.viable(length)
    trunks = _trunk_paths(plan)
    found: list[_Piece] = []
    for (_, drop, prepend), matched in zip(
        trunks, patterns.first_matches(p.matched(length) for p, _, _ in trunks), strict=True
    ):
        for piece in _blocks(matched, length, drop, prepend):
            _, _, after = piece.image(length)
            # A viable number is not cut into one that is not.
            still = _pull_back(piece, length, plan.viable(after))
            undone = patterns.subtract(patterns.clip(viable, piece.lo, piece.hi), still)
            found += piece.restricted(patterns.subtract(((piece.lo, piece.hi),), undone))
            found += _identity(undone)
    taken = patterns.union(*(((p.lo, p.hi),) for p in found))
    return tuple(sorted(found + _identity(patterns.subtract(everything, taken)), key=_start))


def _start(piece: _Piece) -> int:
    return piece.lo


class _Length(IntEnum):
    POSSIBLE = 0
    LOCAL_ONLY = 1
    TOO_SHORT = 2
    TOO_LONG = 3
    INVALID = 4


def _test_length(plan: _Plan, length: int) -> _Length:
    """_test_number_length against the general description."""
    possible = sorted(plan.general.lengths)
    if length in plan.local_lengths:
        return _Length.LOCAL_ONLY
    if length < possible[0]:
        return _Length.TOO_SHORT
    if length > possible[-1]:
        return _Length.TOO_LONG
    return _Length.POSSIBLE if length in possible else _Length.INVALID


_TOO_SHORT_TO_CUT = (_Length.TOO_SHORT, _Length.LOCAL_ONLY, _Length.INVALID)


@cache
def _national_number(plan: _Plan, length: int) -> tuple[_Piece, ...]:
    """parse()'s last step: the national prefix is cut only when what is left has a
    possible length (or is too long: then it is no short number either)."""
    if length < _MIN_NSN:
        return tuple(_identity(((0, 10**length),)))
    found: list[_Piece] = []
    for piece in _strip_national_prefix(plan, length):
        _, _, after = piece.image(length)
        cut = _test_length(plan, after) not in _TOO_SHORT_TO_CUT
        found.append(piece if cut else _Piece(piece.lo, piece.hi))
    return tuple(found)


def _then(
    pieces: Sequence[_Piece], length: int, step: Callable[[int], Sequence[_Piece]]
) -> list[_Piece]:
    """Each piece's reading read again by `step` (given the reading's length)."""
    found: list[_Piece] = []
    for piece in pieces:
        start, end, after = piece.image(length)
        shift = piece.lo - start
        laters = step(after)  # in order, covering every string of their length
        for later in laters[bisect_right(laters, start, key=lambda p: p.hi) :]:
            lo, hi = max(start, later.lo), min(end, later.hi)
            if lo >= hi:
                break
            if later.drop <= len(piece.prepend):
                drop, prepend = piece.drop, later.prepend + piece.prepend[later.drop :]
            else:
                drop = piece.drop + later.drop - len(piece.prepend)
                prepend = later.prepend
            deferred = piece.deferred or later.deferred
            found.append(_Piece(lo + shift, hi + shift, drop, prepend, deferred))
    return found


# --- tables ---------------------------------------------------------------------------

# A table block: (start, code, add, mod), up to the next block's start. The code is an
# Outcome (a valid number's E.164 digits are add + value % mod), DEFERRED or
# INTERNATIONAL (add + value % mod is the key to look up in the plan table or the
# international table).
Block = tuple[int, int, int, int]


def _judged(pieces: Sequence[_Piece], length: int, code: int) -> list[Block]:
    """The pieces' readings looked up in the plan of `code`."""
    found: list[Block] = []
    for piece in pieces:
        start, end, after = piece.image(length)
        tail = 10 ** (length - piece.drop)
        e164 = code * 10**after + int(piece.prepend or 0) * tail
        if piece.deferred:
            found.append(_deferred(piece, length, code, Outcome.DEFERRED))
            continue
        plan = _validity(code, after)
        shift = piece.lo - start
        for lo, _, outcome in plan[bisect_right(plan, start, key=lambda s: s[1]) :]:
            if lo >= end:
                break
            add, mod = (e164, tail) if outcome.valid else (0, 1)
            found.append((max(lo, start) + shift, outcome, add, mod))
    return found


def _deferred(piece: _Piece, length: int, code: int, outcome: Outcome) -> Block:
    """A block whose reading, `code` and the piece's digits, is looked up again."""
    _, _, after = piece.image(length)
    tail = 10 ** (length - piece.drop)
    e164 = code * 10**after + int(piece.prepend or 0) * tail
    return (piece.lo, outcome, (len(str(code)) + after) * INTERNATIONAL_BASE + e164, tail)


def _merged(blocks: list[Block], size: int, offset: int) -> list[Block]:
    """Blocks in order from `offset`: of equal starts the last given wins, and a block
    that reads like the one before it is part of it."""
    blocks.sort(key=lambda b: b[0])  # stable: equal starts keep their given order
    merged: list[Block] = []
    for index, block in enumerate(blocks):
        if block[0] >= size or (index + 1 < len(blocks) and blocks[index + 1][0] == block[0]):
            continue
        if not merged or merged[-1][1:] != block[1:]:
            merged.append(block)
    return [(offset + start, code, add, mod) for start, code, add, mod in merged]


def _international(reading: Callable[[int, int], Sequence[_Piece]]) -> tuple[Block, ...]:
    """A table over the digits after a `+`: calling code, then `reading` of the rest
    (given the calling code and the rest's length)."""
    blocks: list[Block] = []
    for length in range(1, MAX_INTERNATIONAL + 1):
        offset = length * INTERNATIONAL_BASE
        if length <= _MIN_NSN:  # "had an IDD, but after this was not long enough"
            blocks.append((offset, Outcome.TOO_SHORT, 0, 1))
            continue
        found: list[Block] = [(0, Outcome.UNKNOWN_COUNTRY, 0, 1)]
        for code in COUNTRY_CODE_TO_REGION_CODE:
            digits = len(str(code))
            if digits > length:
                continue
            start = code * 10 ** (length - digits)
            pieces = [p.shifted(start, digits) for p in reading(code, length - digits)]
            found += _judged(pieces, length, code)
            found.append((start + 10 ** (length - digits), Outcome.UNKNOWN_COUNTRY, 0, 1))
        blocks += _merged(found, 10**length, offset)
    return tuple(blocks)


@cache
def international_blocks() -> tuple[Block, ...]:
    """The international table: parse() after a `+` (or an international prefix)."""
    return _international(lambda code, rest: _national_number(_main_plan(code), rest))


@cache
def plan_blocks() -> tuple[Block, ...]:
    """The plan table: E.164 digits judged as they are (for DEFERRED readings)."""
    return _international(lambda _code, rest: _identity(((0, 10**rest),)))


REGIONS = tuple(sorted(SUPPORTED_REGIONS))


@cache
def national_blocks(region: str) -> tuple[Block, ...]:
    """The national table's part for one region: national digits of every length."""
    plan = _plan(region, phonenumbers.country_code_for_region(region))
    index = REGIONS.index(region)
    blocks: list[Block] = []
    for length in range(1, MAX_NATIONAL + 1):
        idd, national = _international_prefix(plan, length)
        own, national = _own_code(plan, length, national)
        pieces = [
            part for piece in _national_number(plan, length) for part in piece.restricted(national)
        ]
        found = idd + own + _judged(pieces, length, plan.code)
        blocks += _merged(found, 10**length, (index * 16 + length) * NATIONAL_BASE)
    return tuple(blocks)


def _international_prefix(plan: _Plan, length: int) -> tuple[list[Block], Intervals]:
    """_parse_prefix_as_idd: the strings that begin with the region's international
    prefix (and no 0 after it: no calling code starts with one), and the rest."""
    blocks: list[Block] = []
    international: list[Intervals] = []
    idds = list(patterns.paths(plan.idd)) if plan.idd is not None else []
    for path, matched in zip(
        idds, patterns.first_matches(p.matched(length) for p in idds), strict=True
    ):
        zero = patterns.Path((*path.digits, (0,)), (), anchored=False).matched(length)
        prefixed = patterns.subtract(matched, zero)
        drop = len(path.digits)
        after = length - drop
        if after <= _MIN_NSN:
            blocks += [(lo, Outcome.TOO_SHORT, 0, 1) for lo, _ in prefixed]
        else:  # the digits after the prefix, as the international table's key
            key = (Outcome.INTERNATIONAL, after * INTERNATIONAL_BASE, 10**after)
            blocks += [(lo, *key) for lo, _ in prefixed]
        international.append(prefixed)
    return blocks, patterns.subtract(((0, 10**length),), patterns.union(*international))


def _own_code(plan: _Plan, length: int, national: Intervals) -> tuple[list[Block], Intervals]:
    """_maybe_extract_country_code without a `+`: digits that begin with the region's
    own calling code are read as international when the rest fits the plan better
    ("447400123456" in GB). Their blocks, and the strings left to read as national."""
    digits = len(str(plan.code))
    rest = length - digits
    if rest <= 0:
        return [], national
    start = plan.code * 10**rest
    candidates = patterns.intersect(((start, start + 10**rest),), national)
    unviable = patterns.complement(plan.viable(length), 10**length)
    too_long = _test_length(plan, length) == _Length.TOO_LONG
    own: list[_Piece] = []
    for potential in _strip_national_prefix(plan, rest):
        for part in potential.shifted(start, digits).restricted(candidates):
            if too_long:
                own.append(part)
                continue
            _, _, after = part.image(length)
            better = patterns.intersect(_pull_back(part, length, plan.viable(after)), unviable)
            own += part.restricted(better)
    taken = patterns.union(*(((p.lo, p.hi),) for p in own))
    main = _main_plan(plan.code)
    read = _then(
        [p for p in own if not p.deferred], length, lambda after: _national_number(main, after)
    )
    # What remains is read as after a `+`: the international table does that.
    later = [_deferred(p, length, plan.code, Outcome.INTERNATIONAL) for p in own if p.deferred]
    return _judged(read, length, plan.code) + later, patterns.subtract(national, taken)


def forget() -> None:
    """Drops the parsed metadata and every intermediate result, once the tables are
    built: about 150 MB of Python objects a running service has no use for."""
    for cached in (
        _plan, _validity, _trunk_paths, _strip_national_prefix, _national_number,
        international_blocks, plan_blocks, national_blocks,
    ):  # fmt: skip
        cached.cache_clear()
    patterns.forget()
