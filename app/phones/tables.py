"""The lookups of the numbering plans (numbering.py compiles them): a number's digits as
read in its region, as international digits, and without a bracketed zero, judged by
their plan; then the reading that counts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from app.phones import columns as c
from app.phones import numbering
from app.phones.columns import Frame
from app.phones.numbering import Block
from app.phones.plans import Outcome


@dataclass(frozen=True, slots=True)
class Reading:
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


NATIONAL, INTERNATIONAL, UNBRACKETED = (
    Reading("_ph_n"),
    Reading("_ph_i"),
    Reading("_ph_d"),
)
# Every reading's columns, dropped once the reading that counts is chosen.
READING_COLUMNS = tuple(name for r in (NATIONAL, INTERNATIONAL, UNBRACKETED) for name in r.columns)

_BASE = numbering.INTERNATIONAL_BASE


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

    def lookup(self, frame: Frame, reading: Reading, key: pl.Expr, value: pl.Expr) -> Frame:
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
class Tables:
    national: _Table
    international: _Table
    plan: _Table


@cache
def tables() -> Tables:
    """Compiled once per process, by `compile_plans` at start-up (never at import):
    about three seconds for every region's plan."""
    built = Tables(
        national=_Table.of(
            tuple(b for r in numbering.REGIONS for b in numbering.national_blocks(r))
        ),
        international=_Table.of(numbering.international_blocks()),
        plan=_Table.of(numbering.plan_blocks()),
    )
    numbering.forget()
    return built


def read(frame: Frame, tables: Tables) -> Frame:
    """The lookups: national digits in their region's table (a number found to be
    international goes on to the international table), `+` numbers in the international
    table, and readings the tables defer in the plan table."""
    length, readable = pl.col(c.LENGTH), pl.col(c.BAD).is_null()
    # More than 15 national digits are no national number (E.164 allows 15, calling
    # code included); such a row is still tried as international digits ("00" + 15).
    national = readable & ~pl.col(c.PLUS) & (length <= numbering.MAX_NATIONAL)
    key = (pl.col(c.REGION) * 16 + length) * numbering.NATIONAL_BASE + pl.col(c.VALUE)
    frame = tables.national.lookup(frame, NATIONAL, pl.when(national).then(key), pl.col(c.VALUE))
    code = pl.col(NATIONAL.code).fill_null(pl.lit(Outcome.TOO_LONG, pl.Int64))
    frame = frame.with_columns(pl.when(readable & ~pl.col(c.PLUS)).then(code).alias(NATIONAL.code))
    frame = _deferred(frame, tables.plan, NATIONAL, tables.national)
    international = pl.when(readable).then(_international_key())
    unbracketed = pl.when(readable).then(pl.col(c.DROPPED))
    for reading, key in ((INTERNATIONAL, international), (UNBRACKETED, unbracketed)):
        # A key's digits (its length is the rest) are what add and mod work on.
        digits = pl.col(reading.key) % _BASE
        frame = tables.international.lookup(frame, reading, key, digits)
        frame = _deferred(frame, tables.plan, reading, tables.international)
    return frame


def _deferred(frame: Frame, plan: _Table, reading: Reading, table: _Table) -> Frame:
    """Readings `table` deferred, judged in the plan table (a carrier code cut off,
    say): their target is the plan table's key."""
    if not table.defers:
        return frame
    deferred = pl.col(reading.code) == Outcome.DEFERRED
    again = Reading(f"{reading.name}_again")
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
    length, value, code = pl.col(c.LENGTH), pl.col(c.VALUE), pl.col(NATIONAL.code)
    bare = length - pl.when(pl.col(c.WRITTEN).str.starts_with("00")).then(2).otherwise(0)
    return (
        pl.when(pl.col(c.PLUS) & (length <= numbering.MAX_INTERNATIONAL))
        .then(length * _BASE + value)
        .when(code == Outcome.INTERNATIONAL)
        .then(pl.col(NATIONAL.target))
        .when((code >= Outcome.UNKNOWN_COUNTRY) & (bare <= numbering.MAX_INTERNATIONAL))
        .then(bare * _BASE + value)
    )


def chosen(frame: Frame) -> Frame:
    """The reading that counts, as its code and E.164 digits: international for a
    `+` number or one the national table handed on; else the national one when valid,
    or the international one when it is valid or got further."""
    national, international = pl.col(NATIONAL.code), pl.col(INTERNATIONAL.code)
    handed_on = pl.col(c.PLUS) | (national == Outcome.INTERNATIONAL)
    better = (international < Outcome.UNKNOWN_COUNTRY) | (international > national)
    use_international = handed_on | (
        (national >= Outcome.UNKNOWN_COUNTRY) & better.fill_null(False)
    )
    too_long = pl.lit(Outcome.TOO_LONG, pl.Int64)
    code = (
        pl.when(pl.col(c.BAD).is_not_null())
        .then(None)
        .when(use_international)
        .then(pl.coalesce(international, too_long))
        .otherwise(national)
    )
    target = (
        pl.when(use_international)
        .then(pl.col(INTERNATIONAL.target))
        .otherwise(pl.col(NATIONAL.target))
    )
    frame = frame.with_columns(code.alias(c.CODE), target.alias(c.TARGET))
    unbracketed = (pl.col(c.CODE) >= Outcome.UNKNOWN_COUNTRY) & (
        pl.col(UNBRACKETED.code) < Outcome.UNKNOWN_COUNTRY
    )
    return frame.with_columns(
        pl.when(unbracketed).then(pl.col(UNBRACKETED.code)).otherwise(pl.col(c.CODE)).alias(c.CODE),
        pl.when(unbracketed)
        .then(pl.col(UNBRACKETED.target))
        .otherwise(pl.col(c.TARGET))
        .alias(c.TARGET),
    )
