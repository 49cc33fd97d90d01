"""Readings: which digits of a string `phonenumbers.parse` takes for the national
significant number (national prefix, carrier codes, transform rules), for every string
of one length at once, as pieces of intervals (see numbering.py's docstring)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from app.phones import patterns
from app.phones.patterns import Intervals, Path
from app.phones.plans import MIN_NSN, Length, Plan, length_verdict

# A prefix pattern that matches this many blocks of strings (CN's 2,100 carrier codes)
# would copy the plan once per block into the table: such readings are judged by a
# second lookup in the plan table instead.
_MAX_BLOCKS = 16


@dataclass(frozen=True, slots=True)
class Piece:
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

    def restricted(self, numbers: Intervals) -> Iterator[Piece]:
        for lo, hi in patterns.clip(numbers, self.lo, self.hi):
            yield Piece(lo, hi, self.drop, self.prepend, self.deferred)

    def shifted(self, offset: int, drop: int) -> Piece:
        """The piece behind `drop` more leading digits, `offset` being their value."""
        return Piece(
            offset + self.lo, offset + self.hi, self.drop + drop, self.prepend, self.deferred
        )


def identity(numbers: Intervals) -> list[Piece]:
    return [Piece(lo, hi) for lo, hi in numbers]


def _blocks(numbers: Intervals, length: int, drop: int, prepend: str) -> list[Piece]:
    """`numbers` as pieces, cut where their first `drop` digits change."""
    block = 10 ** (length - drop)
    found: list[Piece] = []
    for lo, hi in numbers:
        while lo < hi:
            end = min(hi, (lo // block + 1) * block)
            found.append(Piece(lo, end, drop, prepend))
            lo = end
    if len(found) > _MAX_BLOCKS:
        return [Piece(p.lo, p.hi, drop, prepend, deferred=True) for p in found]
    return found


def pull_back(piece: Piece, length: int, numbers: Intervals) -> Intervals:
    """The strings of `piece` whose reading lies in `numbers`."""
    start, end, _ = piece.image(length)
    shift = piece.lo - start
    return tuple((lo + shift, hi + shift) for lo, hi in patterns.clip(numbers, start, end))


@cache
def _trunk_paths(plan: Plan) -> tuple[tuple[Path, int, str], ...]:
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
def strip_national_prefix(plan: Plan, length: int) -> tuple[Piece, ...]:
    """_maybe_strip_national_prefix_carrier_code for every string of `length` digits."""
    everything: Intervals = ((0, 10**length),)
    if plan.trunk is None or length == 0:
        return tuple(identity(everything))
    viable = plan.viable(length)
    trunks = _trunk_paths(plan)
    found: list[Piece] = []
    for (_, drop, prepend), matched in zip(
        trunks, patterns.first_matches(p.matched(length) for p, _, _ in trunks), strict=True
    ):
        for piece in _blocks(matched, length, drop, prepend):
            _, _, after = piece.image(length)
            # A viable number is not cut into one that is not.
            still = pull_back(piece, length, plan.viable(after))
            undone = patterns.subtract(patterns.clip(viable, piece.lo, piece.hi), still)
            found += piece.restricted(patterns.subtract(((piece.lo, piece.hi),), undone))
            found += identity(undone)
    taken = patterns.union(*(((p.lo, p.hi),) for p in found))
    return tuple(sorted(found + identity(patterns.subtract(everything, taken)), key=_start))


def _start(piece: Piece) -> int:
    return piece.lo


_TOO_SHORT_TO_CUT = (Length.TOO_SHORT, Length.LOCAL_ONLY, Length.INVALID)


@cache
def national_number(plan: Plan, length: int) -> tuple[Piece, ...]:
    """parse()'s last step: the national prefix is cut only when what is left has a
    possible length (or is too long: then it is no short number either)."""
    if length < MIN_NSN:
        return tuple(identity(((0, 10**length),)))
    found: list[Piece] = []
    for piece in strip_national_prefix(plan, length):
        _, _, after = piece.image(length)
        cut = length_verdict(plan, after) not in _TOO_SHORT_TO_CUT
        found.append(piece if cut else Piece(piece.lo, piece.hi))
    return tuple(found)


def read_again(
    pieces: Sequence[Piece], length: int, step: Callable[[int], Sequence[Piece]]
) -> list[Piece]:
    """Each piece's reading read again by `step` (given the reading's length)."""
    found: list[Piece] = []
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
            found.append(Piece(lo + shift, hi + shift, drop, prepend, deferred))
    return found


def forget() -> None:
    """Drops the memoized readings (see numbering.forget)."""
    for cached in (_trunk_paths, strip_national_prefix, national_number):
        cached.cache_clear()
