"""libphonenumber's number patterns as sets of digit strings, for table lookups.

The metadata's regular expressions use a small syntax: digits, `\\d`, classes, `(?:…)` and
`(…)` groups, `|`, `?`, `{n}`, `{n,m}` and `$`. The strings of one length n that such a
pattern matches are a union of intervals of their values (`[lo, hi)` in `[0, 10**n)`;
the fixed length keeps leading zeros apart), so a whole numbering plan becomes a sorted
list of interval starts that polars searches once per row, instead of a regex per row.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import product

# Sorted, disjoint, non-adjacent half-open intervals of values.
Intervals = tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False, slots=True)
class Digits:
    values: tuple[int, ...]  # sorted


@dataclass(frozen=True, eq=False, slots=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True, eq=False, slots=True)
class Alt:
    options: tuple[Node, ...]


@dataclass(frozen=True, eq=False, slots=True)
class Repeat:
    node: Node
    low: int
    high: int


@dataclass(frozen=True, eq=False, slots=True)
class Group:
    index: int
    node: Node


@dataclass(frozen=True, eq=False, slots=True)
class End:
    pass


# eq=False: nodes hash by identity, so caches keyed on them stay cheap.
Node = Digits | Seq | Alt | Repeat | Group | End
ALL_DIGITS = Digits(tuple(range(10)))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.groups = 0

    def parse(self) -> Node:
        node = self.alternation()
        if self.pos != len(self.text):
            raise ValueError(f"unsupported pattern syntax at {self.pos}: {self.text!r}")
        return node

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def alternation(self) -> Node:
        options = [self.sequence()]
        while self.peek("|"):
            self.pos += 1
            options.append(self.sequence())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.pos < len(self.text) and self.text[self.pos] not in "|)":
            items.append(self.quantified(self.atom()))
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def atom(self) -> Node:
        char = self.text[self.pos]
        if self.peek("(?:"):
            self.pos += 3
            return self.closed(self.alternation())
        if char == "(":
            self.pos += 1
            self.groups += 1
            index = self.groups
            return Group(index, self.closed(self.alternation()))
        if char == "[":
            end = self.text.index("]", self.pos)
            body, self.pos = self.text[self.pos + 1 : end], end + 1
            return Digits(tuple(sorted(_class_digits(body))))
        if self.peek("\\d"):
            self.pos += 2
            return ALL_DIGITS
        if char == "$":
            self.pos += 1
            return End()
        if char.isdigit():
            self.pos += 1
            return Digits((int(char),))
        raise ValueError(f"unsupported pattern syntax at {self.pos}: {self.text!r}")

    def closed(self, node: Node) -> Node:
        if not self.peek(")"):
            raise ValueError(f"unbalanced group in {self.text!r}")
        self.pos += 1
        return node

    def quantified(self, node: Node) -> Node:
        if self.peek("?"):
            self.pos += 1
            return Repeat(node, 0, 1)
        if self.peek("{"):
            end = self.text.index("}", self.pos)
            low, comma, high = self.text[self.pos + 1 : end].partition(",")
            self.pos = end + 1
            return Repeat(node, int(low), int(high) if comma else int(low))
        return node


def _class_digits(body: str) -> set[int]:
    digits: set[int] = set()
    i = 0
    while i < len(body):
        if body.startswith("\\d", i):
            digits.update(range(10))
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-":
            digits.update(range(int(body[i]), int(body[i + 2]) + 1))
            i += 3
        else:
            digits.add(int(body[i]))
            i += 1
    return digits


@cache
def parse(text: str) -> Node:
    """The pattern's syntax tree (cached: the same text is parsed once)."""
    return _Parser(text).parse()


def group_count(text: str) -> int:
    parser = _Parser(text)
    parser.parse()
    return parser.groups


# --- interval sets -------------------------------------------------------------------


def union(*sets: Intervals) -> Intervals:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(i for s in sets for i in s):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


def intersect(a: Intervals, b: Intervals) -> Intervals:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return tuple(part for lo, hi in small for part in clip(large, lo, hi))


def subtract(a: Intervals, b: Sequence[tuple[int, int]]) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in a:
        for cut_lo, cut_hi in clip(b, lo, hi):
            if cut_lo > lo:
                out.append((lo, cut_lo))
            lo = cut_hi
        if lo < hi:
            out.append((lo, hi))
    return tuple(out)


def first_matches(sets: Iterable[Intervals]) -> Iterator[Intervals]:
    """Each set without what the sets before it took: first match wins."""
    taken: list[tuple[int, int]] = []
    for numbers in sets:
        new = subtract(numbers, taken)
        for interval in new:
            insort(taken, interval)
        yield new


def complement(a: Intervals, size: int) -> Intervals:
    return subtract(((0, size),), a)


def clip(a: Sequence[tuple[int, int]], lo: int, hi: int) -> Intervals:
    """The part of `a` inside [lo, hi)."""
    out = []
    for start, end in a[bisect_right(a, lo, key=lambda i: i[1]) :]:
        if start >= hi:
            break
        out.append((max(start, lo), min(end, hi)))
    return tuple(out)


def _digits_intervals(values: Sequence[int]) -> Intervals:
    out: list[tuple[int, int]] = []
    for d in values:
        if out and out[-1][1] == d:
            out[-1] = (out[-1][0], d + 1)
        else:
            out.append((d, d + 1))
    return tuple(out)


def concat(head: Intervals, tail: Intervals, tail_length: int) -> Intervals:
    """`head` followed by `tail`: values head * 10**tail_length + tail."""
    scale = 10**tail_length
    if tail == ((0, scale),):
        return tuple((lo * scale, hi * scale) for lo, hi in head)
    out: list[tuple[int, int]] = []
    for lo, hi in head:
        for value in range(lo, hi):
            base = value * scale
            for t_lo, t_hi in tail:
                if out and out[-1][1] == base + t_lo:
                    out[-1] = (out[-1][0], base + t_hi)
                else:
                    out.append((base + t_lo, base + t_hi))
    return tuple(out)


# --- languages -----------------------------------------------------------------------


@cache
def lengths(node: Node) -> frozenset[int]:
    """The lengths of the strings `node` matches."""
    match node:
        case Digits():
            return frozenset({1})
        case End():
            return frozenset({0})
        case Group(node=inner):
            return lengths(inner)
        case Alt(options=options):
            return frozenset().union(*(lengths(o) for o in options))
        case Seq(items=items):
            return _sum_lengths([lengths(i) for i in items])
        case Repeat(node=inner, low=low, high=high):
            found: set[int] = set()
            for count in range(low, high + 1):
                found |= _sum_lengths([lengths(inner)] * count)
            return frozenset(found)


def _sum_lengths(parts: Sequence[frozenset[int]]) -> frozenset[int]:
    totals = {0}
    for part in parts:
        totals = {t + p for t in totals for p in part}
    return frozenset(totals)


@cache
def language(node: Node, length: int) -> Intervals:
    """The strings of `length` digits that `node` matches in full."""
    if length not in lengths(node):
        return ()
    match node:
        case Digits(values=values):
            return _digits_intervals(values)
        case End():
            return ((0, 1),)
        case Group(node=inner):
            return language(inner, length)
        case Alt(options=options):
            return union(*(language(o, length) for o in options))
        case Seq(items=items):
            return _sequence(items, length)
        case Repeat(node=inner, low=low, high=high):
            return union(*(_sequence((inner,) * n, length) for n in range(low, high + 1)))


@cache
def _sequence(items: tuple[Node, ...], length: int) -> Intervals:
    if not items:
        return ((0, 1),) if length == 0 else ()
    first, rest = items[0], items[1:]
    rest_lengths = _sum_lengths([lengths(i) for i in rest])
    found: list[Intervals] = []
    for head_length in sorted(lengths(first)):
        tail_length = length - head_length
        if tail_length in rest_lengths:
            head = language(first, head_length)
            if head:
                found.append(concat(head, _sequence(rest, tail_length), tail_length))
    return union(*found)


def prefixed(node: Node, length: int) -> Intervals:
    """The strings of `length` digits that begin with a match of `node` (`re.match`)."""
    return union(
        *(
            concat(language(node, n), ((0, 10 ** (length - n)),), length - n)
            for n in lengths(node)
            if n <= length
        )
    )


# --- match paths, for the prefixes that are matched and then cut off -------------------


@dataclass(frozen=True, slots=True)
class Path:
    """One way a pattern can match the start of a string, in `re.match`'s order.

    `digits` holds the allowed digits of each matched position, `groups` each group's
    span, `anchored` whether the match must reach the end of the string (`$`)."""

    digits: tuple[tuple[int, ...], ...]
    groups: tuple[tuple[int, int, int], ...]  # (group index, start, end)
    anchored: bool

    def matched(self, length: int) -> Intervals:
        """The strings of `length` digits this path matches at their start."""
        size = len(self.digits)
        if size > length or (self.anchored and size != length):
            return ()
        head: Intervals = ((0, 1),)
        for values in self.digits:
            head = concat(head, _digits_intervals(values), 1)
        return concat(head, ((0, 10 ** (length - size)),), length - size)

    def span(self, index: int) -> tuple[int, int] | None:
        return next(((s, e) for i, s, e in self.groups if i == index), None)


def paths(node: Node) -> Iterator[Path]:
    """Every way `node` matches a prefix, in the order a backtracking `re.match` tries
    them (alternatives left to right, greedy repeats longest first)."""
    for steps in _steps(node):
        digits: list[tuple[int, ...]] = []
        groups: list[tuple[int, int, int]] = []
        opened: dict[int, int] = {}
        anchored = False
        for step in steps:
            if isinstance(step, Digits):
                if anchored:
                    break  # digits after `$` never match
                digits.append(step.values)
            elif isinstance(step, End):
                anchored = True
            elif step[0] == "open":
                opened[step[1]] = len(digits)
            else:
                groups.append((step[1], opened[step[1]], len(digits)))
        else:
            yield Path(tuple(digits), tuple(groups), anchored)


_Step = Digits | End | tuple[str, int]


def _steps(node: Node) -> Iterator[tuple[_Step, ...]]:
    match node:
        case Digits() | End():
            yield (node,)
        case Group(index=index, node=inner):
            for inner_steps in _steps(inner):
                yield (("open", index), *inner_steps, ("close", index))
        case Alt(options=options):
            for option in options:
                yield from _steps(option)
        case Seq(items=items):
            yield from _sequence_steps(items)
        case Repeat(node=inner, low=low, high=high):
            for count in range(high, low - 1, -1):
                yield from _sequence_steps((inner,) * count)


def _sequence_steps(items: tuple[Node, ...]) -> Iterator[tuple[_Step, ...]]:
    if not items:
        yield ()
        return
    for head in _steps(items[0]):
        for tail in _sequence_steps(items[1:]):
            yield head + tail


def concrete(path: Path, start: int, end: int) -> Iterator[Path]:
    """`path` split into one path per string its positions [start, end) can hold."""
    for chosen in product(*path.digits[start:end]):
        digits = path.digits[:start] + tuple((d,) for d in chosen) + path.digits[end:]
        yield Path(digits, path.groups, path.anchored)


def text(path: Path, start: int, end: int) -> str | None:
    """The digits at [start, end) when the path fixes them, else None."""
    if all(len(values) == 1 for values in path.digits[start:end]):
        return "".join(str(values[0]) for values in path.digits[start:end])
    return None


def forget() -> None:
    """Drops the memoized patterns and languages (see numbering.forget)."""
    for cached in (parse, lengths, language, _sequence):
        cached.cache_clear()
