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

from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cache

import phonenumbers
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

from app.phones import patterns, plans, readings
from app.phones.patterns import Intervals
from app.phones.plans import (
    MIN_NSN,
    Length,
    Outcome,
    Plan,
    length_verdict,
    main_plan,
    region_plan,
    validity,
)
from app.phones.readings import (
    Piece,
    identity,
    national_number,
    pull_back,
    read_again,
    strip_national_prefix,
)

INTERNATIONAL_BASE = 10**17  # digits after "+": at most 17, as phonenumbers allows
NATIONAL_BASE = 10**15  # national digits: the first 15 are enough to decide
MAX_INTERNATIONAL = 17
MAX_NATIONAL = 15

# A table block: (start, code, add, mod), up to the next block's start. The code is an
# Outcome (a valid number's E.164 digits are add + value % mod), DEFERRED or
# INTERNATIONAL (add + value % mod is the key to look up in the plan table or the
# international table).
Block = tuple[int, int, int, int]


def _judged(pieces: Sequence[Piece], length: int, code: int) -> list[Block]:
    """The pieces' readings looked up in the plan of `code`."""
    found: list[Block] = []
    for piece in pieces:
        start, end, after = piece.image(length)
        tail = 10 ** (length - piece.drop)
        e164 = code * 10**after + int(piece.prepend or 0) * tail
        if piece.deferred:
            found.append(_deferred(piece, length, code, Outcome.DEFERRED))
            continue
        plan = validity(code, after)
        shift = piece.lo - start
        for lo, _, outcome in plan[bisect_right(plan, start, key=lambda s: s[1]) :]:
            if lo >= end:
                break
            add, mod = (e164, tail) if outcome.valid else (0, 1)
            found.append((max(lo, start) + shift, outcome, add, mod))
    return found


def _deferred(piece: Piece, length: int, code: int, outcome: Outcome) -> Block:
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


def _international(reading: Callable[[int, int], Sequence[Piece]]) -> tuple[Block, ...]:
    """A table over the digits after a `+`: calling code, then `reading` of the rest
    (given the calling code and the rest's length)."""
    blocks: list[Block] = []
    for length in range(1, MAX_INTERNATIONAL + 1):
        offset = length * INTERNATIONAL_BASE
        if length <= MIN_NSN:  # "had an IDD, but after this was not long enough"
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
    return _international(lambda code, rest: national_number(main_plan(code), rest))


@cache
def plan_blocks() -> tuple[Block, ...]:
    """The plan table: E.164 digits judged as they are (for DEFERRED readings)."""
    return _international(lambda _code, rest: identity(((0, 10**rest),)))


REGIONS = tuple(sorted(SUPPORTED_REGIONS))


@cache
def national_blocks(region: str) -> tuple[Block, ...]:
    """The national table's part for one region: national digits of every length."""
    plan = region_plan(region, phonenumbers.country_code_for_region(region))
    index = REGIONS.index(region)
    blocks: list[Block] = []
    for length in range(1, MAX_NATIONAL + 1):
        idd, national = _international_prefix(plan, length)
        own, national = _own_code(plan, length, national)
        pieces = [
            part for piece in national_number(plan, length) for part in piece.restricted(national)
        ]
        found = idd + own + _judged(pieces, length, plan.code)
        blocks += _merged(found, 10**length, (index * 16 + length) * NATIONAL_BASE)
    return tuple(blocks)


def _international_prefix(plan: Plan, length: int) -> tuple[list[Block], Intervals]:
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
        if after <= MIN_NSN:
            blocks += [(lo, Outcome.TOO_SHORT, 0, 1) for lo, _ in prefixed]
        else:  # the digits after the prefix, as the international table's key
            key = (Outcome.INTERNATIONAL, after * INTERNATIONAL_BASE, 10**after)
            blocks += [(lo, *key) for lo, _ in prefixed]
        international.append(prefixed)
    return blocks, patterns.subtract(((0, 10**length),), patterns.union(*international))


def _own_code(plan: Plan, length: int, national: Intervals) -> tuple[list[Block], Intervals]:
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
    too_long = length_verdict(plan, length) == Length.TOO_LONG
    own: list[Piece] = []
    for potential in strip_national_prefix(plan, rest):
        for part in potential.shifted(start, digits).restricted(candidates):
            if too_long:
                own.append(part)
                continue
            _, _, after = part.image(length)
            better = patterns.intersect(pull_back(part, length, plan.viable(after)), unviable)
            own += part.restricted(better)
    taken = patterns.union(*(((p.lo, p.hi),) for p in own))
    main = main_plan(plan.code)
    read = read_again(
        [p for p in own if not p.deferred], length, lambda after: national_number(main, after)
    )
    # What remains is read as after a `+`: the international table does that.
    later = [_deferred(p, length, plan.code, Outcome.INTERNATIONAL) for p in own if p.deferred]
    return _judged(read, length, plan.code) + later, patterns.subtract(national, taken)


def forget() -> None:
    """Drops the parsed metadata and every intermediate result, once the tables are
    built: about 150 MB of Python objects a running service has no use for."""
    for cached in (international_blocks, plan_blocks, national_blocks):
        cached.cache_clear()
    plans.forget()
    readings.forget()
    patterns.forget()
