"""OS-version classification as data (SPEC "The three lists", legacy §3.1).

The rules live in `os_version_rules`, which operators read and change at
`/voluum/os-version-rules`; each sync turns them into one polars expression and
classifies a whole page in one pass. First match by position wins.

How a string is read (Voluum spells `IOS 18.6`, `Android 13.0`, `MacOS 15 Sequoia`):
the name is what precedes the only space (the whole string when there are none or
several), the major version is the integer before the first `.` of what follows it, and
a missing or non-numeric version reads as 9999 (so bare `IOS` is a new iOS). A malformed
string, where the version starts with a digit but is no number (`Android 10a`) or is
empty (`Android `), or no string at all, matches no rule: it is unknown, never a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, TypeVar

import msgspec
import polars as pl

ListName = Literal["blacklist", "monitor", "whitelist"]
UNKNOWN = "UNKNOWN"
# What a missing or non-numeric version counts as: newer than any real one.
NO_VERSION_MAJOR = 9999

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

_NAME, _VERSION, _MAJOR, _MALFORMED = "_os_name", "_os_version", "_os_major", "_os_malformed"


# What a rule's text may be: short, and no NUL (PostgreSQL text cannot hold one).
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
Major = Annotated[int, msgspec.Meta(ge=0, le=NO_VERSION_MAJOR)]


class OsRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One rule: every condition it sets must hold (at least one must be set)."""

    position: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
    list_name: ListName
    os_name: Text | None = None
    name_contains: Text | None = None
    full_equals: Text | None = None
    full_contains: Text | None = None
    min_major: Major | None = None
    max_major: Major | None = None
    note: Annotated[str, msgspec.Meta(max_length=500, pattern=r"^[^\x00]*$")] | None = None

    def problem(self) -> str | None:
        """Why the rule cannot be stored, or None."""
        conditions = (self.os_name, self.name_contains, self.full_equals, self.full_contains)
        if all(c is None for c in conditions):
            return f"rule {self.position}: set os_name, name_contains, full_equals or full_contains"
        low, high = self.min_major, self.max_major
        if low is not None and high is not None and low > high:
            return f"rule {self.position}: min_major is above max_major"
        return None


def with_category(frame: Frame, rules: Sequence[OsRule], *, source: str, into: str) -> Frame:
    """`frame` with `into`: BLACKLIST, MONITOR, WHITELIST or UNKNOWN for `source`."""
    text = pl.col(source).cast(pl.String)
    one_space = text.str.count_matches(" ", literal=True) == 1
    parts = text.str.splitn(" ", 2)
    frame = frame.with_columns(
        pl.when(one_space).then(parts.struct.field("field_0")).otherwise(text).alias(_NAME),
        pl.when(one_space).then(parts.struct.field("field_1")).alias(_VERSION),
    )
    version = pl.col(_VERSION)
    numeric = version.str.contains(r"^[0-9]")
    major = version.str.split(".").list.first().cast(pl.Int64, strict=False)
    frame = frame.with_columns(
        pl.when(version.is_null() | ~numeric.fill_null(False))
        .then(pl.lit(NO_VERSION_MAJOR, dtype=pl.Int64))
        .otherwise(major)
        .alias(_MAJOR),
        (
            text.is_null()
            | (version == "").fill_null(False)
            | (numeric & major.is_null()).fill_null(False)
        ).alias(_MALFORMED),
    )
    category: pl.Expr = pl.lit(UNKNOWN)
    # Built from the last rule back, so that the first rule is the outermost test.
    for rule in sorted(rules, key=lambda r: r.position, reverse=True):
        value = pl.lit(rule.list_name.upper())
        category = pl.when(_condition(rule, text)).then(value).otherwise(category)
    return frame.with_columns(category.alias(into)).drop(_NAME, _VERSION, _MAJOR, _MALFORMED)


def _condition(rule: OsRule, whole: pl.Expr) -> pl.Expr:
    name, major = pl.col(_NAME), pl.col(_MAJOR)
    condition = ~pl.col(_MALFORMED)
    if rule.os_name is not None:
        condition &= name == rule.os_name
    if rule.name_contains is not None:
        condition &= name.str.contains(rule.name_contains, literal=True)
    if rule.full_equals is not None:
        condition &= whole == rule.full_equals
    if rule.full_contains is not None:
        condition &= whole.str.contains(rule.full_contains, literal=True)
    if rule.min_major is not None:
        condition &= major >= rule.min_major
    if rule.max_major is not None:
        condition &= major <= rule.max_major
    return condition.fill_null(False)
